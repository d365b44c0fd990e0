export * from './path-exists.js';
export * from './process-alive.js';
