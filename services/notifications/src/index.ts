export * from './app';
export * from './module';
