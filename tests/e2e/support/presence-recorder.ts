/**
 * Records what the phone page SAYS about the computer (the text of its presence line, as rendered),
 * each change with its time, plus when the link first noticed trouble, so a test can check that the
 * screen said "Reconnecting…" while the link recovered, and what it said after.
 */
import type { Page } from 'playwright-core';

export interface PresenceRecord {
  /** Each rendered text, consecutive repeats folded, with performance.now() when it appeared. */
  seen: { text: string; at: number }[];
  /** When the link first was not plainly up (an ICE restart under way or the link given up). */
  noticedAt: number | undefined;
}

export async function recordPresence(page: Page): Promise<void> {
  await page.evaluate(() => {
    const record: PresenceRecord = { seen: [], noticedAt: undefined };
    (window as unknown as { __presence: PresenceRecord }).__presence = record;
    const root = document.querySelector('tandem-phone-app')?.shadowRoot;
    if (!root) throw new Error('no phone app');
    const read = () => {
      const text = root.querySelector('[data-testid="link-presence"]')?.textContent ?? '';
      if (record.seen.at(-1)?.text !== text) record.seen.push({ text, at: performance.now() });
    };
    read();
    new MutationObserver(read).observe(root, { subtree: true, childList: true, characterData: true });
    const watch = setInterval(() => {
      const link = window.tandemPhone?.link;
      if (link && (link.restarting || link.phase.kind !== 'open')) {
        record.noticedAt = performance.now();
        clearInterval(watch);
      }
    }, 10);
  });
}

export function readPresence(page: Page): Promise<PresenceRecord> {
  return page.evaluate(() => (window as unknown as { __presence: PresenceRecord }).__presence);
}
