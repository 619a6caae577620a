import { kafkaRequired, testKafka } from '@duban/testing';
import { describeOrgMerge } from './orgMerge';

const kafka = testKafka();
describeOrgMerge('brokers' in kafka ? { kind: 'kafka', brokers: kafka.brokers } : kafka, kafkaRequired());
