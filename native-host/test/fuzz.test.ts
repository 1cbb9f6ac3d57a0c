/**
 * 10,000 fuzzed frames against the real host: random bytes, bad lengths,
 * truncated frames, wrong JSON, random ops and fields. The host must survive,
 * answer every complete frame exactly once with a valid protocol answer, and
 * keep serving afterwards. Seeded, so a failure can be replayed.
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { MAX_INCOMING_FRAME_BYTES, NativeHostRequest } from '../../shared/protocol/native-host';
import { encodeFrame } from '../src/framing';
import { buildHost, HostProcess, removeScratch, tempDir } from './helpers/host-process';

const SEED = Number(process.env.FUZZ_SEED ?? 20250725);
const SESSIONS = 8;
const FRAMES_PER_SESSION = 1250;

/** mulberry32: small, fast, reproducible. */
function prng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (n: number) => Math.floor(next() * n);
  const pick = <T>(items: readonly T[]): T => items[int(items.length)] as T;
  const bytes = (n: number) => Uint8Array.from({ length: n }, () => int(256));
  return { next, int, pick, bytes };
}
type Rng = ReturnType<typeof prng>;

const OPS = NativeHostRequest.def.options.flatMap((o) => o.shape.op.def.values);

function junkValue(rng: Rng, depth = 0): unknown {
  switch (rng.int(depth > 2 ? 6 : 8)) {
    case 0:
      return rng.int(2) === 0 ? rng.int(1e6) - 5e5 : rng.next() * 1e12;
    case 1:
      return String.fromCharCode(...Array.from({ length: rng.int(40) }, () => rng.int(0x3000)));
    case 2:
      return rng.int(2) === 0;
    case 3:
      return null;
    case 4:
      return rng.pick(['', '.', '..', '/', '\0', 'work/../..', '/etc/passwd', 'a'.repeat(5000), -1, 1e308]);
    case 5:
      return 'aGVsbG8=';
    case 6:
      return Array.from({ length: rng.int(4) }, () => junkValue(rng, depth + 1));
    default:
      return Object.fromEntries(Array.from({ length: rng.int(4) }, (_, i) => [`k${i}`, junkValue(rng, depth + 1)]));
  }
}

function plausiblePath(rng: Rng, sandbox: string): string {
  return rng.pick([
    'work',
    'work/a.txt',
    'work/dir',
    'work/dir/b.txt',
    'work/new.txt',
    'work/../escape',
    `${sandbox}/root/a.txt`,
    `${sandbox}/outside/secret.txt`,
    '/etc/passwd',
    'nosuchroot/x',
    `work/${rng.int(1000)}.txt`,
    `work/dir/${rng.int(50)}`,
  ]);
}

/** Valid fields for each op, drawn at random; `randomRequest` then mutates some of them. */
function validFields(rng: Rng, sandbox: string, op: string): Record<string, unknown> {
  const p = () => plausiblePath(rng, sandbox);
  const transferId = rng.pick(['w0', 'search-1', `w${rng.int(4)}`]);
  switch (op) {
    case 'hello':
    case 'roots.list':
      return {};
    case 'roots.add':
      // Roots may only ever be added inside the sandbox, so random writes cannot reach real files.
      return {
        path: rng.pick([`${sandbox}/root/dir`, `${sandbox}/root`, 'relative']),
        mode: rng.pick(['read', 'read-write']),
      };
    case 'roots.remove':
      return { name: rng.pick(['work', 'dir', 'outside', 'nothing']) };
    case 'roots.update':
      return { name: rng.pick(['work', 'dir']), mode: rng.pick(['read', 'read-write']) };
    case 'list_dir':
      return { path: p(), limit: 1 + rng.int(5) };
    case 'stat':
      return { path: p() };
    case 'read_file':
      return rng.int(2) === 0
        ? { path: p(), offset: rng.int(10), length: 1 + rng.int(100) }
        : { path: p(), startLine: 1 + rng.int(3), encoding: rng.pick(['auto', 'utf8', 'base64']) };
    case 'write_file':
      return { path: p(), content: rng.pick(['hello\n', 'aGVsbG8=']), overwrite: rng.int(2) === 0 };
    case 'write.begin':
      return { path: p(), overwrite: rng.int(2) === 0 };
    case 'write.chunk':
      return { transferId, offset: rng.int(3) * 5, data: 'aGVsbG8=' };
    case 'write.commit':
    case 'write.abort':
    case 'cancel':
      return { transferId };
    case 'edit_file':
      return { path: p(), oldText: rng.pick(['hello', 'secret', 'x']), newText: 'bye' };
    case 'search':
      return { path: p(), nameGlob: rng.pick(['*.txt', '**/*', '[a-', '{a,b']), contentQuery: 'hello' };
    case 'move':
      return { from: p(), to: p(), overwrite: rng.int(2) === 0 };
    case 'make_dir':
      return { path: p(), recursive: rng.int(2) === 0 };
    case 'trash':
      return { paths: [p(), p()].slice(0, 1 + rng.int(2)) };
    case 'trash.list':
      return { limit: 1 + rng.int(10) };
    case 'trash.restore':
      return { entryId: rng.pick(['abc-123', 'x']), overwrite: rng.int(2) === 0 };
    case 'trash.purge':
      return { entryIds: ['abc-123'] };
    default:
      return { path: p() };
  }
}

