import { kafkaRequired, testKafka } from '@duban/testing';
import { describeWalkingSkeleton } from './walkingSkeleton';

const kafka = testKafka();
describeWalkingSkeleton(
  'brokers' in kafka ? { kind: 'kafka', brokers: kafka.brokers } : kafka,
  kafkaRequired(),
);
