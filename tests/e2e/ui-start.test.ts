/**
 * `npm start -- --demo` as a person runs it: the launcher builds, starts the demo model and Chromium,
 * and when Tandem stops (SIGTERM to `npm start`, or the browser closing) nothing is left listening.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { connect } from 'node:net';
import { join, resolve } from 'node:path';
import { createInterface } from 'node:readline';
import { afterEach, describe, expect, it } from 'vitest';
import { makeSandbox } from './support/chromium';

const ROOT = resolve(import.meta.dirname, '../..');

interface Started {
  child: ChildProcess;
  demoUrl: string;
  output: string[];
}

let running: ChildProcess | undefined;
let sandbox: ReturnType<typeof makeSandbox> | undefined;

afterEach(() => {
  if (running?.exitCode === null) running.kill('SIGKILL');
  sandbox?.cleanup();
});

async function startTandem(): Promise<Started> {
  sandbox = makeSandbox('start');
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    HOME: join(sandbox.root, 'home'),
    TMPDIR: join(sandbox.root, 'tmp'),
    TANDEM_PROFILE: sandbox.profileDir,
  };
  delete env.DISPLAY;
  delete env.WAYLAND_DISPLAY;
  delete env.ANTHROPIC_API_KEY;
  const child = spawn(process.execPath, ['scripts/start.mjs', '--demo', '--no-phone'], {
    cwd: ROOT,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running = child;
  const output: string[] = [];
  child.stderr?.on('data', (chunk: Buffer) => output.push(chunk.toString()));
  const lines = createInterface({ input: child.stdout as NodeJS.ReadableStream });
  for await (const line of lines) {
    output.push(line);
    const demo = /Demo model at (http:\/\/\S+?)\s/.exec(`${line} `);
    if (demo?.[1]) {
      // Wait for the last line so the launcher is fully up before it is stopped.
      if (!output.some((l) => l.includes('Tandem is running'))) {
        for await (const next of lines) {
          output.push(next);
          if (next.includes('Tandem is running')) break;
        }
      }
      return { child, demoUrl: demo[1], output };
    }
  }
  throw new Error(`npm start did not start the demo model:\n${output.join('\n')}`);
}

function listening(url: string): Promise<boolean> {
  const { hostname, port } = new URL(url);
  return new Promise((done) => {
    const socket = connect({ host: hostname, port: Number(port) });
    socket.once('connect', () => {
      socket.destroy();
      done(true);
    });
    socket.once('error', () => done(false));
  });
}

function exited(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((done) => child.once('exit', (code) => done(code)));
}

/** The Chromium the launcher started (a direct child of its node process). */
function chromiumOf(pid: number): number[] {
  const ps = spawnSync('ps', ['-o', 'pid=,comm=', '--ppid', String(pid)], { encoding: 'utf8' });
  return ps.stdout
    .split('\n')
    .map((line) => line.trim().split(/\s+/))
    .filter(([, name]) => name?.includes('chrom'))
    .map(([id]) => Number(id));
}

describe('npm start', () => {
  it('stops the demo model server when it gets SIGTERM', async () => {
    const { child, demoUrl } = await startTandem();
    expect(await listening(demoUrl)).toBe(true);
    child.kill('SIGTERM');
    await exited(child);
    await expect.poll(() => listening(demoUrl), { timeout: 10_000 }).toBe(false);
  });

  it('stops the demo model server when the browser closes', async () => {
    const { child, demoUrl } = await startTandem();
    expect(await listening(demoUrl)).toBe(true);
    const browsers = chromiumOf(child.pid ?? 0);
    expect(browsers.length).toBeGreaterThan(0);
    for (const pid of browsers) process.kill(pid, 'SIGTERM');
    await exited(child);
    await expect.poll(() => listening(demoUrl), { timeout: 10_000 }).toBe(false);
  });
});