/** A request that is valid or nearly so: a real op (sometimes not) with plausible, missing, junk or extra fields. */
function randomRequest(rng: Rng, sandbox: string, id: string): Record<string, unknown> {
  const op = rng.int(20) === 0 ? `op${rng.int(100)}` : rng.pick(OPS);
  const request: Record<string, unknown> = { id, op, ...validFields(rng, sandbox, op) };
  const keys = Object.keys(request).filter((k) => k !== 'id' && k !== 'op');
  const roll = rng.int(10);
  if (roll === 0 && keys.length > 0) delete request[rng.pick(keys)];
  else if (roll === 1 && keys.length > 0) request[rng.pick(keys)] = junkValue(rng);
  else if (roll === 2) request[`extra${rng.int(3)}`] = junkValue(rng);
  return request;
}

/** One complete frame of some kind. Returns the bytes; every one of them must be answered. */
function randomFrame(rng: Rng, sandbox: string, n: number): Buffer {
  const id = `f${n}`;
  const body = (text: string) => Buffer.from(text, 'utf8');
  const framed = (b: Uint8Array) => {
    const header = Buffer.alloc(4);
    header.writeUInt32LE(b.length, 0);
    return Buffer.concat([header, b]);
  };
  switch (rng.int(12)) {
    case 0:
      return framed(rng.bytes(1 + rng.int(300)));
    case 1:
      return framed(Buffer.from([0xc3, 0x28, 0xa0, 0xa1, 0xf0, 0x28, 0x8c, 0x28])); // invalid UTF-8
    case 2:
      return Buffer.alloc(4); // length 0
    case 3:
      return framed(body(JSON.stringify(junkValue(rng))));
    case 4:
      return framed(body(rng.pick(['{', '{"id":', 'nul', '[1,2', '{"id":"x","op":"hello"', '"\\ud800"', '{}{}'])));
    case 5:
      return framed(body(`${'['.repeat(3000)}${']'.repeat(3000)}`));
    case 6:
      return framed(body(JSON.stringify({ id: junkValue(rng), op: 'hello' })));
    case 7:
      return framed(body(JSON.stringify({ id, op: 'stat', path: `work/${'x/'.repeat(3000)}` })));
    default:
      return framed(body(JSON.stringify(randomRequest(rng, sandbox, id))));
  }
}

/** Sends bytes cut at random places, as a pipe might deliver them. */
function sendChopped(host: HostProcess, rng: Rng, bytes: Buffer): void {
  let at = 0;
  while (at < bytes.length) {
    const size = rng.int(4) === 0 ? 1 + rng.int(8) : 1 + rng.int(4096);
    host.sendRaw(bytes.subarray(at, at + size));
    at += size;
  }
}

