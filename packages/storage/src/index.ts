export * from './s3.js';
export { startLocalS3, type LocalS3 } from './local-server.js';
