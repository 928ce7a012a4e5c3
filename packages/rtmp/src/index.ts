export { pullRtmpAsFlv, type RtmpPull } from './pull.js';
