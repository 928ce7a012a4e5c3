export { pullRtmpAsFlv, type RtmpPull } from './pull.js';
export { pushFlvToRtmp, type RtmpPush } from './push.js';
