// hls-parser as the playback edge uses it: quiet. The edge only reads playlists our worker wrote (the
// worker's tests hold them to RFC 8216), and hls-parser counts a preload hint as a part, so it warns
// that the last part of the segment being written is "not the last" several times a second.
import HLS from 'hls-parser';

HLS.setOptions({ silent: true });

export default HLS;
