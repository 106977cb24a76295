export * from './objects.ts';
export * from './sorted-objects.ts';
export * from './snapshot.ts';
export * from './diagnostic.ts';
export * from './route-table.ts';
export * from './config.ts';
export * from './shared-backends.ts';
export * from './shared-values.ts';
