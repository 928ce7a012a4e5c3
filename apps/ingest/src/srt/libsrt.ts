// The few calls of Haivision's libsrt (the C library ffmpeg and OBS use) that an SRT listener
// needs, bound with koffi. Debian's ffmpeg depends on libsrt, so wherever our ffmpeg is installed the
// library is too. Every call here is non-blocking: the listener polls an SRT epoll set.
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

// srt.h (libsrt 1.5)
const SRTO_RCVSYN = 2;
const SRTO_LATENCY = 23;
const SRTO_PASSPHRASE = 26;
const SRTO_STREAMID = 46;
export const SRT_EPOLL_IN = 0x1;
export const SRT_EPOLL_ERR = 0x8;
/** "Nothing to read now" from a non-blocking socket. */
export const SRT_EASYNCRCV = 6002;
const LOG_CRIT = 2;

const CANDIDATES = ['libsrt-gnutls.so.1.5', 'libsrt-openssl.so.1.5', 'libsrt.so.1.5', 'libsrt.so.1', 'libsrt.so'];

export interface LibSrt {
  createListener(host: string, port: number, opts: { passphrase?: string; latencyMs?: number }): number;
  accept(listener: number): { socket: number; address: string } | undefined;
  streamId(socket: number): string;
  /** Bytes of one message into `buf`; 0 when nothing is waiting; -1 when the connection is gone. */
  recv(socket: number, buf: Buffer): number;
  close(socket: number): void;
  epollCreate(): number;
  epollAdd(eid: number, socket: number, events: number): void;
  epollRemove(eid: number, socket: number): void;
  /** Sockets with events now (never waits). */
  epollReady(eid: number, max?: number): { socket: number; events: number }[];
  lastError(): string;
}

function ipv4Sockaddr(host: string, port: number): Buffer {
  const addr = Buffer.alloc(16);
  addr.writeUInt16LE(2, 0); // AF_INET
  addr.writeUInt16BE(port, 2);
  const octets = host.split('.').map(Number);
  if (octets.length !== 4 || octets.some((o) => !(o >= 0 && o <= 255))) throw new Error(`SRT listens on IPv4 addresses only, not '${host}'`);
  addr.set(octets, 4);
  return addr;
}

const int32 = (v: number) => {
  const b = Buffer.alloc(4);
  b.writeInt32LE(v);
  return b;
};

/** Loads libsrt, or answers why it cannot (the ingest then serves RTMP only). */
export function loadLibSrt(path?: string): LibSrt | Error {
  let koffi: typeof import('koffi');
  try {
    koffi = require('koffi');
  } catch (err) {
    return new Error(`koffi is not usable: ${(err as Error).message}`);
  }
  let lib: ReturnType<typeof koffi.load> | undefined;
  const tried: string[] = [];
  for (const name of path ? [path] : CANDIDATES) {
    try {
      lib = koffi.load(name);
      break;
    } catch (err) {
      tried.push(`${name}: ${(err as Error).message}`);
    }
  }
  if (!lib) return new Error(`libsrt not found (${tried.join('; ')})`);

  const f = {
    startup: lib.func('int srt_startup()'),
    setloglevel: lib.func('void srt_setloglevel(int)'),
    create: lib.func('int srt_create_socket()'),
    setflag: lib.func('int srt_setsockflag(int, int, const void *, int)'),
    getflag: lib.func('int srt_getsockflag(int, int, _Out_ uint8_t *, _Inout_ int *)'),
    bind: lib.func('int srt_bind(int, const void *, int)'),
    listen: lib.func('int srt_listen(int, int)'),
    accept: lib.func('int srt_accept(int, _Out_ uint8_t *, _Inout_ int *)'),
    recvmsg: lib.func('int srt_recvmsg(int, _Out_ uint8_t *, int)'),
    close: lib.func('int srt_close(int)'),
    lasterror: lib.func('int srt_getlasterror(void *)'),
    lasterrorStr: lib.func('const char *srt_getlasterror_str()'),
    epollCreate: lib.func('int srt_epoll_create()'),
    epollAdd: lib.func('int srt_epoll_add_usock(int, int, const int *)'),
    epollRemove: lib.func('int srt_epoll_remove_usock(int, int)'),
    epollUwait: lib.func('int srt_epoll_uwait(int, _Out_ uint8_t *, int, int64_t)'),
  };
  if (f.startup() < 0) return new Error(`srt_startup failed: ${f.lasterrorStr()}`);
  // libsrt logs every non-blocking "nothing yet" as an error on stderr otherwise.
  f.setloglevel(LOG_CRIT);
  const check = (rc: number, what: string) => {
    if (rc < 0) throw new Error(`${what}: ${f.lasterrorStr()}`);
    return rc;
  };

  return {
    createListener(host, port, opts) {
      const s = check(f.create(), 'srt_create_socket');
      check(f.setflag(s, SRTO_RCVSYN, int32(0), 4), 'SRTO_RCVSYN');
      if (opts.latencyMs !== undefined) check(f.setflag(s, SRTO_LATENCY, int32(opts.latencyMs), 4), 'SRTO_LATENCY');
      if (opts.passphrase) {
        const p = Buffer.from(opts.passphrase);
        check(f.setflag(s, SRTO_PASSPHRASE, p, p.length), 'SRTO_PASSPHRASE');
      }
      check(f.bind(s, ipv4Sockaddr(host, port), 16), `srt_bind ${host}:${port}`);
      check(f.listen(s, 64), 'srt_listen');
      return s;
    },
    accept(listener) {
      const addr = Buffer.alloc(128);
      const len = [128];
      const s = f.accept(listener, addr, len);
      if (s < 0) return undefined;
      const address = addr.readUInt16LE(0) === 2 ? `${addr[4]}.${addr[5]}.${addr[6]}.${addr[7]}` : 'unknown';
      return { socket: s, address };
    },
    streamId(socket) {
      const buf = Buffer.alloc(512);
      const len = [512];
      return f.getflag(socket, SRTO_STREAMID, buf, len) < 0 ? '' : buf.subarray(0, len[0]).toString('utf8');
    },
    recv(socket, buf) {
      const n = f.recvmsg(socket, buf, buf.length);
      if (n > 0) return n;
      return f.lasterror(null) === SRT_EASYNCRCV ? 0 : -1;
    },
    close(socket) {
      f.close(socket);
    },
    epollCreate: () => check(f.epollCreate(), 'srt_epoll_create'),
    epollAdd(eid, socket, events) {
      check(f.epollAdd(eid, socket, [events]), 'srt_epoll_add_usock');
    },
    epollRemove(eid, socket) {
      f.epollRemove(eid, socket);
    },
    epollReady(eid, max = 256) {
      const buf = Buffer.alloc(8 * max); // SRT_EPOLL_EVENT { SRTSOCKET fd; int events; }
      const n = f.epollUwait(eid, buf, max, 0); // -1 also when the set is empty
      const out: { socket: number; events: number }[] = [];
      for (let i = 0; i < Math.min(n, max); i++) out.push({ socket: buf.readInt32LE(i * 8), events: buf.readInt32LE(i * 8 + 4) });
      return out;
    },
    lastError: () => String(f.lasterrorStr()),
  };
}
