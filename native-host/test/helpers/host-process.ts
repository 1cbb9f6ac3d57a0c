/**
 * Test harness: builds the real host bundle with the real build script and talks
 * to it over stdio in native messaging frames, exactly as a browser does.
 */
import { type ChildProcessWithoutNullStreams, execFileSync, spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CHROME_EXTENSION_ID } from '../../../shared/extension-identity';
import {
  type NativeHostErrorCode,
  type NativeHostOp,
  type NativeHostRequestInputOf,
  NativeHostResponse,
  type NativeHostResultOf,
  NativeHostResults,
} from '../../../shared/protocol/native-host';
import { encodeFrame, FrameDecoder } from '../../src/framing';

const here = path.dirname(fileURLToPath(import.meta.url));
export const REPO_ROOT = path.resolve(here, '..', '..', '..');
export const CHROME_ORIGIN = `chrome-extension://${CHROME_EXTENSION_ID}/`;

let built: string | null = null;
let scratch: string | null = null;

/** One scratch folder per test file; everything a test creates goes below it. */
function scratchDir(): string {
  scratch ??= fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'tandem-host-test-')));
  return scratch;
}

/** Removes the scratch folder (call from afterAll, after the hosts are closed). */
export function removeScratch(): void {
  if (scratch) fs.rmSync(scratch, { recursive: true, force: true });
  scratch = null;
  built = null;
}

/** Builds the host once per test file (each file runs in its own worker) into a private temp file. */
export function buildHost(): string {
  if (built) return built;
  const outfile = path.join(tempDir('build'), 'tandem-host.mjs');
  execFileSync(process.execPath, [path.join(REPO_ROOT, 'native-host', 'build.mjs'), '--outfile', outfile], {
    cwd: REPO_ROOT,
    stdio: 'pipe',
  });
  built = outfile;
  return outfile;
}

export function tempDir(prefix: string): string {
  return fs.mkdtempSync(path.join(scratchDir(), `${prefix}-`));
}

export type Answer = NativeHostResponse;

export interface HostOptions {
  args?: string[];
  env?: Record<string, string>;
  /** Wraps the command, e.g. ['sh', '-c', 'ulimit -f 8 && exec "$0" "$@"']. */
  wrapper?: string[];
  /** Runs the host as this user (the cross-device rig, as root, runs it unprivileged so permissions bite). */
  user?: { uid: number; gid: number };
}

export class HostProcess {
  readonly child: ChildProcessWithoutNullStreams;
  readonly answers: Answer[] = [];
  stderr = '';
  private readonly decoder = new FrameDecoder(64 * 1024 * 1024);
  private readonly waiting = new Map<string, (answer: Answer) => void>();
  private nextId = 0;
  readonly exited: Promise<number | null>;
  badFrames = 0;

  constructor(bundle: string, hostHome: string, options: HostOptions = {}) {
    const command = [process.execPath, bundle, ...(options.args ?? [CHROME_ORIGIN])];
    const [file, ...args] = options.wrapper ? [...options.wrapper, ...command] : command;
    this.child = spawn(file as string, args, {
      env: { PATH: process.env.PATH ?? '', HOME: hostHome, TANDEM_HOST_HOME: hostHome, ...options.env },
      stdio: ['pipe', 'pipe', 'pipe'],
      ...(options.user ?? {}),
    });
    this.child.stdin.on('error', () => undefined);
    this.child.stderr.on('data', (chunk: Buffer) => {
      this.stderr += chunk.toString('utf8');
    });
    this.child.stdout.on('data', (chunk: Buffer) => {
      for (const frame of this.decoder.push(chunk)) {
        if (frame.kind === 'error') {
          this.badFrames++;
          continue;
        }
        const answer = NativeHostResponse.parse(frame.value);
        this.answers.push(answer);
        if (answer.id !== null) {
          const resolve = this.waiting.get(answer.id);
          if (resolve) {
            this.waiting.delete(answer.id);
            resolve(answer);
          }
        }
      }
    });
    this.exited = new Promise((resolve) => this.child.on('exit', (code) => resolve(code)));
  }

  sendRaw(bytes: Uint8Array): void {
    this.child.stdin.write(bytes);
  }

  send(value: unknown): void {
    this.child.stdin.write(encodeFrame(value));
  }

  /** Sends a request and waits for its answer (any outcome). */
  call<Op extends NativeHostOp>(op: Op, fields: Omit<NativeHostRequestInputOf<Op>, 'id' | 'op'>): Promise<Answer> {
    const id = `t${this.nextId++}`;
    const answer = new Promise<Answer>((resolve) => this.waiting.set(id, resolve));
    this.send({ id, op, ...fields });
    return answer;
  }

  /** Sends several requests in one write, so the host reads them all at once (before it starts any). */
  callTogether<const R extends readonly { op: NativeHostOp; fields: Record<string, unknown> }[]>(
    requests: R,
  ): { [K in keyof R]: Promise<Answer> } {
    this.child.stdin.cork();
    const answers = requests.map(({ op, fields }) =>
      this.call(op, fields as Omit<NativeHostRequestInputOf<typeof op>, 'id' | 'op'>),
    );
    this.child.stdin.uncork();
    return answers as { [K in keyof R]: Promise<Answer> };
  }

  /** Sends a request that must succeed; returns its typed, schema-checked result. */
  async ok<Op extends NativeHostOp>(
    op: Op,
    fields: Omit<NativeHostRequestInputOf<Op>, 'id' | 'op'>,
  ): Promise<NativeHostResultOf<Op>> {
    const answer = await this.call(op, fields);
    if (!answer.ok) throw new Error(`${op} failed: ${answer.error.code}: ${answer.error.message}`);
    return NativeHostResults[op].parse(answer.result) as NativeHostResultOf<Op>;
  }

  /** Sends a request that must fail; returns the error code. */
  async fails<Op extends NativeHostOp>(
    op: Op,
    fields: Omit<NativeHostRequestInputOf<Op>, 'id' | 'op'>,
  ): Promise<NativeHostErrorCode> {
    const answer = await this.call(op, fields);
    if (answer.ok) throw new Error(`${op} unexpectedly succeeded: ${JSON.stringify(answer.result).slice(0, 300)}`);
    return answer.error.code;
  }

  async close(): Promise<number | null> {
    this.child.stdin.end();
    return this.exited;
  }

  kill(): void {
    this.child.kill('SIGKILL');
  }
}

/** A host with a fresh home and one read-write root; `root` is its real path, `name` its root name. */
export async function startHostWithRoot(
  bundle: string,
  options: HostOptions & { mode?: 'read' | 'read-write' } = {},
): Promise<{ host: HostProcess; home: string; root: string; name: string }> {
  const home = tempDir('home');
  const root = tempDir('root');
  const host = new HostProcess(bundle, home, options);
  const { root: added } = await host.ok('roots.add', { path: root, mode: options.mode ?? 'read-write', name: 'work' });
  return { host, home, root, name: added.name };
}

export function sha256(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}
