export * from './ids';
export * from './envelope';
export * from './catalogue';
export * from './codec';
export * from './jsonSchema';
export * from './catalogueDoc';
export * from './authority';
export * from './asyncapi';
