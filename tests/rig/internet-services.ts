/**
 * What the rig's "internet" namespace serves, started inside it (`ip netns exec … tsx`): the real
 * PeerJS signaling server and a static host for the phone page's build, both on 198.19.0.1 and
 * both over TLS with the run's test CA (test-ca.ts), as a hosted page and its signaling server
 * are: an HTTPS page may not open a plain ws:// socket to another host (mixed content).
 * Arguments: the phone page's build folder, the server certificate and its key (PEM files).
 * Prints one JSON line with their ports, then runs until killed.
 */
import { existsSync, readFileSync } from 'node:fs';
import type { Server } from 'node:http';
import { createServer } from 'node:https';
import type { AddressInfo } from 'node:net';
import { extname, resolve } from 'node:path';
import { PeerServer } from 'peer';

const HOST = '198.19.0.1';
const [dist, certPath, keyPath] = process.argv.slice(2);
if (!dist || !certPath || !keyPath) throw new Error('usage: internet-services.ts DIST CERT KEY');
const root = resolve(dist);
const tls = { cert: readFileSync(certPath, 'utf8'), key: readFileSync(keyPath, 'utf8') };
const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.webmanifest': 'application/manifest+json',
  '.png': 'image/png',
  '.json': 'application/json',
};

const signaling = await new Promise<Server>((done, fail) => {
  const app = PeerServer({ port: 0, host: HOST, path: '/tandem', alive_timeout: 60_000, ssl: tls }, (server) =>
    done(server),
  );
  app.on('error', (error: Error) => fail(error));
});
const page = createServer(tls, (req, res) => {
  const path = decodeURIComponent(new URL(req.url ?? '/', `https://${HOST}`).pathname);
  const file = resolve(root, `.${path.endsWith('/') ? `${path}index.html` : path}`);
  if (!file.startsWith(root) || !existsSync(file)) {
    res.writeHead(404).end();
    return;
  }
  res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream' }).end(readFileSync(file));
});
await new Promise<void>((done) => page.listen(0, HOST, () => done()));
const port = (server: { address(): unknown }) => (server.address() as AddressInfo).port;
console.log(
  JSON.stringify({
    signaling: { host: HOST, port: port(signaling), path: '/tandem', secure: true },
    pageUrl: `https://${HOST}:${port(page)}/`,
  }),
);
process.on('SIGTERM', () => process.exit(0));
await new Promise(() => {});
