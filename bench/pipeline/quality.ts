// Full-reference quality of each encoded rung: SSIM and PSNR (ffmpeg's filters; Debian's ffmpeg
// has no libvmaf) of the rung's frames against the decoded source scaled to the rung's size with
// lanczos, so a cheaper scaler in the ladder shows up as a lower score. One ffmpeg decodes the
// source once and every rung's playlist.
import { spawn } from 'node:child_process';
import path from 'node:path';
import type { Rung } from '../../apps/worker/src/transcode/ladder.js';

export interface Score {
  ssim: number;
  psnr: number;
}

export function scoreRungs(source: string, outputDir: string, rungs: Rung[]): Promise<Map<string, Score>> {
  const encoded = rungs.filter((r) => !r.copy);
  if (encoded.length === 0) return Promise.resolve(new Map());
  const inputs = encoded.flatMap((r) => ['-i', path.join(outputDir, r.name, 'index.m3u8')]);
  const refs = encoded.map((_, k) => `[ref${k}]`).join('');
  const graph = [
    `[${encoded.length}:v]setpts=PTS-STARTPTS,split=${encoded.length}${refs}`,
    ...encoded.map((r, k) =>
      [
        `[${k}:v]setpts=PTS-STARTPTS,split[d${k}a][d${k}b]`,
        `[ref${k}]scale=${r.width}:${r.height}:flags=lanczos,setsar=1,split[r${k}a][r${k}b]`,
        `[d${k}a][r${k}a]ssim@${r.name}`,
        `[d${k}b][r${k}b]psnr@${r.name}`,
      ].join(';'),
    ),
  ].join(';');
  const child = spawn('ffmpeg', ['-hide_banner', '-nostdin', ...inputs, '-i', source, '-lavfi', graph, '-f', 'null', '-']);
  let log = '';
  child.stderr.on('data', (d: Buffer) => (log += d.toString()));
  return new Promise((resolve, reject) => {
    child.once('exit', () => {
      const scores = new Map<string, Score>();
      for (const r of encoded) {
        const ssim = new RegExp(`\\[ssim@${r.name} @ [^\\]]+\\] SSIM .*All:([\\d.]+)`).exec(log);
        const psnr = new RegExp(`\\[psnr@${r.name} @ [^\\]]+\\] PSNR .*average:([\\d.]+|inf)`).exec(log);
        if (!ssim || !psnr) return reject(new Error(`no score for ${r.name}: ${log.slice(-500)}`));
        scores.set(r.name, { ssim: Number(ssim[1]), psnr: psnr[1] === 'inf' ? Infinity : Number(psnr[1]) });
      }
      resolve(scores);
    });
  });
}
