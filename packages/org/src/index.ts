export * from './tree';
export * from './orgFile';
export * from './changes';
export * from './demoCounty';
export * from './configured';
