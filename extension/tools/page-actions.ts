/**
 * Page tools beyond click and type (issue 10): choosing options in a list box,
 * hovering, dragging, and clicking a point of a screenshot. Every one goes
 * through the same checks as the tab tools (tools/tabs.ts): the tab must be
 * this task's, its page on an allowed site and still on the origin that was
 * checked, and the question the user answered is kept per tool call, so a page
 * that changes meanwhile gets the action refused. A click by coordinates is
 * planned from the element at that point, exactly as a click on its ref is.
 */
import { z } from 'zod';
import { wrapUntrusted } from '../permissions/untrusted-content';
import { type ActionPlan, planClick, planType } from '../web/action-risk';
import { type ElementFacts, Ref } from '../web/page-protocol';
import type { WebPlatform } from '../web/platform';
import { type ToolContext, type ToolDefinition, ToolError, textOutput } from './registry';
import { currentPage, describeOutcome, elementPlan, plannedTool, Tab } from './tabs';
import { gateContext, siteRequest } from './web';

/** read_value returns this much of a value per call; longer values are read in pages with `from`. */
const VALUE_PER_READ = 20_000;
/** find_text shows this many matches, over the page and its frames. */
const FINDS = 20;

const Pixel = z.number().int().min(0).max(100_000);

const Inputs = {
  select_option: z.object({
    tab: Tab,
    ref: Ref,
    options: z
      .array(z.string().min(1).max(1_000))
      .min(1)
      .max(100)
      .describe(
        'The options to choose, by visible text or value. For a multiple list box, exactly these end up selected.',
      ),
  }),
  read_value: z.object({
    tab: Tab,
    ref: Ref,
    from: z.number().int().min(0).default(0).describe('Start at this character (for long values).'),
  }),
  find_text: z.object({ tab: Tab, text: z.string().min(1).max(500).describe('The text to look for (any case).') }),
  select_text: z.object({
    tab: Tab,
    ref: Ref.optional().describe('The field, editor or element to select in; default: the whole page.'),
    text: z
      .string()
      .min(1)
      .max(10_000)
      .optional()
      .describe('The text to select (its first visible occurrence); default: all of ref.'),
  }),
  go_history: z.object({ tab: Tab, direction: z.enum(['back', 'forward']).default('back') }),
  hover: z.object({ tab: Tab, ref: Ref }),
  drag: z.object({
    tab: Tab,
    ref: Ref.describe('The element to press on (a slider handle, a list item, a resize grip).'),
    to: Ref.describe('The element to release over.'),
  }),
  click_at: z.object({
    tab: Tab,
    x: Pixel.describe('Pixels from the left of the latest screenshot of this tab.'),
    y: Pixel.describe('Pixels from the top of the latest screenshot of this tab.'),
  }),
};

const keyOf = (kind: string, ...facts: ElementFacts[]) =>
  JSON.stringify([kind, ...facts.map((f) => [f.tag, f.role, f.name, f.href ?? ''])]);

async function describeRef(web: WebPlatform, tab: number, origin: string, ref: string): Promise<ElementFacts> {
  const response = await web.tabs.runPage(tab, origin, { op: 'describe', ref });
  if (response.op === 'error') throw new ToolError(response.error);
  if (response.op !== 'describe') throw new ToolError(`Tab ${tab} gave an unexpected answer.`);
  return response.element;
}

