export * from './async/index.js';
export * from './aws/clients.js';
export * from './cli/index.js';
export * from './config/index.js';
export * from './domain/index.js';
export * from './ffmpeg/index.js';
export * from './host/index.js';
export * from './log/index.js';
