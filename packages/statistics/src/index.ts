export * from './facts';
export * from './statistics';