function sandboxWithRoot(): string {
  const sandbox = tempDir('fuzz');
  fs.mkdirSync(path.join(sandbox, 'root', 'dir'), { recursive: true });
  fs.mkdirSync(path.join(sandbox, 'outside'));
  fs.writeFileSync(path.join(sandbox, 'root', 'a.txt'), 'hello\n');
  fs.writeFileSync(path.join(sandbox, 'outside', 'secret.txt'), 'secret\n');
  return sandbox;
}

describe('fuzzing the framing and the protocol', () => {
  it(`answers each of ${SESSIONS * FRAMES_PER_SESSION} fuzzed frames exactly once and survives (seed ${SEED})`, async () => {
    const bundle = buildHost();
    let framesSent = 0;
    let answersReceived = 0;
    const sessions = Array.from({ length: SESSIONS }, async (_, s) => {
      const rng = prng(SEED + s);
      const sandbox = sandboxWithRoot();
      const home = tempDir('fuzz-home');
      const host = new HostProcess(bundle, home);
      const added = await host.ok('roots.add', { path: path.join(sandbox, 'root'), mode: 'read-write', name: 'work' });
      expect(added.root.name).toBe('work');
      const before = host.answers.length;

      let expected = 0;
      const frames: Buffer[] = [];
      for (let i = 0; i < FRAMES_PER_SESSION; i++) {
        frames.push(randomFrame(rng, sandbox, s * FRAMES_PER_SESSION + i));
        expected++;
      }
      sendChopped(host, rng, Buffer.concat(frames));
      // Still alive and answering properly after all of that.
      const alive = await host.call('hello', {});
      expected++;
      expect(alive.ok).toBe(true);

      // How the session ends: cleanly, inside a frame, or after an over-long length.
      const ending = s % 3;
      if (ending === 1) {
        const partial = encodeFrame({ id: 'cut', op: 'hello' });
        host.sendRaw(partial.subarray(0, 4 + rng.int(partial.length - 5)));
        expected++; // answered at end of input as a truncated frame
      } else if (ending === 2) {
        const header = Buffer.alloc(4);
        header.writeUInt32LE(MAX_INCOMING_FRAME_BYTES + 1 + rng.int(1000), 0);
        host.sendRaw(header);
        expected++; // answered at once with too_large
      }
      const code = await host.close();
      expect(code).toBe(0);
      expect(host.badFrames).toBe(0);
      expect(host.answers.length - before).toBe(expected);
      expect(fs.readFileSync(path.join(sandbox, 'outside', 'secret.txt'), 'utf8')).toBe('secret\n');
      expect(fs.readdirSync(path.join(sandbox, 'outside'))).toEqual(['secret.txt']);
      if (process.env.FUZZ_HISTOGRAM) {
        const hist: Record<string, number> = {};
        for (const a of host.answers) {
          const key = a.ok ? 'ok' : a.error.code;
          hist[key] = (hist[key] ?? 0) + 1;
        }
        console.log(`session ${s}`, JSON.stringify(hist));
      }
      framesSent += expected;
      answersReceived += host.answers.length - before;
    });
    await Promise.all(sessions);
    expect(answersReceived).toBe(framesSent);
    expect(framesSent).toBeGreaterThan(SESSIONS * FRAMES_PER_SESSION);
  });

  it('skips an over-long frame without buffering it and finds the next frame', async () => {
    const host = new HostProcess(buildHost(), tempDir('fuzz-home'));
    const length = MAX_INCOMING_FRAME_BYTES + 7;
    const header = Buffer.alloc(4);
    header.writeUInt32LE(length, 0);
    host.sendRaw(header);
    const junk = Buffer.alloc(1024 * 1024, 0x5a);
    for (let sent = 0; sent < length; sent += junk.length)
      host.sendRaw(junk.subarray(0, Math.min(junk.length, length - sent)));
    const after = await host.call('hello', {});
    expect(after.ok).toBe(true);
    expect(host.answers[0]).toMatchObject({ id: null, ok: false, error: { code: 'too_large' } });
    expect(await host.close()).toBe(0);
  });
});

afterAll(() => {
  removeScratch();
});
