export * from './config';
export * from './process';
export * from './main';
export * from './calendars';
export * from './cli';
export * from './metrics';
export * from './orgBook';
