/**
 * propose_plan: the model states a task's sites and high-risk steps up front,
 * the user approves the plan once, and the steps it named do not ask again
 * (permissions/plan-approval.ts says what a plan covers and what it never
 * does). Approving grants the plan's sites for this task through the site
 * policy, exactly as "Allow for this task" on each site's prompt would: a site
 * the user's rules deny stays denied, and the tabs' navigation rules follow
 * the same grants.
 */
import { z } from 'zod';
import { type ApprovedPlan, PLAN_STEP_KINDS, planRequest } from '../permissions/plan-approval';
import type { WebPlatform } from '../web/platform';
import { SITE_POLICY } from '../web/site-policy';
import { type ToolDefinition, textOutput } from './registry';
import { gateContext, parseToolUrl } from './web';

const PlanInput = z.object({
  goal: z.string().min(1).max(500).describe('What the task is for, in a sentence the user will read.'),
  sites: z
    .array(z.string().min(1).max(4_096))
    .max(20)
    .describe('Every site (URL or origin) the task will read or act on.'),
  steps: z
    .array(
      z.object({
        kind: z.enum(PLAN_STEP_KINDS),
        site: z.string().min(1).max(4_096).describe('The site (URL or origin) the step happens on.'),
        what: z.string().min(1).max(300).describe('What the step does, e.g. "pay for the order of 2 mugs".'),
      }),
    )
    .max(20)
    .default([])
    .describe(
      'The steps that need confirming: form submissions, payments, downloads, account deletions, uploads of local files. Name each payment, download, deletion or upload: each named one is confirmed once.',
    ),
});
type PlanInput = z.infer<typeof PlanInput>;

/** The plan as the user will see it: origins only, each step's site among the plan's sites. */
export function normalisePlan(input: PlanInput): ApprovedPlan {
  const steps = input.steps.map((step) => ({
    kind: step.kind,
    origin: parseToolUrl(step.site).origin,
    what: step.what,
  }));
  const sites = [...new Set([...input.sites.map((site) => parseToolUrl(site).origin), ...steps.map((s) => s.origin)])];
  return { goal: input.goal, sites, steps };
}

export function planTools(web: WebPlatform): ToolDefinition<typeof PlanInput>[] {
  return [
    {
      name: 'propose_plan',
      description:
        'Before a task that uses several sites or needs confirmations, asks the user to approve a plan once: the sites you will use and the steps that need confirming (form submissions, payments, downloads, account deletions, uploads of local files). Once approved, those sites and steps do not ask again during this task; anything outside the plan still asks. Passwords always ask.',
      input: PlanInput,
      risk: 'write',
      idempotent: true,
      permission: (input) => planRequest(normalisePlan(input)),
      async execute(input, ctx) {
        const plan = normalisePlan(input);
        const gate = gateContext(ctx);
        const blocked: string[] = [];
        for (const origin of plan.sites) {
          const verdict = await web.sites.verdictFor(new URL(origin), gate);
          if (verdict.verdict === 'deny') blocked.push(`${origin} (${verdict.message})`);
          // Only an undecided site gets the task grant: a standing allow stays as it is.
          else if (verdict.verdict === 'ask')
            await web.sites.apply({ policy: SITE_POLICY, scope: origin, title: '', detail: '' }, 'allow_once', gate);
        }
        const lines = [
          'The user approved the plan.',
          `Sites allowed for this task: ${plan.sites.filter((s) => !blocked.some((b) => b.startsWith(s))).join(', ') || 'none'}.`,
          ...(blocked.length > 0 ? [`Still blocked by the user's rules: ${blocked.join('; ')}.`] : []),
          ...(plan.steps.length > 0
            ? [`Confirmed in advance: ${plan.steps.map((s) => `${s.kind} on ${s.origin} (${s.what})`).join('; ')}.`]
            : []),
          'Anything outside the plan will ask the user.',
        ];
        return textOutput(lines.join('\n'), blocked.length > 0);
      },
    },
  ];
}
