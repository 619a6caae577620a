import { kafkaRequired, testKafka } from '@duban/testing';
import { describeNotifications } from './notifications';

const kafka = testKafka();
describeNotifications(
  'brokers' in kafka ? { kind: 'kafka', brokers: kafka.brokers } : kafka,
  kafkaRequired(),
);
