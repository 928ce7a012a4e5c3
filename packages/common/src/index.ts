// Pure helpers: Node's standard library and nothing else, so the internet-facing ingest and the
// WebRTC edge can use them without loading the database client (packages/core re-exports them).
export * from './errors.js';
export * from './ids.js';
export * from './secrets.js';
export * from './net-guard.js';
export * from './pagination.js';
export * from './storage-layout.js';
