export * from './database.js';
export * from './deliveries.js';
export * from './exercises.js';
export * from './failures.js';
export * from './migrate.js';
export * from './renders.js';
export * from './transcodes.js';
