export * from './classify-message.js';
export * from './errors.js';
export * from './handle-message.js';
export * from './manifest-memo.js';
export * from './preview-link.js';
export * from './refresh-exercise.js';
export * from './render-queue-consumer.js';
export * from './quiet-period.js';
