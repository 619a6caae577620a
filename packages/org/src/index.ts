export * from './tree';
export * from './demoCounty';
