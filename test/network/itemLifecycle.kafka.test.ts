import { kafkaRequired, testKafka } from '@duban/testing';
import { describeItemLifecycle } from './itemLifecycle';

const kafka = testKafka();
describeItemLifecycle(
  'brokers' in kafka ? { kind: 'kafka', brokers: kafka.brokers } : kafka,
  kafkaRequired(),
);
