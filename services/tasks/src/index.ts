export * from './app';
export * as itemDomain from './domain/item';
export * from './module';
