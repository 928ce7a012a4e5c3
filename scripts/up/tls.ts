// A self-signed certificate for local RTMPS. Encoders (ffmpeg, OBS) do not verify the server's
// certificate by default, so a local stack can offer rtmps:// without a CA. Production nodes get a
// real certificate through INGEST_TLS_CERT_FILE / INGEST_TLS_KEY_FILE.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import selfsigned from 'selfsigned';

export interface TlsFiles {
  certFile: string;
  keyFile: string;
}

/** The certificate in `dir`, made once (valid 10 years for localhost and 127.0.0.1). */
export async function ensureSelfSignedCert(dir: string, hosts: string[] = ['localhost', '127.0.0.1']): Promise<TlsFiles> {
  const files = { certFile: path.join(dir, 'ingest-cert.pem'), keyFile: path.join(dir, 'ingest-key.pem') };
  if (existsSync(files.certFile) && existsSync(files.keyFile)) return files;
  mkdirSync(dir, { recursive: true });
  const notAfterDate = new Date(Date.now() + 10 * 365 * 24 * 3600 * 1000);
  const pems = await selfsigned.generate([{ name: 'commonName', value: hosts[0]! }], {
    keySize: 2048,
    algorithm: 'sha256',
    notAfterDate,
    extensions: [
      {
        name: 'subjectAltName',
        altNames: hosts.map((h) => (/^[\d.]+$/.test(h) ? { type: 7, ip: h } : { type: 2, value: h })),
      },
    ],
  });
  writeFileSync(files.keyFile, pems.private, { mode: 0o600 });
  writeFileSync(files.certFile, pems.cert);
  return files;
}
