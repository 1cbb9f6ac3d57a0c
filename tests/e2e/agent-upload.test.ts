/**
 * File upload from an allowed folder (issue 10, item 9), end to end in real
 * Chromium: the built extension, the real native host installed into the test
 * profile, the scripted model driving upload_file on a local page. Each test
 * checks the page's own record of what it received (names, sizes, types and
 * the SHA-256 it computed from the bytes, read back through FormData) against
 * the files on disk, and the files' access times say whether anything was read.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readFileSync, realpathSync, statSync, truncateSync, utimesSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { ThreadEvent, ThreadEventOf } from '../../shared/protocol';
import type { Turn } from '../fixtures/model-server';
import { scriptState } from './support/agent-tasks';
import { buildHostInto, installHost } from './support/native-host';
import {
  answerPrompt,
  events,
  newThread,
  refFor,
  resultText,
  sendMessage,
  setSiteRule,
  startWebSession,
  toolResults,
  type WebSession,
  waitForKind,
} from './support/web-session';

let s: WebSession;
let work: string;
let outside: string;

interface Received {
  name: string;
  size: number;
  type: string;
  sha256: string;
}
interface UploadState {
  report: Received[];
  photos: Received[];
  avatar: Received[];
  dropped: Received[];
  events: string[];
  pending: number;
}

const sha256 = (path: string) => createHash('sha256').update(readFileSync(path)).digest('hex');
const OLD = new Date('2001-01-01T00:00:00Z');

/** Random bytes behind a real file signature, so the host's type guess has something to go on. */
function makeFile(path: string, head: string, size: number): void {
  const bytes = Buffer.alloc(size);
  for (let i = 0; i < size; i++) bytes[i] = (i * 7919 + (i >> 8) * 31) & 0xff;
  bytes.write(head, 0, 'latin1');
  writeFileSync(path, bytes);
}

/** Sets a file's access time far before its modification time: any read of its bytes moves it (relatime). */
function markUnread(path: string): void {
  utimesSync(path, OLD, new Date());
}
const wasRead = (path: string) => statSync(path).atimeMs > OLD.getTime() + 1_000;

beforeAll(async () => {
  s = await startWebSession('agent-upload');
  await setSiteRule(s.panel, s.sites.allowed.url, 'allow');
  const bundle = buildHostInto(s.sandbox.root);
  await installHost(s.sandbox.root, bundle, { profileDirs: [s.browser.profileDir] });
  work = join(realpathSync(s.sandbox.root), 'files', 'work');
  outside = join(realpathSync(s.sandbox.root), 'files', 'outside');
  mkdirSync(work, { recursive: true });
  mkdirSync(outside, { recursive: true });
  makeFile(join(work, 'report.pdf'), '%PDF-1.4\n', 120 * 1024);
  // Bigger than one bridge chunk (512 KiB) and one page staging chunk (2 MiB): both put back together in order.
  makeFile(join(work, 'beach.png'), '\x89PNG\r\n\x1a\n', 2_600_000);
  writeFileSync(join(work, 'notes.txt'), 'three lines\nof plain\ntext\n');
  makeFile(join(work, 'private.pdf'), '%PDF-1.4\n', 50 * 1024);
  writeFileSync(join(outside, 'secret.txt'), 'outside secret\n');
  // 26 MB on paper, no bytes on disk (sparse): it must be refused from its size alone.
  writeFileSync(join(work, 'huge.bin'), '');
  truncateSync(join(work, 'huge.bin'), 26 * 1024 * 1024);
  // Read-only is enough: uploading reads a file, it changes nothing on disk.
  const added = await s.panel.evaluate(
    (path) => window.tandem?.client.send({ type: 'folders.add', path, mode: 'read', autoApproveWrites: false }),
    work,
  );
  expect(JSON.stringify(added ?? null)).not.toContain('error');
}, 120_000);
afterAll(() => s?.close());
beforeEach(() => {
  s.server.reset();
  s.sites.reset();
});

/** Runs one task; each permission prompt, in order, gets the next answer. */
async function run(
  turns: Turn[],
  answers: string[] = [],
): Promise<{ all: ThreadEvent[]; prompts: Array<ThreadEventOf<'decision_requested'>> }> {
  s.server.script([...turns, { kind: 'text', text: 'Done.' }]);
  const threadId = await newThread(s.panel);
  await sendMessage(s.panel, threadId, 'Upload my files, please.');
  const prompts: Array<ThreadEventOf<'decision_requested'>> = [];
  for (const [i, optionId] of answers.entries()) prompts.push(await answerPrompt(s.panel, threadId, i + 1, optionId));
  await waitForKind(s.panel, threadId, 'task_finished', 1, 60_000);
  const all = await events(s.panel, threadId);
  return { all, prompts: all.filter((e): e is ThreadEventOf<'decision_requested'> => e.kind === 'decision_requested') };
}

