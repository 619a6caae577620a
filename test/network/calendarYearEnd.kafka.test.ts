import { kafkaRequired, testKafka } from '@duban/testing';
import { describeCalendarYearEnd } from './calendarYearEnd';

const kafka = testKafka();
describeCalendarYearEnd(
  'brokers' in kafka ? { kind: 'kafka', brokers: kafka.brokers } : kafka,
  kafkaRequired(),
);
