import { kafkaRequired, testKafka } from '@duban/testing';
import { describeForgery } from './forgery';

const kafka = testKafka();
describeForgery('brokers' in kafka ? { kind: 'kafka', brokers: kafka.brokers } : kafka, kafkaRequired());
