export * from './app';
export * from './module';
export * from './config';
