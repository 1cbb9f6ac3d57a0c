/**
 * upload_file's question and its place in plan approval (issue 10, item 9):
 * the prompt names the files, sizes, folder and site; it is asked every time,
 * and a plan that named an upload covers exactly one.
 */
import { describe, expect, it } from 'vitest';
import type { FileAccess } from '../../extension/files/file-access';
import { mimeForName } from '../../extension/files/mime-by-name';
import type { Grant, GrantStore } from '../../extension/permissions/grant-policy';
import { GrantPolicy } from '../../extension/permissions/grant-policy';
import { PermissionGate } from '../../extension/permissions/permission-gate';
import { PlanApprovals, planRequest } from '../../extension/permissions/plan-approval';
import { MAX_UPLOAD_BYTES, uploadRequest, uploadTools } from '../../extension/tools/page-upload';
import { planClick } from '../../extension/web/action-risk';
import type { FileTarget } from '../../extension/web/file-input';
import type { WebPlatform } from '../../extension/web/platform';

class MemoryStore implements GrantStore {
  data = new Map<string, Grant[]>();
  async load(policy: string) {
    return structuredClone(this.data.get(policy) ?? []);
  }
  async save(policy: string, grants: Grant[]) {
    this.data.set(policy, structuredClone(grants));
  }
}

const page = new URL('https://example.com/account/documents');
const field: FileTarget = { kind: 'input', name: 'Report', multiple: true, disabled: false, accept: '', key: 'k' };
const report = {
  path: '/home/me/Documents/report.pdf',
  shown: 'Documents/report.pdf',
  name: 'report.pdf',
  size: 120 * 1024,
  mtimeMs: 1,
};
const photo = {
  path: '/home/me/Pictures/beach.jpg',
  shown: 'Pictures/beach.jpg',
  name: 'beach.jpg',
  size: 3 * 1024 * 1024,
  mtimeMs: 1,
};

describe('the upload question', () => {
  it('names the file, its size, its folder and the site, and is a confirmation every time', () => {
    const request = uploadRequest({ page, target: field, files: [report], total: report.size });
    expect(request.title).toBe('Upload report.pdf (120 KB) from Documents to example.com?');
    expect(request.detail).toContain('- Documents/report.pdf (120 KB)');
    expect(request.detail).toContain('file field "Report"');
    expect(request).toMatchObject({
      policy: 'site',
      scope: 'https://example.com',
      alwaysAsk: true,
      approvalKey: 'upload https://example.com',
    });
    expect(request.options?.map((o) => o.id)).toEqual(['allow_once', 'deny']);
  });

  it('lists every file of a multi-file upload, says where a drop goes and where a foreign form sends', () => {
    const many = uploadRequest({
      page,
      target: { ...field, formAction: 'https://files.other.net/in' },
      files: [report, photo],
      total: report.size + photo.size,
    });
    expect(many.title).toBe('Upload 2 files (3.1 MB) from Documents, Pictures to example.com?');
    expect(many.detail).toContain('- Pictures/beach.jpg (3.0 MB)');
    expect(many.detail).toContain('Its form sends to https://files.other.net.');
    const drop = uploadRequest({
      page,
      target: { ...field, kind: 'drop', name: 'Drop here' },
      files: [report],
      total: 1,
    });
    expect(drop.detail).toContain('dropping it on "Drop here"');
    expect(MAX_UPLOAD_BYTES).toBe(25 * 1024 * 1024);
  });

  it('is covered once by a plan that named an upload on that site, never for the whole task', async () => {
    const store = new MemoryStore();
    const plans = new PlanApprovals(store);
    const sites = new GrantPolicy('site', store, ['allow_once', 'allow_always', 'deny', 'deny_always']);
    const gate = new PermissionGate([sites, plans], plans);
    const ctx = { taskId: 't1', now: 1 };
    await sites.apply({ policy: 'site', scope: page.origin, title: '', detail: '' }, 'allow_always', ctx);
    const upload = uploadRequest({ page, target: field, files: [report], total: report.size });
    expect(await gate.decide(upload, ctx)).toBe('ask');
    const plan = planRequest({
      goal: 'Send the report',
      sites: [page.origin],
      steps: [{ kind: 'upload', origin: page.origin, what: 'upload report.pdf' }],
    });
    expect(plan.detail).toContain(`Upload files on ${page.origin}: upload report.pdf (once)`);
    await gate.answer(plan, 'approve_plan', ctx);
    expect(await gate.decide(upload, ctx)).toBe('allow');
    expect(await gate.decide(upload, ctx)).toBe('ask');
    // A forged "for this task" answer to an upload question covers nothing.
    await plans.allowForTask('upload https://example.com', ctx);
    expect(await gate.decide(upload, ctx)).toBe('ask');
  });
});

describe('file types', () => {
  it('goes by the name, as a browser does for a chosen file', () => {
    expect(mimeForName('report.PDF')).toBe('application/pdf');
    expect(mimeForName('notes.txt')).toBe('text/plain');
    expect(mimeForName('archive.tar.gz')).toBe('application/gzip');
    expect(mimeForName('Makefile')).toBeUndefined();
    expect(mimeForName('.bashrc')).toBeUndefined();
    expect(mimeForName('strange.xyz')).toBeUndefined();
  });
});

describe('clicking a file field', () => {
  it('is refused with a pointer to upload_file: a real click would open the system file chooser', () => {
    const plan = planClick(
      {
        tag: 'input',
        role: 'file',
        name: 'Report',
        inputType: 'file',
        password: false,
        editable: false,
        download: false,
        submitsForm: false,
      },
      'https://example.com/',
    );
    expect(plan.refuse).toContain('upload_file');
    const button = planClick(
      {
        tag: 'button',
        role: 'button',
        name: 'Choose',
        password: false,
        editable: false,
        download: false,
        submitsForm: false,
      },
      'https://example.com/',
    );
    expect(button.refuse).toBeUndefined();
  });
});

describe('a file field inside a frame', () => {
  it('is refused before any page, file or prompt is touched: the upload runs in the top page and is asked for its site', async () => {
    const untouched = new Proxy(
      {},
      {
        get(_target, name) {
          if (name === 'plans') return { get: async () => undefined, put: async () => undefined };
          throw new Error(`upload_file touched web.${String(name)} for a frame ref`);
        },
      },
    );
    const [tool] = uploadTools(untouched as WebPlatform, {} as FileAccess);
    const ctx = {
      threadId: 't',
      taskId: 'k',
      toolUseId: 'u1',
      signal: new AbortController().signal,
      now: () => new Date(),
    };
    const input = { tab: 1, ref: 'f7:e3', paths: ['/home/me/Documents/report.pdf'] };
    await expect(tool?.permission?.(input, ctx)).rejects.toThrow(/inside a frame/);
    await expect(tool?.execute(input, ctx)).rejects.toThrow(/inside a frame/);
  });
});
