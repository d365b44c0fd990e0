export * from './check-free-space.js';
export * from './local-storage-error.js';
export * from './manifest-json.js';
export * from './mezzanine.js';
export * from './prepare-data-dir.js';
export * from './stage-bundle.js';
