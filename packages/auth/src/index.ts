export * from './password';
export * from './service';
export * from './routes';
export * from './demo';
