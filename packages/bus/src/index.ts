export * from './eventLog';
export * from './embeddedLog';
export * from './kafkaLog';
export * from './outbox';
export * from './consumer';
export * from './delivery';
