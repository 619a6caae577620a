export * from './postgres';
export * from './kafka';
export * from './proxy';
export * from './wait';
export * from './services';
export * from './docker';
export * from './hostProcess';
