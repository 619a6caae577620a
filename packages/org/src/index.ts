export * from './tree';
export * from './orgFile';
export * from './demoCounty';
export * from './configured';
