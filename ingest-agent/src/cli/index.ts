export * from './agent-settings.js';
export * from './folder-argument.js';
export * from './ingest-command.js';
export * from './output.js';
export * from './plan-command.js';
export * from './progress.js';
export * from './validate-command.js';
