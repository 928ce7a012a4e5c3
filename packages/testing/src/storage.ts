import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { startLocalS3 } from '@airwave/storage';

/** A real S3 API (s3rver) on loopback with its own bucket, and the env that points Airwave at it. */
export async function startTestStorage() {
  const directory = await mkdtemp(path.join(os.tmpdir(), 'airwave-s3-'));
  const s3 = await startLocalS3({ directory, bucket: 'airwave-test' });
  return {
    ...s3,
    env: {
      STORAGE_ENDPOINT: s3.endpoint,
      STORAGE_BUCKET: s3.bucket,
      STORAGE_ACCESS_KEY_ID: 'S3RVER',
      STORAGE_SECRET_ACCESS_KEY: 'S3RVER',
    },
    async close() {
      await s3.close();
      await rm(directory, { recursive: true, force: true });
    },
  };
}