export function pageActionTools(web: WebPlatform): ToolDefinition[] {
  const dragPlan = async (input: z.infer<typeof Inputs.drag>, ctx: ToolContext) => {
    const { owner, page } = await currentPage(web, input.tab, ctx);
    if (input.ref === input.to) throw new ToolError('Dragging an element onto itself is a click: use click.');
    const from = await describeRef(web, input.tab, page.origin, input.ref);
    const to = await describeRef(web, input.tab, page.origin, input.to);
    const plan: ActionPlan = { key: keyOf('drag', from, to) };
    return { plan, page, owner };
  };
  const pointPlan = async (input: z.infer<typeof Inputs.click_at>, ctx: ToolContext) => {
    const { owner, page } = await currentPage(web, input.tab, ctx);
    const response = await web.tabs.runPage(input.tab, page.origin, { op: 'probe', x: input.x, y: input.y });
    if (response.op === 'error') throw new ToolError(response.error);
    if (response.op !== 'probe') throw new ToolError(`Tab ${input.tab} gave an unexpected answer.`);
    // What is at the point decides, as for a click on its ref: a submit button there is a form submission.
    return { plan: planClick(response.element, page.href), page, owner };
  };
  const tools = [
    {
      name: 'read_value',
      description: `Reads the exact value of a field (input, text area, list box, editable area) by its ref: every space and line as it is, where read_page shortens values. ${VALUE_PER_READ} characters per call; use "from" for more. Password fields are never read.`,
      input: Inputs.read_value,
      risk: 'read',
      idempotent: true,
      async permission(input, ctx) {
        const { page } = await currentPage(web, input.tab, ctx);
        return siteRequest(page, 'use');
      },
      async execute(input, ctx) {
        const { page } = await currentPage(web, input.tab, ctx);
        await web.egress.check(page, gateContext(ctx));
        const response = await web.tabs.runPage(input.tab, page.origin, {
          op: 'value',
          ref: input.ref,
          from: input.from,
          max: VALUE_PER_READ,
        });
        if (response.op === 'error') throw new ToolError(response.error);
        if (response.op !== 'value') throw new ToolError(`Tab ${input.tab} gave an unexpected answer.`);
        const end = input.from + response.value.length;
        const range =
          response.total === 0
            ? `${input.ref} is empty.`
            : `${input.ref} holds ${response.total} characters; characters ${input.from + 1}–${end} follow, exactly.`;
        const more = end < response.total ? [`[More: call read_value with from=${end}.]`] : [];
        return textOutput([range, wrapUntrusted(page.origin, response.value), ...more].join('\n'));
      },
    } satisfies ToolDefinition<typeof Inputs.read_value>,
    plannedTool(
      web,
      {
        name: 'select_option',
        description:
          'Chooses options in a list box (<select>, by its ref from read_page) in one of your tabs: one option, or for a multiple list box every option that should end up selected.',
        input: Inputs.select_option,
      },
      {
        // Choosing an option sends nothing anywhere by itself; the form it is in is confirmed when submitted.
        plan: (input, ctx) => elementPlan(web, input.tab, input.ref, ctx, (facts) => planType(facts)),
        request: (input) => ({ op: 'select', ref: input.ref, values: input.options }),
        describe: (input) => `In ${input.ref}:`,
      },
    ),
    {
      name: 'find_text',
      description:
        'Finds text in one of your tabs (visible text only, any case, like Ctrl+F): up to 20 matches with the words around them, and the ref of the control a match is in.',
      input: Inputs.find_text,
      risk: 'read',
      idempotent: true,
      async permission(input, ctx) {
        const { page } = await currentPage(web, input.tab, ctx);
        return siteRequest(page, 'use');
      },
      async execute(input, ctx) {
        const { page } = await currentPage(web, input.tab, ctx);
        await web.egress.check(page, gateContext(ctx));
        const response = await web.tabs.runPage(input.tab, page.origin, { op: 'find', text: input.text, max: FINDS });
        if (response.op === 'error') throw new ToolError(response.error);
        if (response.op !== 'found') throw new ToolError(`Tab ${input.tab} gave an unexpected answer.`);
        // Frames of allowed sites are searched too, each shown under its own origin.
        const frames = (
          (await web.tabs.readFrames?.(input.tab, {
            op: 'find',
            text: input.text,
            max: FINDS - response.matches.length,
          })) ?? []
        ).flatMap((f) => (f.response?.op === 'found' && f.origin ? [{ origin: f.origin, found: f.response }] : []));
        const sources = [{ origin: page.origin, found: response }, ...frames];
        const total = sources.reduce((sum, s) => sum + s.found.total, 0);
        const shown = sources.reduce((sum, s) => sum + s.found.matches.length, 0);
        if (total === 0) return textOutput(`No visible text in tab ${input.tab} matches that.`);
        let n = 0;
        const blocks = sources
          .filter((s) => s.found.matches.length > 0)
          .map((s) =>
            wrapUntrusted(
              s.origin,
              s.found.matches
                .map((m) => `${++n}. ${m.ref ? `[${m.ref}] ` : ''}${JSON.stringify(m.context)}`)
                .join('\n'),
            ),
          );
        return textOutput(
          [
            `${total} match${total === 1 ? '' : 'es'} in tab ${input.tab}${total > shown ? ` (first ${shown} shown)` : ''}:`,
            ...blocks,
          ].join('\n'),
        );
      },
    } satisfies ToolDefinition<typeof Inputs.find_text>,
    {
      name: 'go_history',
      description:
        'Goes back (or forward) one page in one of your tabs, like the browser buttons. A page on a site that is not allowed is blocked, not loaded.',
      input: Inputs.go_history,
      risk: 'read',
      idempotent: false,
      async permission(input, ctx) {
        const { page } = await currentPage(web, input.tab, ctx);
        return siteRequest(page, 'use');
      },
      async execute(input, ctx) {
        const { owner, page } = await currentPage(web, input.tab, ctx);
        await web.egress.check(page, gateContext(ctx));
        await web.tabs.prepare(input.tab, owner);
        // Where history leads is only known once it goes there: the tab's rules hold it (navigation-guard.ts).
        const watcher = await web.tabs.watch(input.tab, { returnTo: page.href });
        const response = await web.tabs.runPage(input.tab, page.origin, { op: 'history', direction: input.direction });
        if (response.op === 'error') throw new ToolError(response.error);
        return describeOutcome(`Went ${input.direction}.`, await watcher.settle());
      },
    } satisfies ToolDefinition<typeof Inputs.go_history>,
    plannedTool(
      web,
      {
        name: 'hover',
        description:
          'Moves the pointer over an element (by its ref) in one of your tabs, for menus and tooltips that open on hover. Read the page again to see what opened.',
        input: Inputs.hover,
      },
      {
        plan: (input, ctx) => elementPlan(web, input.tab, input.ref, ctx, (facts) => ({ key: keyOf('hover', facts) })),
        request: (input) => ({ op: 'hover', ref: input.ref }),
        describe: (input) => `Hovered over ${input.ref}.`,
      },
    ),
    plannedTool(
      web,
      {
        name: 'select_text',
        description:
          'Selects text in one of your tabs, as a person does by dragging over it: in a field, an editor or the page. Then act on it: press_key with modifiers ["Control"] and "b" for bold, "c" to copy.',
        input: Inputs.select_text,
      },
      {
        plan: async (input, ctx) => {
          if (input.ref)
            return elementPlan(web, input.tab, input.ref, ctx, (facts) => ({ key: keyOf('select', facts) }));
          const { owner, page } = await currentPage(web, input.tab, ctx);
          return { plan: { key: JSON.stringify(['select', page.href]) }, page, owner };
        },
        request: (input) => ({
          op: 'select_text',
          ...(input.ref ? { ref: input.ref } : {}),
          ...(input.text ? { text: input.text } : {}),
        }),
        describe: () => 'Done:',
      },
    ),
    plannedTool(
      web,
      {
        name: 'drag',
        description:
          'Drags in one of your tabs: presses on one element (ref), moves the pointer to another (to) and releases it there. For sliders, reordering lists, resizing.',
        input: Inputs.drag,
      },
      {
        plan: dragPlan,
        request: (input) => ({ op: 'drag', ref: input.ref, to: input.to }),
        describe: (input) => `Dragged ${input.ref} to ${input.to}.`,
      },
    ),
    plannedTool(
      web,
      {
        name: 'click_at',
        description:
          'Clicks a point of one of your tabs, in pixels of its latest screenshot (for canvas, maps and charts that have no refs). Take a screenshot first; scrolling changes what is where. Links, form submissions and the other checks of click apply to whatever is at that point.',
        input: Inputs.click_at,
      },
      {
        plan: pointPlan,
        request: (input) => ({ op: 'click_point', x: input.x, y: input.y }),
        describe: (input) => `Clicked at (${input.x}, ${input.y}).`,
      },
    ),
  ];
  return tools as unknown as ToolDefinition[];
}
