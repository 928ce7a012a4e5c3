import type { Config } from '@airwave/config';
import { decryptSecret } from '@airwave/core';
import { ingestPullToken } from '@airwave/jobs';

/** The RTMP URL a worker pulls a live session from, on the ingest node that holds it. */
export function ingestPullUrl(config: Config, ingestAddress: string, streamKeyEncrypted: string): string {
  const streamKey = decryptSecret(streamKeyEncrypted, config.encryptionKey);
  return `${ingestAddress}/${streamKey}?token=${ingestPullToken(config.internalToken, streamKey)}`;
}
