export * from './facts';
export * from './statistics';
export { analyse, readEmbeddedLog, readKafka } from './analyst';
