/**
 * web_fetch end to end in real Chromium: the built extension, the runtime in its
 * service worker driven through the side panel's client, the scripted model, and
 * local sites on their own ports (allowed, unknown, denied, and a collector that
 * must never be reached).
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Grant } from '../../extension/permissions/grant-policy';
import type { ThreadEvent } from '../../shared/protocol';
import { currentWorker } from './support/chromium';
import {
  answerPrompt,
  events,
  listSites,
  newThread,
  removeSiteRule,
  resultText,
  sendMessage,
  setSiteRule,
  startWebSession,
  toolResults,
  type WebSession,
  waitForKind,
} from './support/web-session';

let s: WebSession;

beforeAll(async () => {
  s = await startWebSession('web-fetch');
  await setSiteRule(s.panel, s.sites.allowed.url, 'allow');
  await setSiteRule(s.panel, s.sites.denied.url, 'deny');
});
afterAll(() => s?.close());
beforeEach(() => {
  s.server.reset();
  s.sites.reset();
});

async function fetchTask(urls: string[]): Promise<string> {
  s.server.script([
    ...urls.map((url) => ({ kind: 'tool_use' as const, name: 'web_fetch', input: { url } })),
    { kind: 'text', text: 'Done.' },
  ]);
  const threadId = await newThread(s.panel);
  await sendMessage(s.panel, threadId, `Read ${urls.join(' and ')}`);
  return threadId;
}

const HOUR = 3_600_000;

async function finishedResults(threadId: string) {
  await waitForKind(s.panel, threadId, 'task_finished');
  return toolResults(await events(s.panel, threadId));
}

const decisions = (all: readonly ThreadEvent[]) => all.filter((e) => e.kind === 'decision_requested');

/** Rewrites the stored site grants in the service worker, as if time had passed. */
async function ageSiteGrants(byMs: number): Promise<void> {
  const worker = await currentWorker(s.browser.context);
  await worker.evaluate(async (byMs) => {
    interface Handle {
      tandem: { grants: { load(p: string): Promise<Grant[]>; save(p: string, g: Grant[]): Promise<void> } };
    }
    const { grants } = (globalThis as unknown as Handle).tandem;
    const aged = (await grants.load('site')).map((g) => ({
      ...g,
      grantedAt: g.grantedAt - byMs,
      ...(g.expiresAt === undefined ? {} : { expiresAt: g.expiresAt - byMs }),
    }));
    await grants.save('site', aged);
  }, byMs);
}

