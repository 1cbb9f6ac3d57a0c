/**
 * Dialogs and console messages of an agent tab (issue 10, item 9). A page's
 * alert, confirm and prompt are answered at once in agent tabs (why:
 * web/page-world.ts) and reported with the action that opened them; the model
 * chooses how the next confirm or prompt is answered with answer_dialog, then
 * repeats the action. read_console returns the page's recent console messages
 * and uncaught errors. Both go through the same checks as every page tool
 * (this task's tab, an allowed site, still the origin that was checked), and
 * everything the page wrote is shown as untrusted content.
 */
import { z } from 'zod';
import { wrapUntrusted } from '../permissions/untrusted-content';
import { ENTRY_CHARS, type PageWorldRequest, type PageWorldResponse } from '../web/page-world';
import type { WebPlatform } from '../web/platform';
import { type ToolContext, type ToolDefinition, ToolError, textOutput } from './registry';
import { currentPage, Tab } from './tabs';
import { gateContext, siteRequest } from './web';

const CONSOLE_DEFAULT = 50;

const Inputs = {
  answer_dialog: z.object({
    tab: Tab,
    accept: z.boolean().describe('true: OK for the next confirm or prompt; false: Cancel.'),
    text: z
      .string()
      .max(10_000)
      .optional()
      .describe("For a prompt: the text to answer with (default: the prompt's own suggestion)."),
  }),
  read_console: z.object({
    tab: Tab,
    max: z.number().int().min(1).max(200).default(CONSOLE_DEFAULT).describe('At most this many of the newest entries.'),
  }),
};

async function askPage(
  web: WebPlatform,
  tab: number,
  ctx: ToolContext,
  request: PageWorldRequest,
): Promise<{ answer: PageWorldResponse; origin: string }> {
  const { page } = await currentPage(web, tab, ctx);
  await web.egress.check(page, gateContext(ctx));
  if (!web.tabs.pageWorld) throw new ToolError('This browser cannot reach the page’s dialogs and console.');
  const answer = await web.tabs.pageWorld(tab, page.origin, request);
  if (answer.op === 'error') throw new ToolError(answer.error);
  return { answer, origin: page.origin };
}

export function dialogTools(web: WebPlatform): ToolDefinition[] {
  const answerDialog: ToolDefinition<typeof Inputs.answer_dialog> = {
    name: 'answer_dialog',
    description:
      "Sets how the next confirm or prompt dialog of the tab's page is answered (OK or Cancel, and a prompt's text). Dialogs never wait: without an answer, confirm and prompt are cancelled and alert is closed; each action reports the dialogs it opened. Call this, then repeat the action.",
    input: Inputs.answer_dialog,
    risk: 'write',
    idempotent: true,
    async permission(input, ctx) {
      const { page } = await currentPage(web, input.tab, ctx);
      return siteRequest(page, 'use');
    },
    async execute(input, ctx) {
      await askPage(web, input.tab, ctx, {
        op: 'answer_next',
        accept: input.accept,
        ...(input.text === undefined ? {} : { text: input.text }),
      });
      const what = input.accept
        ? `accepted${input.text === undefined ? '' : ` with ${JSON.stringify(input.text)}`}`
        : 'cancelled';
      return textOutput(
        `The next confirm or prompt in tab ${input.tab} will be ${what}. Now do the action that opens it.`,
      );
    },
  };
  const readConsole: ToolDefinition<typeof Inputs.read_console> = {
    name: 'read_console',
    description:
      "Reads the newest console messages and uncaught errors of the tab's page (since Tandem first acted on it; kept per page load), oldest first.",
    input: Inputs.read_console,
    risk: 'read',
    idempotent: true,
    async permission(input, ctx) {
      const { page } = await currentPage(web, input.tab, ctx);
      return siteRequest(page, 'use');
    },
    async execute(input, ctx) {
      const { answer, origin } = await askPage(web, input.tab, ctx, { op: 'console', max: input.max });
      if (answer.op !== 'console') throw new ToolError(`Tab ${input.tab} gave an unexpected answer.`);
      if (answer.entries.length === 0) return textOutput(`No console messages in tab ${input.tab}.`);
      const lines = answer.entries.map((e) => `${e.level}: ${e.text.slice(0, ENTRY_CHARS + 1)}`);
      return textOutput(
        [
          `${answer.entries.length} console entries from tab ${input.tab}${answer.dropped > 0 ? ` (${answer.dropped} older ones were dropped)` : ''}:`,
          wrapUntrusted(origin, lines.join('\n')),
        ].join('\n'),
      );
    },
  };
  return [answerDialog, readConsole] as ToolDefinition[];
}
