/**
 * What the rig's "internet" namespace serves, started inside it (`ip netns exec … tsx`): the real
 * PeerJS signaling server and a static host for the phone page's build, both on 198.19.0.1.
 * Prints one JSON line with their ports, then runs until killed.
 */
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, resolve } from 'node:path';
import { startSignalingServer } from '../fixtures/signaling';

const HOST = '198.19.0.1';
const root = resolve(process.argv[2] ?? '');
const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.webmanifest': 'application/manifest+json',
  '.png': 'image/png',
  '.json': 'application/json',
};

const signaling = await startSignalingServer({ host: HOST });
const page = createServer((req, res) => {
  const path = decodeURIComponent(new URL(req.url ?? '/', `http://${HOST}`).pathname);
  const file = resolve(root, `.${path.endsWith('/') ? `${path}index.html` : path}`);
  if (!file.startsWith(root) || !existsSync(file)) {
    res.writeHead(404).end();
    return;
  }
  res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' }).end(readFileSync(file));
});
await new Promise<void>((done) => page.listen(0, HOST, () => done()));
console.log(
  JSON.stringify({ signaling: signaling.settings, pageUrl: `http://${HOST}:${(page.address() as AddressInfo).port}/` }),
);
process.on('SIGTERM', () => process.exit(0));
await new Promise(() => {});
