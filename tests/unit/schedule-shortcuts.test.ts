import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { expandShortcut, shortcutCall } from '../../extension/schedule/shortcut-expand';
import type { RuntimeMessage } from '../../shared/protocol';
import { type ModelServer, startModelServer } from '../fixtures/model-server';
import { connect, newThread, startRuntime } from '../support/runtime-harness';

let server: ModelServer;
beforeAll(async () => {
  server = await startModelServer({ minCacheableTokens: 0 });
});
afterAll(() => server.close());

describe('shortcuts', () => {
  it('reads "/name rest" and expands it into the saved prompt plus the rest', () => {
    expect(shortcutCall('/news focus on sport')).toEqual({ name: 'news', rest: 'focus on sport' });
    expect(shortcutCall('/news')).toEqual({ name: 'news', rest: '' });
    expect(shortcutCall('no slash')).toBeUndefined();
    expect(shortcutCall('/Not-A-Name')).toBeUndefined();
    expect(expandShortcut({ name: 'news', prompt: 'Summarise the news.' }, 'focus on sport')).toBe(
      'Summarise the news.\n\nfocus on sport',
    );
    expect(expandShortcut({ name: 'news', prompt: 'Summarise the news.' }, '')).toBe('Summarise the news.');
  });

  it('expands a saved shortcut sent from any client, and leaves an unknown /word as typed', async () => {
    const { assembled } = await startRuntime({ baseUrl: server.url, apiKey: server.apiKey });
    const panel = connect(assembled, 'panel');
    const phone = connect(assembled, 'phone');
    const threadId = await newThread(panel);
    expect(
      await phone.command({ type: 'shortcut.save', shortcut: { name: 'news', prompt: 'Summarise the news.' } }),
    ).toMatchObject({ type: 'ack' });
    expect(
      panel.messages.some((m: RuntimeMessage) => m.type === 'shortcuts' && m.shortcuts.some((s) => s.name === 'news')),
    ).toBe(true);
    await phone.command({ type: 'message.send', threadId, text: '/news focus on sport' });
    await panel.command({ type: 'message.send', threadId, text: '/unknown stays' });
    const texts = (await assembled.log.all(threadId)).flatMap((e) => (e.kind === 'user_message' ? [e.text] : []));
    expect(texts).toEqual(['Summarise the news.\n\nfocus on sport', '/unknown stays']);
    expect(await phone.command({ type: 'shortcut.delete', name: 'news' })).toMatchObject({ type: 'ack' });
    expect(await phone.command({ type: 'shortcut.delete', name: 'news' })).toMatchObject({ type: 'error' });
    expect(await panel.command({ type: 'shortcut.save', shortcut: { name: 'Bad Name', prompt: 'x' } })).toMatchObject({
      type: 'error',
      code: 'invalid_command',
    });
  });
});
