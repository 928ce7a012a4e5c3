// Where every object lives in the bucket (DESIGN.md §4), in one place: the worker writes these keys,
// the API reads some of them (clips, WHEP's playlist check) and presents them as CDN URLs
// (`<CDN_BASE_URL>/<key>`). Keys start with random ids so S3 spreads them across partitions.
//
//   live/<playbackId>/index.m3u8                     the live master (a copy goes to the recording)
//   live/<playbackId>/<rendition>/index.m3u8         live media playlists
//   live/<playbackId>/sessions/<sessionId>/…         an unrecorded session's segments and LL-HLS parts
//   vod/<assetId>/index.m3u8, <rendition>/…          a recording or clip: playlists, segments
//   vod/<assetId>/{recording.mp4,thumbnail.jpg,storyboard.jpg,storyboard.vtt}
//   thumbs/<playbackId>.jpg                          the live thumbnail, rewritten every 10 s

export const storageLayout = {
  /** Everything of one live stream's playback id. */
  live: (playbackId: string) => `live/${playbackId}`,
  liveMaster: (playbackId: string) => `live/${playbackId}/index.m3u8`,
  liveMedia: (playbackId: string, rendition: string) => `live/${playbackId}/${rendition}/index.m3u8`,
  /** A session's own objects: segments when it is not recorded, LL-HLS parts always. */
  liveSession: (playbackId: string, sessionId: string) => `live/${playbackId}/sessions/${sessionId}`,
  /** Everything of one asset (recording or clip). */
  vod: (assetId: string) => `vod/${assetId}`,
  vodFile: (assetId: string, file: string) => `vod/${assetId}/${file}`,
  vodMaster: (assetId: string) => `vod/${assetId}/index.m3u8`,
  vodMedia: (assetId: string, rendition: string) => `vod/${assetId}/${rendition}/index.m3u8`,
  vodSegment: (assetId: string, rendition: string, file: string) => `vod/${assetId}/${rendition}/${file}`,
  thumbnail: (playbackId: string) => `thumbs/${playbackId}.jpg`,
} as const;
