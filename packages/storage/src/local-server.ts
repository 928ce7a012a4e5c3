// The embedded S3-compatible server for `npm run up` and tests (DESIGN.md §7): s3rver on loopback,
// its bucket served over plain HTTP with CORS, so it is also the local CDN.
import type { AddressInfo } from 'node:net';
import S3rver from 's3rver';

const CORS = `<CORSConfiguration>
  <CORSRule>
    <AllowedOrigin>*</AllowedOrigin>
    <AllowedMethod>GET</AllowedMethod>
    <AllowedMethod>HEAD</AllowedMethod>
    <AllowedHeader>*</AllowedHeader>
    <MaxAgeSeconds>3000</MaxAgeSeconds>
  </CORSRule>
</CORSConfiguration>`;

export interface LocalS3 {
  endpoint: string;
  bucket: string;
  /** Plain-HTTP base of the bucket: the local CDN_BASE_URL. */
  cdnBaseUrl: string;
  /** Every object written (PUT, multipart completion, copy): benches count S3 requests and bytes. */
  onObjectCreated(listener: (key: string, size: number) => void): void;
  /** Stops answering (fault tests: the storage is down), keeping its data and port. */
  pause(): Promise<void>;
  /** Serves again on the same port, with the same data. */
  resume(): Promise<void>;
  close(): Promise<void>;
}

export async function startLocalS3(opts: { directory: string; bucket: string; port?: number; host?: string }): Promise<LocalS3> {
  const host = opts.host ?? '127.0.0.1';
  const listeners: ((key: string, size: number) => void)[] = [];
  const start = async (port: number) => {
    const s = new S3rver({
      address: host,
      port,
      directory: opts.directory,
      silent: true,
      configureBuckets: [{ name: opts.bucket, configs: [CORS] }],
    });
    // s3rver emits S3 event notifications: { Records: [{ eventName, s3: { object: { key, size } } }] }.
    s.on('event', (event: { Records?: { eventName: string; s3: { object: { key: string; size?: number } } }[] }) => {
      for (const r of event.Records ?? []) {
        if (r.eventName.startsWith('ObjectCreated')) for (const l of listeners) l(decodeURIComponent(r.s3.object.key), r.s3.object.size ?? 0);
      }
    });
    const address = (await s.run()) as AddressInfo;
    return { server: s, port: address.port };
  };
  let { server, port } = await start(opts.port ?? 0);
  let running = true;
  // Stops at once: clients' keep-alive and in-flight connections are cut, not waited for (on Node 24
  // a client holding a connection open kept close() waiting forever).
  const stop = async () => {
    const closing = server.close();
    server.httpServer?.closeAllConnections();
    await closing;
  };
  const endpoint = `http://${host}:${port}`;
  return {
    endpoint,
    bucket: opts.bucket,
    cdnBaseUrl: `${endpoint}/${opts.bucket}`,
    onObjectCreated: (listener) => void listeners.push(listener),
    async pause() {
      if (!running) return;
      running = false;
      await stop();
    },
    async resume() {
      if (running) return;
      ({ server, port } = await start(port));
      running = true;
    },
    close: async () => {
      if (running) await stop();
      running = false;
    },
  };
}
