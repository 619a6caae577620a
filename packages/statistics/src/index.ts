export * from './facts';
export * from './statistics';
export { analyse, analyseAnalytics, readEmbeddedLog, readKafka, saslFromEnv } from './analyst';
export type { KafkaReadOptions } from './analyst';
