// The part of s3rver 3's API we use (it ships no types).
declare module 's3rver' {
  interface S3rverOptions {
    address?: string;
    port?: number;
    directory?: string;
    silent?: boolean;
    resetOnClose?: boolean;
    configureBuckets?: { name: string; configs?: (string | Buffer)[] }[];
  }
  export default class S3rver {
    constructor(options: S3rverOptions);
    run(): Promise<import('node:net').AddressInfo>;
    close(): Promise<void>;
    /** The listening server, once run() resolved. */
    httpServer?: import('node:http').Server;
    /** S3 event notifications (it is a Koa app, an EventEmitter). */
    on(event: 'event', listener: (event: any) => void): this;
  }
}
