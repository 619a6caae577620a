export * from './app';
export * as scoringRules from './domain/rules';
export * from './module';
