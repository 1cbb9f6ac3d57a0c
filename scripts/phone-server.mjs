#!/usr/bin/env node
/**
 * Serves the phone page and a PeerJS signaling server on this computer's LAN address, so a phone on
 * the same network can pair with Tandem (`npm start` calls `startPhoneServer`; run this file on its
 * own to serve just the phone side: `node scripts/phone-server.mjs [--port 5180] [--signaling-port 9000]`).
 *
 * Plain http on a LAN: fine for trying Tandem at home, since the pairing secret never leaves the
 * QR code and every frame is encrypted end to end, but anyone on the network could serve a modified
 * page to your phone. For daily use host phone-web/dist on HTTPS (see phone-web/README.md).
 * Only Node built-ins are imported up front; `peer` and `vite` are loaded when needed.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { createServer } from 'node:http';
import { networkInterfaces } from 'node:os';
import { extname, join, resolve, sep } from 'node:path';
import { pathToFileURL } from 'node:url';

const root = resolve(import.meta.dirname, '..');
const dist = join(root, 'phone-web', 'dist');
const SIGNALING_PATH = '/tandem';
const TYPES = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.webmanifest': 'application/manifest+json',
  '.png': 'image/png',
  '.json': 'application/json',
  '.svg': 'image/svg+xml',
};

/** The first non-internal IPv4 address (what a phone on the same Wi-Fi can reach), or 127.0.0.1. */
export function lanAddress() {
  for (const addresses of Object.values(networkInterfaces())) {
    for (const address of addresses ?? []) {
      if (address.family === 'IPv4' && !address.internal) return address.address;
    }
  }
  return '127.0.0.1';
}

export function buildPhonePage() {
  const result = spawnSync(
    'npx',
    ['vite', 'build', '--config', join(root, 'phone-web', 'vite.config.ts'), '--logLevel', 'warn'],
    {
      cwd: root,
      stdio: 'inherit',
    },
  );
  if (result.status !== 0) throw new Error('The phone page did not build.');
}

function serveStatic(port, host) {
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url ?? '/', 'http://localhost').pathname);
    const file = resolve(dist, `.${path.endsWith('/') ? `${path}index.html` : path}`);
    if (!(file === dist || file.startsWith(dist + sep)) || !existsSync(file)) {
      res.writeHead(404).end('Not found');
      return;
    }
    res.writeHead(200, {
      'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
      'referrer-policy': 'no-referrer',
    });
    res.end(readFileSync(file));
  });
  return new Promise((done, fail) => {
    server.once('error', fail);
    server.listen(port, host, () => done(server));
  });
}

/**
 * Builds (unless `build: false`) and serves the phone page, and starts a signaling server.
 * Returns the phone page URL and the signaling settings to store with `link.settings.update`.
 */
export async function startPhoneServer(options = {}) {
  const host = options.host ?? lanAddress();
  const port = options.port ?? 5180;
  const signalingPort = options.signalingPort ?? 9000;
  if (options.build !== false) buildPhonePage();
  const { PeerServer } = await import('peer');
  const web = await serveStatic(port, '0.0.0.0');
  const signalingServer = await new Promise((done, fail) => {
    const app = PeerServer({ port: signalingPort, host: '0.0.0.0', path: SIGNALING_PATH }, (server) => done(server));
    app.on('error', fail);
  });
  const phonePageUrl = `http://${host}:${port}/`;
  return {
    phonePageUrl,
    signaling: { host, port: signalingPort, path: SIGNALING_PATH, secure: false },
    async close() {
      await Promise.all([
        new Promise((done) => web.close(() => done())),
        new Promise((done) => {
          signalingServer.closeAllConnections?.();
          signalingServer.close(() => done());
        }),
      ]);
    },
  };
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const args = process.argv.slice(2);
  const value = (name, fallback) => {
    const at = args.indexOf(name);
    return at >= 0 && args[at + 1] ? Number(args[at + 1]) : fallback;
  };
  const served = await startPhoneServer({
    port: value('--port', 5180),
    signalingPort: value('--signaling-port', 9000),
  });
  console.log(`Phone page:        ${served.phonePageUrl}`);
  console.log(`Signaling server:  ws://${served.signaling.host}:${served.signaling.port}${served.signaling.path}`);
  console.log('In Tandem: Settings → Phone, set these (npm start does it for you), then "Pair a phone".');
  process.on('SIGINT', () => void served.close().then(() => process.exit(0)));
}
