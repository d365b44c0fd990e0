export * from './agent-config.js';
export * from './default-rules.js';
export * from './is-junk.js';
export * from './match-file-name.js';
export * from './naming-rules.js';
export * from './normalize-name.js';
