export * from './queue-snapshot.js';
export * from './status-api.js';
export * from './status-view.js';
