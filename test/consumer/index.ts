export * from './compose-media.js';
export * from './http-server.js';
export * from './render-fixture.js';
