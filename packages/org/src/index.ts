export * from './tree';
export * from './changes';
export * from './demoCounty';
