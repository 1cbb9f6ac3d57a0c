/**
 * Page tools beyond click and type (issue 10): choosing options in a list box,
 * and (growing) the other things a person does on a page. Every one goes
 * through the same checks as the tab tools (tools/tabs.ts): the tab must be
 * this task's, its page on an allowed site and still on the origin that was
 * checked, and the question the user answered is kept per tool call, so a page
 * that changes meanwhile gets the action refused.
 */
import { z } from 'zod';
import { planType } from '../web/action-risk';
import { Ref } from '../web/page-protocol';
import type { WebPlatform } from '../web/platform';
import type { ToolDefinition } from './registry';
import { elementPlan, plannedTool, Tab } from './tabs';

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
};

export function pageActionTools(web: WebPlatform): ToolDefinition[] {
  const tools = [
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
  ];
  return tools as unknown as ToolDefinition[];
}
