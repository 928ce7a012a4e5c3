export * from './process.js';
export * from './session-pull.js';
export * from './commands.js';
