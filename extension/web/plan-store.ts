/**
 * What a tab tool asked permission for, per tool call. A tool call's permission
 * is computed again when the user answers and when the call finally runs; for
 * tab actions it depends on the live page, which may change in between. The
 * first answer is kept here so the user's "Always allow" lands on the origin
 * they were shown, and the action compares its fresh plan against it (a page
 * that re-pointed a link while the user was deciding gets nothing).
 */
import { z } from 'zod';
import type { PermissionRequest } from '../permissions/permission-gate';

const StoredRequest = z.object({
  policy: z.string(),
  scope: z.string(),
  title: z.string(),
  detail: z.string(),
  options: z
    .array(z.object({ id: z.string(), label: z.string(), tone: z.enum(['primary', 'neutral', 'danger']) }))
    .optional(),
  alwaysAsk: z.boolean().optional(),
  approvalKey: z.string().optional(),
  secretFor: z.string().optional(),
});

export const StoredPlan = z.object({ at: z.number(), key: z.string(), request: StoredRequest.optional() });
export type StoredPlan = z.infer<typeof StoredPlan>;

export interface PlanStore {
  get(toolUseId: string): Promise<StoredPlan | undefined>;
  put(toolUseId: string, plan: { key: string; request: PermissionRequest | undefined }): Promise<void>;
}

/** Plans are needed for minutes (a pending question), not days. */
const PLAN_MAX_AGE_MS = 24 * 3_600_000;
const STORAGE_KEY = 'tandem.plans';

export interface KeyValueArea {
  get(key: string): Promise<Record<string, unknown>>;
  set(items: Record<string, unknown>): Promise<void>;
}

export class SessionPlanStore implements PlanStore {
  private chain: Promise<unknown> = Promise.resolve();

  constructor(
    private readonly area: KeyValueArea,
    private readonly now: () => number,
  ) {}

  private async all(): Promise<Record<string, StoredPlan>> {
    const stored = await this.area.get(STORAGE_KEY);
    const parsed = z.record(z.string(), StoredPlan).safeParse(stored[STORAGE_KEY] ?? {});
    return parsed.success ? parsed.data : {};
  }

  async get(toolUseId: string): Promise<StoredPlan | undefined> {
    await this.chain;
    return (await this.all())[toolUseId];
  }

  put(toolUseId: string, plan: { key: string; request: PermissionRequest | undefined }): Promise<void> {
    const run = this.chain.then(async () => {
      const now = this.now();
      const plans = Object.fromEntries(
        Object.entries(await this.all()).filter(([, p]) => now - p.at < PLAN_MAX_AGE_MS),
      );
      plans[toolUseId] = { at: now, key: plan.key, ...(plan.request ? { request: plan.request } : {}) };
      await this.area.set({ [STORAGE_KEY]: plans });
    });
    this.chain = run.catch(() => {});
    return run;
  }
}

/** For Node tests and benchmarks. */
export function memoryArea(): KeyValueArea {
  const data: Record<string, unknown> = {};
  return {
    get: async (key) => (key in data ? { [key]: structuredClone(data[key]) } : {}),
    set: async (items) => {
      for (const [key, value] of Object.entries(items)) data[key] = structuredClone(value);
    },
  };
}
