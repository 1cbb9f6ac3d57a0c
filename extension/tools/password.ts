/**
 * type_password: typing into a password field, which `type` refuses. Two ways,
 * both asked of the user per site and per task:
 * - the model has the password (the user gave it in the chat): the user
 *   approves typing passwords on that site for this task ("Let Tandem type your
 *   password on example.com this time");
 * - the model does not: the user types the password into the Tandem prompt
 *   itself. It goes from the prompt to the page field through an in-memory
 *   vault (permissions/secret-vault.ts): it is never in the event log, so the
 *   model never sees it, and it is asked for every time.
 * The field is checked at both moments (asking and typing): it must still be a
 * password field of the page on the origin that was asked about.
 */
import { z } from 'zod';
import { GRANT_OPTIONS } from '../permissions/grant-policy';
import { ALLOW_TASK, type PermissionRequest } from '../permissions/permission-gate';
import { approvalKey } from '../permissions/plan-approval';
import { type SecretVault, TYPE_SECRET } from '../permissions/secret-vault';
import { Ref } from '../web/page-protocol';
import type { WebPlatform } from '../web/platform';
import { SITE_POLICY } from '../web/site-policy';
import { type ToolContext, type ToolDefinition, ToolError } from './registry';
import { describeOutcome, elementPlan, Tab } from './tabs';
import { gateContext } from './web';

const PasswordInput = z.object({
  tab: Tab,
  ref: Ref.describe('The password field, by its ref from read_page.'),
  text: z
    .string()
    .min(1)
    .max(1_000)
    .optional()
    .describe('The password, only if the user gave it to you. Leave it out to have the user type it into Tandem.'),
});
type PasswordInput = z.infer<typeof PasswordInput>;

const DENY = { id: 'deny', label: 'Deny', tone: 'danger' as const };

function passwordRequest(input: PasswordInput, origin: string, toolUseId: string): PermissionRequest {
  if (input.text !== undefined) {
    const forTask = GRANT_OPTIONS[ALLOW_TASK]?.option;
    return {
      policy: SITE_POLICY,
      scope: origin,
      title: `Let Tandem type your password on ${origin} this time?`,
      detail: `The agent wants to type a password it was given into a password field on ${origin}. Your answer covers password fields on ${origin} until this task ends.`,
      options: [...(forTask ? [{ ...forTask, tone: 'primary' as const }] : []), DENY],
      alwaysAsk: true,
      approvalKey: approvalKey('password', origin),
    };
  }
  return {
    policy: SITE_POLICY,
    scope: origin,
    title: `Type your password for ${origin}`,
    detail: `Tandem will type what you enter here into the password field on ${origin}. The agent never sees it, and it is not saved.`,
    options: [{ id: TYPE_SECRET, label: 'Type it in', tone: 'primary' }, DENY],
    alwaysAsk: true,
    secretFor: toolUseId,
  };
}

export function passwordTools(web: WebPlatform, secrets: SecretVault): ToolDefinition<typeof PasswordInput>[] {
  // The site asked about is the one the field is on: a frame's own when the field is in a frame.
  const plan = async (input: PasswordInput, ctx: ToolContext) => {
    let origin = '';
    const planned = await elementPlan(web, input.tab, input.ref, ctx, (facts, page) => {
      origin = facts.frameOrigin ?? page.origin;
      return facts.password
        ? { key: JSON.stringify(['password', origin, facts.tag, facts.name, facts.formAction ?? '']) }
        : { key: '', refuse: `${input.ref} is not a password field: use type.` };
    });
    return { ...planned, origin };
  };
  return [
    {
      name: 'type_password',
      description:
        'Types a password into a password field (by its ref) in one of your tabs; `type` refuses password fields. Give the password only if the user gave it to you; otherwise leave it out and the user types it into Tandem, and you never see it. The user is asked either way.',
      input: PasswordInput,
      risk: 'write',
      idempotent: false,
      async permission(input, ctx) {
        const stored = await web.plans.get(ctx.toolUseId);
        if (stored?.request) return stored.request;
        const { plan: decided, origin } = await plan(input, ctx);
        if (decided.refuse) throw new ToolError(decided.refuse);
        const request = passwordRequest(input, origin, ctx.toolUseId);
        await web.plans.put(ctx.toolUseId, { key: decided.key, request });
        return request;
      },
      async execute(input, ctx) {
        const { plan: decided, page, owner, origin } = await plan(input, ctx);
        const stored = await web.plans.get(ctx.toolUseId);
        if (decided.refuse) throw new ToolError(decided.refuse);
        if (!stored || stored.key !== decided.key || stored.request?.scope !== origin) {
          throw new ToolError('The page changed since the user was asked, so nothing was typed. Read the page again.');
        }
        const text = input.text ?? secrets.take(ctx.toolUseId);
        if (text === undefined) {
          throw new ToolError('The user gave no password (or Tandem restarted since they did). Nothing was typed.');
        }
        await web.egress.check(page, gateContext(ctx));
        await web.tabs.prepare(input.tab, owner);
        const watcher = await web.tabs.watch(input.tab, { returnTo: page.href });
        const response = await web.tabs.runPage(input.tab, page.origin, {
          op: 'type',
          ref: input.ref,
          text,
          clear: true,
          password: true,
        });
        if (response.op === 'error') throw new ToolError(response.error);
        const what =
          input.text === undefined
            ? `Typed the password the user entered into ${input.ref} (it is not shown to you).`
            : `Typed the password into ${input.ref}.`;
        return describeOutcome(what, await watcher.settle());
      },
    },
  ];
}
