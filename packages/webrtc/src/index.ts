export * from './network.js';
export * from './offer.js';
export * from './h264.js';
export * from './peer.js';
export * from './signaling.js';
