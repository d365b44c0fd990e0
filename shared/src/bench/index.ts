export * from './bench-stats.js';
