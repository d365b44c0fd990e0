export * from './compose-gate.js';
export * from './render-scratch.js';
export * from './render-service.js';
export * from './service-tuning.js';
