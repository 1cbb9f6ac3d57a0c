/** Path naming and the permission decisions for file tools (pure, plus the folder-write policy on a memory store). */
import { describe, expect, it } from 'vitest';
import {
  decodeFolderScope,
  deleteRequest,
  encodeFolderScope,
  FILE_DELETE_POLICY,
  FolderWritePolicy,
  writeRequest,
} from '../../extension/files/folder-policy';
import {
  absoluteOf,
  displayPath,
  folderOfPath,
  formatSize,
  normalizePosix,
  selfAndAncestors,
} from '../../extension/files/host-paths';
import { type Grant, GrantPolicy, type GrantStore } from '../../extension/permissions/grant-policy';
import { PermissionGate } from '../../extension/permissions/permission-gate';
import type { AllowedRoot } from '../../shared/protocol/native-host';

const root = (name: string, path: string, extra: Partial<AllowedRoot> = {}): AllowedRoot => ({
  name,
  path,
  mode: 'read-write',
  autoApproveWrites: false,
  addedAt: '2025-01-01T00:00:00.000Z',
  ...extra,
});

const notes = root('notes', '/home/me/notes');
const inner = root('drafts', '/home/me/notes/drafts', { mode: 'read' });
const photos = root('photos', '/home/me/photos', { autoApproveWrites: true });
const roots = [notes, inner, photos];

describe('host paths', () => {
  it('normalises like the host, never climbing above /', () => {
    expect(normalizePosix('/a//b/./c/../d/')).toBe('/a/b/d');
    expect(normalizePosix('/../../etc')).toBe('/etc');
    expect(normalizePosix('a/../../b')).toBe('../b');
  });

  it('matches folders on a separator boundary, the deepest first', () => {
    expect(folderOfPath(roots, '/home/me/notes/todo.md')).toEqual({ root: notes, relative: 'todo.md' });
    expect(folderOfPath(roots, '/home/me/notes-old/todo.md')).toBeNull();
    expect(folderOfPath(roots, '/home/me/notes')).toEqual({ root: notes, relative: '' });
    expect(folderOfPath(roots, '/home/me/notes/drafts/a.md')?.root).toBe(inner);
    expect(folderOfPath(roots, '/home/me/notes/../photos/x.png')?.root).toBe(photos);
  });

  it('reads "<folder name>/<path>" as the host does, and refuses climbing out', () => {
    expect(absoluteOf(roots, 'notes/a/../b.md')).toBe('/home/me/notes/b.md');
    expect(absoluteOf(roots, 'notes/../photos/x.png')).toBeNull();
    expect(absoluteOf(roots, 'nowhere/x')).toBeNull();
    expect(absoluteOf(roots, 'notes/a\0b')).toBeNull();
    expect(folderOfPath(roots, 'notes/drafts/x.md')?.root).toBe(inner);
  });

  it('names paths for people', () => {
    expect(displayPath(roots, '/home/me/notes/todo.md')).toBe('notes/todo.md');
    expect(displayPath(roots, '/home/me/notes')).toBe('notes/');
    expect(displayPath(roots, '/etc/passwd')).toBe('/etc/passwd');
    expect(formatSize(1)).toBe('1 byte');
    expect(formatSize(1536)).toBe('1.5 KB');
    expect(formatSize(50 * 1024 * 1024)).toBe('50 MB');
  });

  it('lists a path and its ancestors, nearest first', () => {
    expect(selfAndAncestors('/a/b/c')).toEqual(['/a/b/c', '/a/b', '/a', '/']);
    expect(selfAndAncestors('notes/x/y')).toEqual(['notes/x/y', 'notes/x', 'notes']);
  });
});

