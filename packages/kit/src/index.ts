export * from './errors';
export * from './config';
export * from './logger';
export * from './clock';
export * from './http';
export * from './lifecycle';
export * from './hosting';
