// How WebRTC peers reach this process: host candidates on a UDP port range, optionally announced
// under a public address (1:1 NAT, a cloud VM's elastic IP), and STUN/TURN servers for the far side.
export interface IceServer {
  urls: string | string[];
  username?: string;
  credential?: string;
}

export interface WebRtcNetwork {
  /** Announced instead of the interface address in every host candidate (WEBRTC_PUBLIC_IP). */
  publicIp?: string;
  /** WEBRTC_UDP_PORT_MIN/MAX; undefined lets the OS choose. */
  portRange?: [number, number];
  /** WEBRTC_ICE_SERVERS: offered to clients in `Link` headers; also used by our side to gather. */
  iceServers: IceServer[];
}

/**
 * `WEBRTC_ICE_SERVERS`: a JSON array of RTCIceServer objects, or a comma-separated list of plain
 * `stun:`/`turn:` URLs (TURN credentials need the JSON form).
 */
export function parseIceServers(value: string | undefined): IceServer[] {
  const text = value?.trim();
  if (!text) return [];
  if (text.startsWith('[')) {
    const parsed = JSON.parse(text) as unknown;
    if (!Array.isArray(parsed)) throw new Error('WEBRTC_ICE_SERVERS must be a JSON array');
    return parsed.map((s: IceServer) => {
      const urls = Array.isArray(s.urls) ? s.urls : [s.urls];
      if (urls.length === 0 || !urls.every((u) => typeof u === 'string' && /^(stun|stuns|turn|turns):/.test(u))) {
        throw new Error('every WEBRTC_ICE_SERVERS entry needs urls starting with stun:, stuns:, turn: or turns:');
      }
      return { urls, ...(s.username ? { username: String(s.username) } : {}), ...(s.credential ? { credential: String(s.credential) } : {}) };
    });
  }
  return text.split(',').map((u) => {
    const url = u.trim();
    if (!/^(stun|stuns|turn|turns):/.test(url)) throw new Error(`WEBRTC_ICE_SERVERS: ${url} is not a stun: or turn: URL`);
    return { urls: [url] };
  });
}

/**
 * WHIP/WHEP (RFC 9725 §4.6) advertise ICE servers to the client in `Link` headers, so a page needs
 * no configuration of its own.
 */
export function iceServerLinks(servers: IceServer[]): string[] {
  const q = (s: string) => `"${s.replace(/["\\]/g, '')}"`;
  return servers.flatMap((s) =>
    (Array.isArray(s.urls) ? s.urls : [s.urls]).map((url) => {
      const creds = s.username && s.credential ? `; username=${q(s.username)}; credential=${q(s.credential)}; credential-type="password"` : '';
      return `<${url}>; rel="ice-server"${creds}`;
    }),
  );
}

/** Puts the announced address into the host candidates of an SDP (the browser sends there). */
export function announceAddress(sdp: string, publicIp: string | undefined): string {
  if (!publicIp) return sdp;
  const seen = new Set<string>();
  return sdp
    .split('\r\n')
    .filter((line) => {
      const m = /^a=candidate:(\S+) (\d) (udp|tcp) (\d+) (\S+) (\d+) typ host/i.exec(line);
      if (!m || m[5]!.includes(':')) return !m; // IPv6 host candidates are dropped when announcing an IPv4 address
      const key = `${m[2]} ${m[3]} ${m[6]}`;
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    })
    .map((line) => line.replace(/^(a=candidate:\S+ \d (?:udp|tcp) \d+ )(\S+)( \d+ typ host)/i, `$1${publicIp}$3`))
    .join('\r\n');
}
