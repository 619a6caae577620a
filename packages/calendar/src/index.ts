export * from './dates';
export * from './calendar';
export * from './chineseDays';
export * from './registry';
export * from './deadline';
export * from './provisional';
export * from './ics';
