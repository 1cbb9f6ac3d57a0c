/**
 * wait_for: waits, with a timeout, until a tab shows some text (or stops
 * showing it), has an element matching a selector, has navigated, or has had
 * no network request in flight for half a second. Each look at the page goes
 * through the same origin re-check as any other page tool, so a tab that moved
 * to another site while waiting ends the wait with an error; only visible text
 * and elements count, as only those are listed.
 */
import { z } from 'zod';
import { wrapUntrusted } from '../permissions/untrusted-content';
import type { WebPlatform } from '../web/platform';
import { type ToolDefinition, ToolError, textOutput } from './registry';
import { currentPage, Tab } from './tabs';
import { gateContext, siteRequest } from './web';

const POLL_MS = 250;
const IDLE_QUIET_MS = 500;

const WaitInput = z.object({
  tab: Tab,
  for: z
    .enum(['text', 'text_gone', 'element', 'navigation', 'network_idle'])
    .describe(
      'text: until the text is visible; text_gone: until it is not; element: until an element matches selector; navigation: until the tab is at another URL and loaded; network_idle: until no request is in flight for 0.5 s.',
    ),
  text: z.string().min(1).max(500).optional().describe('For text and text_gone (any case).'),
  selector: z.string().min(1).max(500).optional().describe('For element: a CSS selector.'),
  timeoutMs: z.number().int().min(100).max(30_000).default(10_000).describe('Give up after this long.'),
});

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export function waitTools(web: WebPlatform): ToolDefinition<typeof WaitInput>[] {
  return [
    {
      name: 'wait_for',
      description:
        'Waits in one of your tabs, up to timeoutMs (default 10 s, at most 30 s), for text to appear or go, an element (CSS selector) to appear, a navigation to finish, or the network to be idle. Use it after an action whose result comes later.',
      input: WaitInput,
      risk: 'read',
      idempotent: true,
      async permission(input, ctx) {
        const { page } = await currentPage(web, input.tab, ctx);
        return siteRequest(page, 'use');
      },
      async execute(input, ctx) {
        const { page } = await currentPage(web, input.tab, ctx);
        await web.egress.check(page, gateContext(ctx));
        const started = Date.now();
        const deadline = started + input.timeoutMs;
        const waited = () => `${Date.now() - started} ms`;
        if (input.for === 'network_idle') {
          if (!web.tabs.networkIdle) throw new ToolError('This browser cannot tell when the network is idle.');
          const idle = await web.tabs.networkIdle(input.tab, IDLE_QUIET_MS, input.timeoutMs);
          return idle
            ? textOutput(`The network in tab ${input.tab} is idle (after ${waited()}).`)
            : textOutput(`Requests were still going on in tab ${input.tab} after ${input.timeoutMs} ms.`, true);
        }
        if (input.for === 'navigation') {
          const from = (await web.tabs.state(input.tab)).url;
          while (Date.now() < deadline && !ctx.signal.aborted) {
            const state = await web.tabs.state(input.tab);
            if (state.url !== from && !state.loading) {
              return textOutput(
                state.errorPage
                  ? `Tab ${input.tab} went to ${state.url}, which could not be loaded or was blocked.`
                  : `Tab ${input.tab} is now at ${state.url} (after ${waited()}). Use read_page to see it.`,
                state.errorPage,
              );
            }
            await sleep(POLL_MS);
          }
          return textOutput(`Tab ${input.tab} did not navigate within ${input.timeoutMs} ms.`, true);
        }
        const wanted = input.for === 'element' ? input.selector : input.text;
        if (!wanted) throw new ToolError(input.for === 'element' ? 'Give a selector.' : 'Give the text to wait for.');
        while (!ctx.signal.aborted) {
          // Each look re-checks the tab and its origin, as every page tool does.
          const { page: now } = await currentPage(web, input.tab, ctx);
          if (now.origin !== page.origin) throw new ToolError(`Tab ${input.tab} moved to ${now.origin} while waiting.`);
          const response = await web.tabs.runPage(
            input.tab,
            page.origin,
            input.for === 'element' ? { op: 'query', selector: wanted, max: 5 } : { op: 'find', text: wanted, max: 1 },
          );
          if (response.op === 'error') throw new ToolError(response.error);
          if (response.op !== 'found') throw new ToolError(`Tab ${input.tab} gave an unexpected answer.`);
          const seen = response.total > 0;
          if (seen !== (input.for === 'text_gone')) {
            const refs = response.matches.map((m) => (m.ref ? `[${m.ref}] ${JSON.stringify(m.context)}` : ''));
            const what = input.for === 'text_gone' ? 'is gone' : 'is there';
            return textOutput(
              [
                `${input.for === 'element' ? 'The element' : 'The text'} ${what} (after ${waited()}).`,
                ...(input.for === 'element' && refs.length > 0 ? [wrapUntrusted(page.origin, refs.join('\n'))] : []),
              ].join('\n'),
            );
          }
          if (Date.now() >= deadline) break;
          await sleep(POLL_MS);
        }
        return textOutput(
          `${input.for === 'text_gone' ? 'Still there' : 'Not seen'} in tab ${input.tab} after ${input.timeoutMs} ms.`,
          true,
        );
      },
    },
  ];
}
