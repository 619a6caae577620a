import { kafkaRequired, testKafka } from '@duban/testing';
import { describeLadder } from './ladder';

const kafka = testKafka();
describeLadder('brokers' in kafka ? { kind: 'kafka', brokers: kafka.brokers } : kafka, kafkaRequired());
