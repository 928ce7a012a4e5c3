// npm run webhooks:listen -- <whsec_secret> [port]
// A local endpoint for trying webhooks: verifies each delivery's Standard Webhooks signature and
// prints the event. Point a webhook at http://127.0.0.1:<port>/ (default 4999).
import { createServer } from 'node:http';
import { Webhook } from 'standardwebhooks';

const [secret, portArg] = process.argv.slice(2);
if (!secret?.startsWith('whsec_')) {
  console.error('usage: npm run webhooks:listen -- <whsec_…secret shown when the webhook was created> [port]');
  process.exit(2);
}
const port = Number(portArg ?? 4999);
const verifier = new Webhook(secret);

createServer((req, res) => {
  const chunks: Buffer[] = [];
  req.on('data', (c: Buffer) => chunks.push(c));
  req.on('end', () => {
    const body = Buffer.concat(chunks).toString('utf8');
    try {
      const event = verifier.verify(body, req.headers as Record<string, string>) as { type: string; data: { id?: string; status?: string } };
      console.log(`verified  ${req.headers['webhook-id']}  ${event.type}  ${event.data.id ?? ''} ${event.data.status ?? ''}`);
      res.writeHead(204).end();
    } catch (err) {
      console.log(`REJECTED  ${req.headers['webhook-id'] ?? '-'}  ${(err as Error).message}`);
      res.writeHead(400).end();
    }
  });
}).listen(port, '127.0.0.1', () => console.log(`listening on http://127.0.0.1:${port}/`));