describe('file permission requests', () => {
  it('asks per folder for writes, naming the path and offering "always in this folder"', () => {
    const request = writeRequest([notes], 'write notes/todo.md');
    expect(request).toMatchObject({ policy: 'folder-write', scope: '/home/me/notes' });
    expect(request?.title).toContain('notes/todo.md');
    expect(request?.options?.map((o) => o.id)).toEqual(['allow_once', 'allow_always', 'deny']);
    expect(request?.options?.[1]?.label).toContain('notes');
  });

  it('asks nothing for auto-approving folders, read-only folders or outside paths (the host refuses those)', () => {
    expect(writeRequest([photos], 'write photos/a.png')).toBeUndefined();
    expect(writeRequest([inner], 'write drafts/a.md')).toBeUndefined();
    expect(writeRequest(['outside'], 'write /etc/passwd')).toBeUndefined();
  });

  it('covers both folders of a move, and only those that ask', () => {
    const other = root('other', '/srv/other');
    const request = writeRequest([notes, other, photos], 'move notes/a to other/a');
    expect(decodeFolderScope(request?.scope ?? '')).toEqual(['/home/me/notes', '/srv/other']);
  });

  it('asks and remembers nothing when the host cannot tell the folder (fail closed)', () => {
    const request = writeRequest(['unknown', photos], 'write x');
    expect(request).toMatchObject({ alwaysAsk: true });
    expect(request?.options?.map((o) => o.id)).toEqual(['allow_once', 'deny']);
  });

  it('names every path when deleting, and always asks', () => {
    const request = deleteRequest(['notes/a.md', 'notes/b.md']);
    expect(request).toMatchObject({ policy: FILE_DELETE_POLICY, alwaysAsk: true });
    expect(request.detail).toContain('notes/a.md');
    expect(request.detail).toContain('notes/b.md');
  });

  it('encodes folder scopes so one folder stays a plain path', () => {
    expect(encodeFolderScope(['/b', '/a', '/b'])).toBe('["/a","/b"]');
    expect(encodeFolderScope(['/a'])).toBe('/a');
    expect(decodeFolderScope('/a')).toEqual(['/a']);
    expect(decodeFolderScope('[broken')).toEqual(['[broken']);
  });
});

class MemoryStore implements GrantStore {
  data = new Map<string, Grant[]>();
  async load(policy: string) {
    return structuredClone(this.data.get(policy) ?? []);
  }
  async save(policy: string, grants: Grant[]) {
    this.data.set(policy, structuredClone(grants));
  }
}

describe('folder-write policy through the gate', () => {
  const setup = () => {
    const store = new MemoryStore();
    const writes = new FolderWritePolicy(store);
    const deletes = new GrantPolicy(FILE_DELETE_POLICY, store, ['allow_once', 'deny']);
    return { store, writes, gate: new PermissionGate([writes, deletes]) };
  };
  const other = root('other', '/srv/other');
  const ctx = { taskId: 't1', now: 1_000 };

  it('"always in this folder" covers later writes there, in other tasks too, and no other folder', async () => {
    const { gate } = setup();
    const request = writeRequest([notes], 'write notes/a') ?? expect.fail('no request');
    expect(await gate.decide(request, ctx)).toBe('ask');
    expect(await gate.answer(request, 'allow_always', ctx)).toBe('allow');
    expect(await gate.decide(writeRequest([notes], 'edit notes/b') ?? request, { taskId: 't2', now: 2_000 })).toBe(
      'allow',
    );
    expect(await gate.decide(writeRequest([other], 'write other/a') ?? request, ctx)).toBe('ask');
  });

  it('a move across folders needs both; the answer is remembered for each', async () => {
    const { gate } = setup();
    await gate.answer(writeRequest([notes], 'write notes/a') ?? expect.fail(), 'allow_always', ctx);
    const move = writeRequest([notes, other], 'move notes/a to other/a') ?? expect.fail();
    expect(await gate.decide(move, ctx)).toBe('ask');
    await gate.answer(move, 'allow_once', ctx);
    expect(await gate.decide(writeRequest([other], 'write other/b') ?? move, ctx)).toBe('allow');
    expect(await gate.decide(writeRequest([other], 'write other/b') ?? move, { taskId: 't2', now: 3 })).toBe('ask');
  });

  it('forgets a removed folder, so allowing it again starts from "ask"', async () => {
    const { gate, writes } = setup();
    const request = writeRequest([notes], 'write notes/a') ?? expect.fail();
    await gate.answer(request, 'allow_always', ctx);
    await writes.forgetFolder(notes.path);
    expect(await gate.decide(request, ctx)).toBe('ask');
  });

  it('deleting asks every time and remembers no answer', async () => {
    const { gate, store } = setup();
    const request = deleteRequest(['notes/a']);
    expect(await gate.decide(request, ctx)).toBe('ask');
    expect(await gate.answer(request, 'allow_once', ctx)).toBe('allow');
    expect(await gate.decide(request, ctx)).toBe('ask');
    expect(await gate.answer(request, 'allow_always', ctx)).toBe('deny');
    expect(store.data.get(FILE_DELETE_POLICY) ?? []).toEqual([]);
  });
});
