/**
 * Pieces of the phone page that only a user action needs are their own chunks, fetched on first
 * use (phone-web/src/on-demand.ts): the page a phone downloads to show its threads is smaller,
 * and the piece still opens complete. In two real Chromiums with a paired phone.
 */
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { PHONE_DIST, type PhoneBrowser, waitForPhoneOpen } from './support/phone';
import { type PhoneRig, startPhoneRig } from './support/phone-rig';

let rig: PhoneRig | undefined;
let phone: PhoneBrowser;

beforeAll(async () => {
  rig = await startPhoneRig('phone-on-demand', { pair: true });
  ({ phone } = rig);
});

afterAll(() => rig?.close());

/** The built chunk holding the Schedules screen (its name carries a content hash). */
function schedulesChunk(): string {
  const name = readdirSync(join(PHONE_DIST, 'assets')).find((file) => /^tandem-schedules-view-.*\.js$/.test(file));
  if (!name) throw new Error('The phone build has no chunk of its own for the Schedules screen.');
  return name;
}

/** Scripts this page has fetched so far, by file name. */
function fetchedScripts(): Promise<string[]> {
  return phone.page.evaluate(() =>
    performance
      .getEntriesByType('resource')
      .map((entry) => entry.name.split('/').pop() ?? '')
      .filter((name) => name.endsWith('.js')),
  );
}

describe('phone page pieces loaded on first use', () => {
  it('fetches the Schedules screen only when it is first opened, and opens it complete', async () => {
    const chunk = schedulesChunk();
    await phone.page.getByTestId('thread-search').waitFor({ timeout: 15_000 });
    expect(await fetchedScripts()).not.toContain(chunk);
    await phone.page.getByTestId('open-schedules').click();
    await phone.page.getByTestId('all-schedules').waitFor({ timeout: 10_000 });
    expect(await fetchedScripts()).toContain(chunk);
    // Closing and opening again needs nothing more.
    await phone.page.getByTestId('open-schedules').click();
    await phone.page.getByTestId('thread-search').waitFor({ timeout: 10_000 });
    await phone.page.getByTestId('open-schedules').click();
    await phone.page.getByTestId('all-schedules').waitFor({ timeout: 10_000 });
    expect((await fetchedScripts()).filter((name) => name === chunk)).toHaveLength(1);
  });

  it('says when the Schedules screen cannot be fetched, and opens it on the next tap once it can', async () => {
    const chunk = schedulesChunk();
    await phone.page.reload();
    await waitForPhoneOpen(phone.page);
    await phone.page.route(`**/assets/${chunk}`, (route) => route.abort('internetdisconnected'));
    await phone.page.getByTestId('open-schedules').click();
    const error = phone.page.getByTestId('load-error');
    await error.waitFor({ timeout: 10_000 });
    expect(await error.textContent()).toBe('Schedules could not be loaded. Check the connection and try again.');
    expect(await phone.page.getByTestId('all-schedules').count()).toBe(0);
    expect(await phone.page.getByTestId('thread-search').isVisible()).toBe(true);

    await phone.page.unroute(`**/assets/${chunk}`);
    await phone.page.getByTestId('open-schedules').click();
    await phone.page.getByTestId('all-schedules').waitFor({ timeout: 10_000 });
    expect(await error.count()).toBe(0);
  });
});
