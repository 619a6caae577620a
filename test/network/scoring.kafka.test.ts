import { kafkaRequired, testKafka } from '@duban/testing';
import { describeScoring } from './scoring';

const kafka = testKafka();
describeScoring('brokers' in kafka ? { kind: 'kafka', brokers: kafka.brokers } : kafka, kafkaRequired());
