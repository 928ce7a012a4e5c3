// Webhook and simulcast URLs are fetched by our servers, so by default they may not point inside
// our network (SSRF). A local stack sets ALLOW_PRIVATE_TARGETS so developers can use localhost;
// cloud metadata endpoints are refused always.
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { lookup } from 'node:dns/promises';
import { BlockList, isIP, type IPVersion } from 'node:net';

const alwaysBlocked = new BlockList();
alwaysBlocked.addAddress('169.254.169.254', 'ipv4');
alwaysBlocked.addAddress('fd00:ec2::254', 'ipv6');

const privateRanges = new BlockList();
for (const [net, bits] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const) {
  privateRanges.addSubnet(net, bits, 'ipv4');
}
for (const [net, bits] of [
  ['::', 128],
  ['::1', 128],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
] as const) {
  privateRanges.addSubnet(net, bits, 'ipv6');
}

export type TargetVerdict = { ok: true } | { ok: false; reason: string };

function checkAddress(address: string, allowPrivate: boolean): TargetVerdict {
  const family: IPVersion = isIP(address) === 6 ? 'ipv6' : 'ipv4';
  // An IPv4-mapped IPv6 address is judged as the IPv4 address it carries.
  const mapped = family === 'ipv6' ? /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1] : undefined;
  const [addr, fam]: [string, IPVersion] = mapped ? [mapped, 'ipv4'] : [address, family];
  if (alwaysBlocked.check(addr, fam)) return { ok: false, reason: `${address} is a cloud metadata address` };
  if (!allowPrivate && privateRanges.check(addr, fam)) {
    return { ok: false, reason: `${address} is a private or loopback address` };
  }
  return { ok: true };
}

/** Resolves the URL's host and refuses it when any address it resolves to is not allowed. */
export async function checkTargetUrl(url: string, allowPrivate: boolean): Promise<TargetVerdict> {
  let host: string;
  try {
    host = new URL(url).hostname.replace(/^\[|\]$/g, '');
  } catch {
    return { ok: false, reason: 'not a valid URL' };
  }
  let addresses: string[];
  try {
    addresses = isIP(host) ? [host] : (await lookup(host, { all: true })).map((a) => a.address);
  } catch {
    return { ok: false, reason: `cannot resolve ${host}` };
  }
  for (const address of addresses) {
    const verdict = checkAddress(address, allowPrivate);
    if (!verdict.ok) return verdict;
  }
  return { ok: true };
}

type LookupCallback = (err: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;
type Resolver = (hostname: string, cb: (err: NodeJS.ErrnoException | null, addresses: LookupAddress[]) => void) => void;

const systemResolver: Resolver = (hostname, cb) => dnsLookup(hostname, { all: true }, cb);

/**
 * A `lookup` for the socket that connects: every address the name resolves to *at connection time*
 * is checked, so a name that resolved to a public address when it was saved (or a moment ago) and
 * now resolves inside our network (DNS rebinding) is refused. `resolve` is replaceable for tests.
 */
export function guardedLookup(allowPrivate: boolean, resolve: Resolver = systemResolver) {
  return (hostname: string, options: { all?: boolean }, callback: LookupCallback): void => {
    resolve(hostname, (err, addresses) => {
      if (err) return callback(err, []);
      for (const a of addresses) {
        const verdict = checkAddress(a.address, allowPrivate);
        if (!verdict.ok) return callback(Object.assign(new Error(`refused: ${verdict.reason}`), { code: 'ETARGETREFUSED' }), []);
      }
      if (options.all) return callback(null, addresses);
      const first = addresses[0];
      if (!first) return callback(Object.assign(new Error(`cannot resolve ${hostname}`), { code: 'ENOTFOUND' }), []);
      callback(null, first.address, first.family);
    });
  };
}
