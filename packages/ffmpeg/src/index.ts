export * from './process.js';
export * from './session-pull.js';
