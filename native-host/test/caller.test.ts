/** The host serves only the Tandem extension: other callers get `forbidden_caller` and the host exits. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { GECKO_ID } from '../../shared/extension-identity';
import { buildHost, CHROME_ORIGIN, HostProcess, removeScratch, tempDir } from './helpers/host-process';

let bundle: string;
beforeAll(() => {
  bundle = buildHost();
});

async function firstAnswer(args: string[], env: Record<string, string> = {}) {
  const host = new HostProcess(bundle, tempDir('home'), { args, env });
  const answer = await host.call('hello', {});
  host.send({ id: 'second', op: 'roots.list' });
  const code = await host.close();
  return { answer, code, host };
}

describe('caller check', () => {
  it('accepts the Chrome extension and the Firefox add-on', async () => {
    const chrome = await firstAnswer([CHROME_ORIGIN]);
    expect(chrome.answer.ok).toBe(true);
    expect(chrome.code).toBe(0);
    const firefox = await firstAnswer([
      '/home/u/.mozilla/native-messaging-hosts/dev.tandem_agent.files.json',
      GECKO_ID,
    ]);
    expect(firefox.answer.ok && firefox.answer.result).toMatchObject({
      caller: { browser: 'firefox', extensionId: GECKO_ID },
    });
  });

  it.each([
    ['another Chrome extension', ['chrome-extension://aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa/']],
    ['another Firefox add-on', ['/x/manifest.json', 'evil@example.com']],
    ['a web origin', ['https://example.com/']],
    ['an origin with our id as a prefix', [`${CHROME_ORIGIN}x/`]],
    ['no arguments at all', []],
  ])('refuses %s with forbidden_caller and exits non-zero', async (_label, args) => {
    const { answer, code, host } = await firstAnswer(args);
    expect(answer.ok ? 'ok' : answer.error.code).toBe('forbidden_caller');
    expect(host.answers.every((a) => !a.ok && a.error.code === 'forbidden_caller')).toBe(true);
    expect(code).toBe(3);
  });

  it('accepts development ids listed in TANDEM_ALLOWED_EXTENSION_IDS', async () => {
    const devId = 'bbbbbbbbbbbbbbbbbbbbbbbbbbbbbbbb';
    const refused = await firstAnswer([`chrome-extension://${devId}/`]);
    expect(refused.answer.ok).toBe(false);
    const allowed = await firstAnswer([`chrome-extension://${devId}/`], {
      TANDEM_ALLOWED_EXTENSION_IDS: `other@dev, ${devId}`,
    });
    expect(allowed.answer.ok).toBe(true);
  });
});

afterAll(() => {
  removeScratch();
});