describe('web_fetch in Chromium', () => {
  it('reads an allowed page as readable Markdown marked as untrusted content', async () => {
    const threadId = await fetchTask([`${s.sites.allowed.url}/`]);
    await waitForKind(s.panel, threadId, 'task_finished');
    const [result] = toolResults(await events(s.panel, threadId));
    const text = result ? resultText(result) : '';
    expect(result?.isError).toBe(false);
    expect(text).toContain(`<untrusted_content source="${s.sites.allowed.url}">`);
    expect(text).toContain('Title: The allowed site');
    expect(text).toContain('# Welcome to the allowed site');
    expect(text).toContain('Paragraph 3 of the allowed site');
    expect(text).not.toContain('<p>');
    // The model received exactly this as its tool result.
    expect(JSON.stringify(s.server.requests.at(-1)?.body?.messages.at(-1))).toContain(
      'Paragraph 3 of the allowed site',
    );
  });

  it('asks about an unknown site: "allow once" lets this task in and asks again in the next', async () => {
    const unknown = `${s.sites.unknown.url}/`;
    const first = await fetchTask([unknown, `${s.sites.unknown.url}/again`]);
    const prompt = await answerPrompt(s.panel, first, 1, 'allow_once');
    expect(prompt.title).toBe(`Let Tandem read ${s.sites.unknown.url}?`);
    expect(prompt.options.map((o) => o.id)).toEqual([
      'allow_once',
      'allow_hour',
      'allow_day',
      'allow_always',
      'deny',
      'deny_always',
    ]);
    const results = await finishedResults(first);
    expect(results.map((r) => r.isError)).toEqual([false, false]);
    expect(decisions(await events(s.panel, first))).toHaveLength(1);
    expect(s.sites.unknown.requests).toEqual(['GET /', 'GET /again']);

    const second = await fetchTask([unknown]);
    await answerPrompt(s.panel, second, 1, 'deny');
    expect((await finishedResults(second))[0]?.isError).toBe(true);
    await removeSiteRule(s.panel, s.sites.unknown.url);
  });

  it('"deny" returns a tool error to the model and sends nothing; "always deny" refuses without asking', async () => {
    const unknown = `${s.sites.unknown.url}/`;
    const threadId = await fetchTask([unknown]);
    await answerPrompt(s.panel, threadId, 1, 'deny');
    const [denied] = await finishedResults(threadId);
    expect(denied?.isError).toBe(true);
    expect(denied && resultText(denied)).toMatch(/did not allow/);
    const seen = JSON.stringify(s.server.requests.at(-1)?.body?.messages.at(-1));
    expect(seen).toContain('"is_error":true');
    expect(seen).toContain('did not allow');

    const again = await fetchTask([unknown]);
    await answerPrompt(s.panel, again, 1, 'deny_always');
    expect((await finishedResults(again))[0]?.isError).toBe(true);
    const third = await fetchTask([unknown]);
    const [refused] = await finishedResults(third);
    expect(refused?.isError).toBe(true);
    expect(decisions(await events(s.panel, third))).toHaveLength(0);
    expect(s.sites.unknown.requests).toEqual([]);
    expect((await listSites(s.panel)).find((e) => e.pattern === s.sites.unknown.url)).toMatchObject({
      effect: 'deny',
      duration: 'always',
    });
    await removeSiteRule(s.panel, s.sites.unknown.url);
  });

  it('a denied site is refused without asking', async () => {
    const threadId = await fetchTask([`${s.sites.denied.url}/`]);
    const [result] = await finishedResults(threadId);
    expect(result?.isError).toBe(true);
    expect(decisions(await events(s.panel, threadId))).toHaveLength(0);
    expect(s.sites.denied.requests).toEqual([]);
  });

  it('"for an hour" and "for a day" last until they expire, then Tandem asks again', async () => {
    const unknown = `${s.sites.unknown.url}/`;
    const before = Date.now();
    const first = await fetchTask([unknown]);
    await answerPrompt(s.panel, first, 1, 'allow_hour');
    expect((await finishedResults(first))[0]?.isError).toBe(false);
    const entry = (await listSites(s.panel)).find((e) => e.pattern === s.sites.unknown.url);
    expect(entry).toMatchObject({ effect: 'allow', duration: 'timed' });
    expect(entry?.expiresAt).toBeGreaterThanOrEqual(before + HOUR);
    expect(entry?.expiresAt).toBeLessThanOrEqual(Date.now() + HOUR);

    const second = await fetchTask([unknown]);
    expect((await finishedResults(second))[0]?.isError).toBe(false);
    expect(decisions(await events(s.panel, second))).toHaveLength(0);

    await ageSiteGrants(HOUR);
    const third = await fetchTask([unknown]);
    await answerPrompt(s.panel, third, 1, 'allow_day');
    expect((await finishedResults(third))[0]?.isError).toBe(false);
    const day = (await listSites(s.panel)).find((e) => e.pattern === s.sites.unknown.url);
    expect(day?.expiresAt).toBeGreaterThan(Date.now() + 23 * HOUR);

    await ageSiteGrants(24 * HOUR);
    const fourth = await fetchTask([unknown]);
    await answerPrompt(s.panel, fourth, 1, 'deny');
    await finishedResults(fourth);
    expect(s.sites.unknown.requests).toEqual(['GET /', 'GET /', 'GET /']);
    await removeSiteRule(s.panel, s.sites.unknown.url);
  });

  it('follows redirects between allowed sites, reading each hop, and stops before a site that is not allowed', async () => {
    const { allowed, other, collector, unknown } = s.sites;
    await setSiteRule(s.panel, other.url, 'allow');
    const threadId = await fetchTask([
      `${allowed.url}/redirect?to=${encodeURIComponent(`${other.url}/landing`)}`,
      `${allowed.url}/redirect?to=${encodeURIComponent(`${collector.url}/collect?via=redirect`)}`,
      `${allowed.url}/redirect?to=${encodeURIComponent(`${allowed.url}/redirect?to=${encodeURIComponent(`${collector.url}/collect?via=double`)}`)}`,
      `${allowed.url}/redirect?to=${encodeURIComponent(`${unknown.url}/`)}`,
    ]);
    const results = await finishedResults(threadId);
    expect(results.map((r) => r.isError)).toEqual([false, true, true, true]);
    const [followed, toCollector, , toUnknown] = results.map((r) => resultText(r));
    expect(followed).toContain(`Fetched ${other.url}/landing (redirected from ${allowed.url}/redirect`);
    expect(toCollector).toContain(`${collector.url}/collect?via=redirect`);
    expect(toCollector).toContain('did not follow the redirect');
    expect(toUnknown).toContain(unknown.url);
    // No prompt in the middle of a fetch; and nothing reached the collector or the unknown site.
    expect(decisions(await events(s.panel, threadId))).toHaveLength(0);
    expect(collector.hits).toBe(0);
    expect(unknown.requests).toEqual([]);
    expect(other.requests).toEqual(['GET /landing']);
  });

  it('returns JSON as text and refuses binary files with a reason', async () => {
    const threadId = await fetchTask([`${s.sites.allowed.url}/json`, `${s.sites.allowed.url}/image.png`]);
    const [json, image] = await finishedResults(threadId);
    expect(json && resultText(json)).toContain('"site":"allowed"');
    expect(image?.isError).toBe(true);
    expect(image && resultText(image)).toMatch(/image\/png .*not binary files/);
  });

  it('never reaches browser pages, files, extension pages or web stores, whatever the rules', async () => {
    const threadId = await fetchTask([
      'chrome://settings',
      'file:///etc/passwd',
      `chrome-extension://${s.browser.extensionId}/sidepanel.html`,
      'https://chromewebstore.google.com/',
    ]);
    const results = await finishedResults(threadId);
    expect(results.map((r) => r.isError)).toEqual([true, true, true, true]);
    expect(resultText(results[2] ?? results[0]!)).toMatch(/Extension pages/);
    expect(decisions(await events(s.panel, threadId))).toHaveLength(0);
  });

  it('keeps a prompt pending across a service-worker stop, and it can still be answered', async () => {
    const threadId = await fetchTask([`${s.sites.unknown.url}/`]);
    const prompt = await waitForKind(s.panel, threadId, 'decision_requested');
    // A marker in the worker's globals: a new worker after the stop does not have it.
    await (await currentWorker(s.browser.context)).evaluate(() => Object.assign(globalThis, { webTestMarker: true }));
    await s.browser.stopServiceWorker(s.panel);
    await expect
      .poll(
        async () =>
          (await currentWorker(s.browser.context)).evaluate(() => 'webTestMarker' in globalThis).catch(() => true),
        { timeout: 15_000 },
      )
      .toBe(false);
    // The panel reconnects (waking a new worker); the decision is still pending in the durable log.
    await s.panel.waitForFunction(() => window.tandem?.client.connection === 'open', undefined, { timeout: 15_000 });
    const pending = (await events(s.panel, threadId)).filter(
      (e) => e.kind === 'decision_resolved' && e.decisionId === prompt.decisionId,
    );
    expect(pending).toHaveLength(0);
    await answerPrompt(s.panel, threadId, 1, 'allow_once');
    const [result] = await finishedResults(threadId);
    expect(result?.isError).toBe(false);
    expect(result && resultText(result)).toContain('Welcome to the unknown site');
  });

  it('"always allow" is remembered across a browser restart and shows in the Sites list', async () => {
    const unknown = `${s.sites.unknown.url}/`;
    const threadId = await fetchTask([unknown]);
    await answerPrompt(s.panel, threadId, 1, 'allow_always');
    expect((await finishedResults(threadId))[0]?.isError).toBe(false);

    await s.restart();
    await s.panel.waitForFunction(() => window.tandem?.client.connection === 'open');
    const entry = (await listSites(s.panel)).find((e) => e.pattern === s.sites.unknown.url);
    expect(entry).toMatchObject({ effect: 'allow', duration: 'always' });
    expect(entry?.lastUsedAt).toBeGreaterThanOrEqual(entry?.grantedAt ?? Number.POSITIVE_INFINITY);
    const after = await fetchTask([unknown]);
    const [result] = await finishedResults(after);
    expect(result?.isError).toBe(false);
    expect(decisions(await events(s.panel, after))).toHaveLength(0);
  });
});
