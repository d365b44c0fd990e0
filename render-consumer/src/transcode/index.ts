export * from './transcode-watcher.js';
export * from './webhook-signature.js';
