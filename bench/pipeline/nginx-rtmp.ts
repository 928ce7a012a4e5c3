// The baseline of `npm run bench:latency`: nginx with Debian's libnginx-mod-rtmp writing HLS
// (`hls on`), the set-up self-hosters compare against. Installed by scripts/system-deps.mjs
// (nginx-rtmp) and run from a temp dir only for the benchmark.
import { spawn, spawnSync } from 'node:child_process';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';

const MODULE = '/usr/lib/nginx/modules/ngx_rtmp_module.so';

export interface NginxRtmp {
  rtmpUrl: string;
  playlistUrl: (key: string) => string;
  close: () => Promise<void>;
}

export async function startNginxRtmp(fragmentSeconds: number, rtmpPort: number, httpPort: number): Promise<NginxRtmp> {
  const installed = spawnSync(process.execPath, ['scripts/system-deps.mjs', 'nginx-rtmp'], { stdio: 'inherit' });
  if (installed.status !== 0) throw new Error('nginx with libnginx-mod-rtmp could not be installed');
  const dir = await mkdtemp(path.join(os.tmpdir(), 'airwave-nginx-rtmp-'));
  await mkdir(path.join(dir, 'hls'));
  const conf = `
load_module ${MODULE};
daemon off;
master_process off;
worker_processes 1;
pid ${dir}/nginx.pid;
error_log ${dir}/error.log warn;
events { worker_connections 256; }
rtmp {
  server {
    listen 127.0.0.1:${rtmpPort};
    application live {
      live on;
      hls on;
      hls_path ${dir}/hls;
      hls_fragment ${fragmentSeconds}s;
      hls_playlist_length ${fragmentSeconds * 6}s;
    }
  }
}
http {
  access_log off;
  client_body_temp_path ${dir}/body;
  proxy_temp_path ${dir}/proxy;
  fastcgi_temp_path ${dir}/fastcgi;
  uwsgi_temp_path ${dir}/uwsgi;
  scgi_temp_path ${dir}/scgi;
  types { application/vnd.apple.mpegurl m3u8; video/mp2t ts; }
  server {
    listen 127.0.0.1:${httpPort};
    location /hls/ { root ${dir}; add_header Cache-Control no-cache; }
  }
}
`;
  await writeFile(path.join(dir, 'nginx.conf'), conf);
  const child = spawn('nginx', ['-p', dir, '-c', path.join(dir, 'nginx.conf')], { stdio: 'ignore' });
  const exited = new Promise((r) => child.once('exit', r));
  for (let i = 0; i < 50; i++) {
    if (await fetch(`http://127.0.0.1:${httpPort}/hls/`).then(() => true, () => false)) break;
    await new Promise((r) => setTimeout(r, 100));
  }
  return {
    rtmpUrl: `rtmp://127.0.0.1:${rtmpPort}/live`,
    playlistUrl: (key) => `http://127.0.0.1:${httpPort}/hls/${key}.m3u8`,
    close: async () => {
      child.kill('SIGTERM');
      await exited;
      await rm(dir, { recursive: true, force: true });
    },
  };
}
