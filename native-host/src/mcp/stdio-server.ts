/**
 * One local MCP server: the configured program, spawned as the user (the host
 * already runs as the user: nothing here widens what Tandem can do, which is why
 * Settings says plainly that a local connector is outside the folder policy).
 * Its stdout is newline-delimited JSON-RPC (the MCP stdio transport), queued for
 * `mcp.recv`; its stderr goes to a per-connector log the user can read.
 */
import { type ChildProcess, spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { MAX_HOST_MESSAGE_BYTES } from '../../../shared/protocol/native-host';

export interface StdioLaunch {
  command: string;
  args: string[];
  env: Record<string, string>;
  cwd?: string;
}

export interface Exit {
  code: number | null;
  signal: string | null;
}

/** One batch of `mcp.recv` stays well under the 1 MiB answer cap. */
const BATCH_BYTES = 600 * 1024;
/** A single message larger than this cannot travel to the browser: it is answered with an error instead. */
const MAX_MESSAGE_BYTES = MAX_HOST_MESSAGE_BYTES - 64 * 1024;
/** A line longer than this (no newline yet) is a broken server: drop it rather than grow without bound. */
const MAX_LINE_BYTES = 16 * 1024 * 1024;
/** The log keeps about this much; older lines go. */
const LOG_KEEP_BYTES = 256 * 1024;
const KILL_GRACE_MS = 2000;

export class StdioServer {
  private readonly child: ChildProcess;
  private readonly queue: { message: unknown; bytes: number }[] = [];
  private waiter: (() => void) | undefined;
  private partial = '';
  exited: Exit | null = null;

  constructor(
    readonly launch: StdioLaunch,
    private readonly logFile: string,
  ) {
    fs.mkdirSync(path.dirname(logFile), { recursive: true, mode: 0o700 });
    this.log(`--- starting ${launch.command} ${launch.args.join(' ')}`);
    this.child = spawn(launch.command, launch.args, {
      cwd: launch.cwd,
      env: { ...process.env, ...launch.env },
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    this.child.stdout?.setEncoding('utf8');
    this.child.stdout?.on('data', (chunk: string) => this.onStdout(chunk));
    this.child.stderr?.setEncoding('utf8');
    this.child.stderr?.on('data', (chunk: string) => this.log(chunk.replace(/\n$/, '')));
    this.child.stdin?.on('error', () => undefined);
    this.child.on('error', (error) => {
      this.log(`--- could not start: ${error.message}`);
      this.markExited({ code: null, signal: null });
    });
    this.child.on('exit', (code, signal) => {
      this.log(`--- exited (code ${code}, signal ${signal})`);
      this.markExited({ code, signal });
    });
  }

  get pid(): number {
    return this.child.pid ?? -1;
  }

  send(message: Record<string, unknown>): void {
    this.child.stdin?.write(`${JSON.stringify(message)}\n`);
  }

  /** Messages waiting now, or the first to arrive within `waitMs`; then whether the program has exited. */
  async receive(waitMs: number): Promise<{ messages: unknown[]; exited: Exit | null }> {
    if (this.queue.length === 0 && this.exited === null && waitMs > 0) {
      // One poller at a time: a newer poll takes over and the older one answers empty.
      this.waiter?.();
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, waitMs);
        function done() {
          clearTimeout(timer);
          resolve();
        }
        this.waiter = done;
      });
      this.waiter = undefined;
    }
    const messages: unknown[] = [];
    let bytes = 0;
    while (this.queue.length > 0) {
      const next = this.queue[0] as { message: unknown; bytes: number };
      if (messages.length > 0 && bytes + next.bytes > BATCH_BYTES) break;
      this.queue.shift();
      messages.push(next.message);
      bytes += next.bytes;
    }
    return { messages, exited: this.queue.length === 0 ? this.exited : null };
  }

  stop(): Promise<void> {
    if (this.exited) return Promise.resolve();
    return new Promise((resolve) => {
      const kill = setTimeout(() => this.child.kill('SIGKILL'), KILL_GRACE_MS);
      this.child.once('exit', () => {
        clearTimeout(kill);
        resolve();
      });
      // Closing stdin is the MCP spec's polite stop; SIGTERM for a server that ignores it.
      this.child.stdin?.end();
      this.child.kill('SIGTERM');
    });
  }

  readLog(): string {
    try {
      return fs.readFileSync(this.logFile, 'utf8');
    } catch {
      return '';
    }
  }

  private markExited(exit: Exit): void {
    if (this.exited) return;
    this.exited = exit;
    this.waiter?.();
  }

  private onStdout(chunk: string): void {
    this.partial += chunk;
    let newline = this.partial.indexOf('\n');
    while (newline >= 0) {
      const line = this.partial.slice(0, newline).trim();
      this.partial = this.partial.slice(newline + 1);
      if (line) this.accept(line);
      newline = this.partial.indexOf('\n');
    }
    if (this.partial.length > MAX_LINE_BYTES) {
      this.log('--- dropped an over-long line from the server');
      this.partial = '';
    }
  }

  private accept(line: string): void {
    let message: unknown;
    try {
      message = JSON.parse(line);
    } catch {
      // Servers that print to stdout by mistake: keep it for the user, never pass it on.
      this.log(`[stdout, not JSON] ${line.slice(0, 2000)}`);
      return;
    }
    let bytes = Buffer.byteLength(line);
    if (bytes > MAX_MESSAGE_BYTES) {
      const id = typeof message === 'object' && message !== null ? (message as { id?: unknown }).id : undefined;
      this.log(`--- a message of ${bytes} bytes is over the native messaging limit`);
      if (id === undefined) return;
      message = {
        jsonrpc: '2.0',
        id,
        error: {
          code: -32603,
          message: `The server's answer (${bytes} bytes) is larger than Tandem can carry (1 MiB).`,
        },
      };
      bytes = 200;
    }
    this.queue.push({ message, bytes });
    this.waiter?.();
  }

  private log(text: string): void {
    try {
      const stat = fs.statSync(this.logFile, { throwIfNoEntry: false });
      if (stat && stat.size > 4 * LOG_KEEP_BYTES) {
        const kept = fs.readFileSync(this.logFile, 'utf8').slice(-LOG_KEEP_BYTES);
        fs.writeFileSync(this.logFile, kept, { mode: 0o600 });
      }
      fs.appendFileSync(this.logFile, `${new Date().toISOString()} ${text}\n`, { mode: 0o600 });
    } catch {
      // A log we cannot write must not stop the server.
    }
  }
}
