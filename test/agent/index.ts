export * from './sync-fixture.js';
export * from './watch-drop.js';
