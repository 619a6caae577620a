import { freshTopicPrefix, kafkaRequired, testKafka } from '@duban/testing';
import { KafkaEventLog } from './kafkaLog';
import { describeEventLogContract, logger } from './testing/contract';

const kafka = testKafka();
const brokers = 'brokers' in kafka ? kafka.brokers : [];

describeEventLogContract(
  {
    name: 'kafka',
    unavailable: () => ('unavailable' in kafka ? kafka.unavailable : undefined),
    scope: (name) => freshTopicPrefix(name),
    create: (_db, scope) =>
      new KafkaEventLog({
        brokers,
        clientId: 'contract',
        topicPrefix: scope,
        logger,
        partitions: 3,
        sessionTimeoutMs: 6000,
      }),
    createVia: (_db, scope, port) =>
      new KafkaEventLog({
        brokers: [`127.0.0.1:${port}`],
        clientId: 'contract-cut',
        topicPrefix: scope,
        logger,
        partitions: 3,
        connectionTimeoutMs: 1000,
      }),
    upstream: () => {
      const [host, port] = brokers[0]!.split(':');
      return { host: host!, port: Number(port) };
    },
    childEnv: (_db, scope) => ({
      CRASH_TRANSPORT: 'kafka',
      CRASH_KAFKA_BROKERS: brokers.join(','),
      CRASH_TOPIC_PREFIX: scope,
    }),
  },
  { required: kafkaRequired() },
);
