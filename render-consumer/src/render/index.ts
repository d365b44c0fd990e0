export * from './ensure-render.js';
export * from './errors.js';
export * from './lease-keeper.js';