/** The upload page's own record, from the newest agent tab showing it, once it has hashed what it got. */
async function pageState(): Promise<UploadState> {
  const page = s.browser.context
    .pages()
    .filter((p) => new URL(p.url()).pathname === '/upload')
    .at(-1);
  if (!page) throw new Error('No tab shows /upload');
  await page.waitForFunction(() => (window as unknown as { uploadState: UploadState }).uploadState.pending === 0);
  return page.evaluate(() => (window as unknown as { uploadState: UploadState }).uploadState);
}

/** The input files of an upload page: how many the file fields hold now. */
async function fieldCounts(): Promise<number[]> {
  const page = s.browser.context
    .pages()
    .filter((p) => new URL(p.url()).pathname === '/upload')
    .at(-1);
  if (!page) throw new Error('No tab shows /upload');
  return page.evaluate(() =>
    ['report', 'photos'].map((id) => (document.getElementById(id) as HTMLInputElement).files?.length ?? -1),
  );
}

const openUpload = (): Turn => ({
  kind: 'tool_use',
  name: 'tab_open',
  input: { url: `${s.sites.allowed.url}/upload` },
});
const host = () => new URL(s.sites.allowed.url).host;

describe('uploading local files to a page', () => {
  it('asks naming the file, its size and the site, then the page gets exactly the bytes on disk', async () => {
    const report = join(work, 'report.pdf');
    const beach = join(work, 'beach.png');
    const notes = join(work, 'notes.txt');
    for (const path of [report, beach, notes]) markUnread(path);
    const { step } = scriptState();
    const { all, prompts } = await run(
      [
        openUpload(),
        step('read_page', (st) => ({ tab: st.tab })),
        step('upload_file', (st) => ({
          tab: st.tab,
          ref: refFor(st.page, 'file', 'Report'),
          paths: ['work/report.pdf'],
        })),
        // Several files into a multiple field; an absolute path works as well as "<folder>/<path>".
        step('upload_file', (st) => ({
          tab: st.tab,
          ref: refFor(st.page, 'file', 'Photos'),
          paths: [beach, 'work/notes.txt'],
        })),
        // read_page shows what each field holds now.
        step('read_page', (st) => ({ tab: st.tab })),
      ],
      ['allow_once', 'allow_once'],
    );
    // Read by the host (before the test's own hashing reads them).
    expect([report, beach, notes].map(wasRead)).toEqual([true, true, true]);
    const results = toolResults(all);
    expect(results.map((r) => (r.isError ? resultText(r) : 'ok'))).toEqual(['ok', 'ok', 'ok', 'ok', 'ok']);
    const reread = resultText(results[4] as ThreadEventOf<'tool_result'>);
    expect(reread).toContain('file "Report" = "report.pdf"');
    expect(reread).toContain('file "Photos" = "beach.png, notes.txt"');
    // Asked every time, each time naming what leaves the computer and where it goes.
    expect(prompts).toHaveLength(2);
    expect(prompts[0]?.title).toContain('report.pdf');
    expect(prompts[0]?.title).toContain('120 KB');
    expect(prompts[0]?.title).toContain(host());
    expect(prompts[0]?.options.map((o) => o.id)).toEqual(['allow_once', 'deny']);
    expect(prompts[1]?.title).toContain('2 files');
    expect(prompts[1]?.detail).toContain('beach.png');
    expect(prompts[1]?.detail).toContain('notes.txt');
    expect(prompts[1]?.title).toContain(host());

    const state = await pageState();
    expect(state.report).toEqual([
      { name: 'report.pdf', size: 120 * 1024, type: 'application/pdf', sha256: sha256(report) },
    ]);
    expect(state.photos).toEqual([
      { name: 'beach.png', size: 2_600_000, type: 'image/png', sha256: sha256(beach) },
      { name: 'notes.txt', size: statSync(notes).size, type: 'text/plain', sha256: sha256(notes) },
    ]);
    // The page heard it as a person's choice sounds: input, then change, on each field.
    expect(state.events).toEqual(['report:input', 'report:change:1', 'photos:input', 'photos:change:2']);
    expect(await fieldCounts()).toEqual([1, 2]);
  });

  it('reads nothing and leaves the field empty when the user denies', async () => {
    const secret = join(work, 'private.pdf');
    markUnread(secret);
    const { step } = scriptState();
    const { all, prompts } = await run(
      [
        openUpload(),
        step('read_page', (st) => ({ tab: st.tab })),
        step('upload_file', (st) => ({
          tab: st.tab,
          ref: refFor(st.page, 'file', 'Report'),
          paths: ['work/private.pdf'],
        })),
      ],
      ['deny'],
    );
    expect(prompts.map((p) => p.title)).toEqual([expect.stringContaining('private.pdf')]);
    const upload = toolResults(all)[2];
    expect(upload?.isError).toBe(true);
    expect(resultText(upload as ThreadEventOf<'tool_result'>)).toContain('did not allow');
    expect(wasRead(secret)).toBe(false);
    expect(await fieldCounts()).toEqual([0, 0]);
    expect((await pageState()).events).toEqual([]);
  });

  it('refuses paths outside the allowed folders and files over the size limit without asking or reading', async () => {
    const secret = join(outside, 'secret.txt');
    const huge = join(work, 'huge.bin');
    markUnread(secret);
    markUnread(huge);
    const { step } = scriptState();
    const upload = (paths: string[], field = 'Report') =>
      step('upload_file', (st) => ({ tab: st.tab, ref: refFor(st.page, 'file', field), paths }));
    const { all, prompts } = await run([
      openUpload(),
      step('read_page', (st) => ({ tab: st.tab })),
      upload([secret]),
      upload(['work/../outside/secret.txt']),
      upload(['work/huge.bin']),
      // Two files into a field that takes one.
      upload(['work/report.pdf', 'work/notes.txt']),
      // A click would open the system's file chooser on the user's screen.
      step('click', (st) => ({ tab: st.tab, ref: refFor(st.page, 'file', 'Report') })),
    ]);
    expect(prompts).toEqual([]);
    const results = toolResults(all).slice(2);
    expect(results.map((r) => r.isError)).toEqual([true, true, true, true, true]);
    const [first, second, big, many, click] = results.map(resultText);
    expect(click).toContain('upload_file');
    expect(first).toMatch(/Refused/);
    expect(second).toMatch(/Refused/);
    expect(big).toContain('25 MB');
    expect(many).toMatch(/one file/);
    expect(JSON.stringify(all)).not.toContain('outside secret');
    expect(wasRead(secret)).toBe(false);
    expect(wasRead(huge)).toBe(false);
    expect(await fieldCounts()).toEqual([0, 0]);
  });

  it('covers one upload a plan named, and asks again for the next', async () => {
    const { step } = scriptState();
    const upload = () =>
      step('upload_file', (st) => ({
        tab: st.tab,
        ref: refFor(st.page, 'file', 'Report'),
        paths: ['work/report.pdf'],
      }));
    const { all, prompts } = await run(
      [
        {
          kind: 'tool_use',
          name: 'propose_plan',
          input: {
            goal: 'Send the report',
            sites: [s.sites.allowed.url],
            steps: [{ kind: 'upload', site: s.sites.allowed.url, what: 'upload report.pdf' }],
          },
        },
        openUpload(),
        step('read_page', (st) => ({ tab: st.tab })),
        upload(),
        upload(),
      ],
      ['approve_plan', 'deny'],
    );
    expect(prompts.map((p) => p.title)).toEqual([
      'Approve the plan for this task?',
      expect.stringContaining('report.pdf'),
    ]);
    expect(prompts[0]?.detail).toContain('Upload files on');
    const results = toolResults(all);
    expect(results.map((r) => r.isError)).toEqual([false, false, false, false, true]);
    expect((await pageState()).report.map((f) => f.name)).toEqual(['report.pdf']);
  });

  it('finds a file field hidden behind a styled chooser button and fills it', async () => {
    const { step } = scriptState();
    const { all } = await run(
      [
        openUpload(),
        step('read_page', (st) => ({ tab: st.tab })),
        step('upload_file', (st) => ({
          tab: st.tab,
          ref: refFor(st.page, 'file', 'Avatar'),
          paths: ['work/beach.png'],
        })),
      ],
      ['allow_once'],
    );
    expect(toolResults(all).map((r) => (r.isError ? resultText(r) : 'ok'))).toEqual(['ok', 'ok', 'ok']);
    const state = await pageState();
    expect(state.events).toEqual(['avatar:input', 'avatar:change:1']);
    expect(state.avatar).toEqual([
      { name: 'beach.png', size: 2_600_000, type: 'image/png', sha256: sha256(join(work, 'beach.png')) },
    ]);
  });

  it('drops files on a drop zone', async () => {
    const { step } = scriptState();
    const { all, prompts } = await run(
      [
        openUpload(),
        step('read_page', (st) => ({ tab: st.tab })),
        step('upload_file', (st) => ({
          tab: st.tab,
          ref: refFor(st.page, 'button', 'Drop attachments here'),
          paths: ['work/report.pdf'],
        })),
      ],
      ['allow_once'],
    );
    expect(toolResults(all).map((r) => (r.isError ? resultText(r) : 'ok'))).toEqual(['ok', 'ok', 'ok']);
    expect(prompts[0]?.detail).toMatch(/dropping/i);
    const state = await pageState();
    expect(state.events).toEqual(['dropzone:drop:1']);
    expect(state.dropped).toEqual([
      { name: 'report.pdf', size: 120 * 1024, type: 'application/pdf', sha256: sha256(join(work, 'report.pdf')) },
    ]);
  });
});
