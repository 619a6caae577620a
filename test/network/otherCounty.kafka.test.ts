import { kafkaRequired, testKafka } from '@duban/testing';
import { describeOtherCounty } from './otherCounty';

const kafka = testKafka();
describeOtherCounty('brokers' in kafka ? { kind: 'kafka', brokers: kafka.brokers } : kafka, kafkaRequired());
