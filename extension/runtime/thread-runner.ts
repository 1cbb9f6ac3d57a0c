/**
 * Runs one thread's tasks: plans a step from the durable state, carries it out,
 * appends what happened, repeats. Every effect is recorded in the log before it
 * is published to clients, and the plan is always recomputed from the log, so a
 * runtime that dies anywhere resumes correctly on its next start.
 */

import { costUsd, formatUsd } from '../../shared/pricing';
import type {
  Actor,
  AuditEntry,
  DeviceIdentity,
  EventBody,
  ScheduledRun,
  TaskOutcome,
  ThreadEvent,
  ToolUseBlock,
} from '../../shared/protocol';
import type { PermissionGate, PermissionRequest } from '../permissions/permission-gate';
import type { ThreadRecord } from '../storage/db';
import type { EventLog } from '../storage/event-log';
import type { Settings } from '../storage/settings-store';
import { StorageFailure } from '../storage/storage-guard';
import { type ToolContext, ToolError, type ToolRegistry } from '../tools/registry';
import type { TabIndicator } from '../web/platform';
import { boundToolOutput } from './bound-output';
import { contextBudget } from './context/budget';
import { compactionMessages, summarise } from './context/compactor';
import { ContextPlanner } from './context/context-plan';
import { sizeOf } from './context/token-estimate';
import { type ConversationState, reduce, stateFromEvents, viewSource } from './conversation-state';
import { fitImages, type ImageResizer } from './images/image-fit';
import { classifyError, ModelCallAborted, ModelCallError, type ModelClient, type ModelRequest } from './model-client';
import { atStepCap, nextStep, type Step } from './planner';
import { retryDecision } from './retry-policy';
import { applyToSummary } from './thread-summary';

export interface RunnerDeps {
  log: EventLog;
  tools: ToolRegistry;
  gate: PermissionGate;
  model: ModelClient;
  /** Scales tool images before they are stored for the model (see images/image-fit.ts). */
  images?: ImageResizer;
  /** Marks the agent tab a task acts in, in the browser (web/tab-indicator.ts). */
  indicator?: TabIndicator;
  settings(): Promise<Settings>;
  /** Resolves once tools that load from storage (connectors) are registered: a step needs them all. */
  toolsReady?(): Promise<void>;
  systemPrompt(): string;
  now(): number;
  newId(): string;
  /** Runs a storage operation with the runtime's reopen-and-retry (see storage/storage-guard.ts). */
  storage<T>(operation: () => Promise<T>): Promise<T>;
  /** A write failed even after a reopen: the loop stopped, the task waits for `resume()`. */
  paused(threadId: string, failure: StorageFailure): void;
  /** The loop stopped on an unexpected error (a bug, or a thread deleted under it). */
  loopFailed(threadId: string, message: string): void;
  /** Sends appended events to subscribed clients (after they are durable). */
  publish(events: readonly ThreadEvent[]): void;
  threadChanged(thread: ThreadRecord): void;
  activity(threadId: string, status: 'retrying', retryAt: number): void;
  /** `task`: what the finished task was (a scheduled run, its cost), for the schedule's record. */
  taskFinished(threadId: string, outcome: TaskOutcome, task: FinishedTask): void;
  /** Held while a loop is running so the host (an MV3 service worker) stays alive. */
  keepAlive(): () => void;
}

export interface FinishedTask {
  run: ScheduledRun | undefined;
  costUsd: number;
}

/** The answers a task-level decision takes (permission decisions take the gate's options). */
const TASK_DECISION_OPTIONS: Record<'budget' | 'connection', readonly string[]> = {
  budget: ['continue', 'stop'],
  connection: ['retry', 'stop'],
};

/** A request the API found too big is shrunk and retried this many times before the task fails. */
const MAX_SHRINK_ATTEMPTS = 3;

/** Text deltas are written in batches: per token would be thousands of transactions per answer. */
const TEXT_FLUSH_MS = 60;
const TEXT_FLUSH_CHARS = 2_000;

export class DecisionError extends Error {
  constructor(
    message: string,
    readonly code: 'unknown_decision' | 'not_allowed' = 'unknown_decision',
  ) {
    super(message);
    this.name = 'DecisionError';
  }
}

/** What a phone's decision card says instead of the answers that would outlive the task. */
export const PERMANENT_ON_COMPUTER = 'To allow this permanently, use the computer.';

export class ThreadRunner {
  private state: ConversationState | undefined;
  private loading: Promise<ConversationState> | undefined;
  private loop: Promise<void> | undefined;
  private wake = false;
  private inflight: AbortController | undefined;
  /** Serialises appends so events reach the state in seq order. */
  private chain: Promise<unknown> = Promise.resolve();
  /** Keeps requests under the context budget (elision in memory, compaction in the log). */
  private readonly context = new ContextPlanner();
  /** The wait before the next retry of a model call, which "Retry now" cuts short. */
  private retryWait: AbortController | undefined;
  /** Set when a write failed mid-task: no loop runs until `resume()`. */
  private pausedBy: StorageFailure | undefined;
  /** Who answered each decision, device included (the audit row names the phone). */
  private readonly answerers = new Map<string, Actor>();

  constructor(
    readonly threadId: string,
    private readonly deps: RunnerDeps,
  ) {}

  async loadState(): Promise<ConversationState> {
    if (this.state) return this.state;
    this.loading ??= this.deps
      .storage(() => this.deps.log.all(this.threadId))
      .then((events) => {
        for (const event of events) this.noteAnswerer(event);
        this.state = stateFromEvents(this.threadId, events);
        return this.state;
      })
      .catch((error: unknown) => {
        this.loading = undefined; // a failed read is tried again next time, not remembered
        throw error;
      });
    return this.loading;
  }

  /** Appends (with any audit rows, in the same transaction), folds into the state, then publishes: in that order, always. */
  async append(bodies: readonly EventBody[], audit: readonly AuditEntry[] = []): Promise<ThreadEvent[]> {
    return (await this.write(bodies, undefined, audit)) ?? [];
  }

  /**
   * Appends on behalf of a client command, once per command id (see EventLog.appendOnce);
   * resolves to null when the command was already applied.
   */
  appendForCommand(
    commandId: string,
    bodies: readonly EventBody[],
    update: (thread: ThreadRecord) => void = () => {},
    audit: readonly AuditEntry[] = [],
  ): Promise<ThreadEvent[] | null> {
    return this.write(bodies, { commandId, update }, audit);
  }

  private write(
    bodies: readonly EventBody[],
    opts?: { commandId: string; update: (thread: ThreadRecord) => void },
    audit: readonly AuditEntry[] = [],
  ): Promise<ThreadEvent[] | null> {
    const run = this.chain.then(async () => {
      const state = await this.loadState();
      let changed: ThreadRecord | undefined;
      const update = (thread: ThreadRecord, appended: readonly ThreadEvent[]) => {
        if (applyToSummary(thread, appended)) changed = thread;
        if (opts) {
          opts.update(thread);
          changed = thread;
        }
      };
      const events = await this.deps.storage(() =>
        opts
          ? this.deps.log.appendOnce(this.threadId, opts.commandId, bodies, update, audit)
          : this.deps.log.append(this.threadId, bodies, update, audit),
      );
      if (!events) return null;
      for (const event of events) {
        reduce(state, event);
        this.noteAnswerer(event);
      }
      this.deps.publish(events);
      if (changed) this.deps.threadChanged(changed);
      return events;
    });
    this.chain = run.catch(() => {});
    return run;
  }

  private noteAnswerer(event: ThreadEvent): void {
    if (event.kind === 'decision_resolved') this.answerers.set(event.decisionId, event.by);
  }

  /** Makes sure a loop runs if there is anything to do. */
  kick(): void {
    this.wake = true;
    if (this.loop || this.pausedBy) return;
    const release = this.deps.keepAlive();
    this.loop = this.run()
      .catch((error: unknown) => {
        if (error instanceof StorageFailure) {
          // The log is intact up to its last durable step; the state is read again from it on resume.
          this.pausedBy = error;
          this.state = undefined;
          this.loading = undefined;
          this.deps.paused(this.threadId, error);
          return;
        }
        console.error(`Tandem: thread ${this.threadId} loop failed`, error);
        this.state = undefined;
        this.loading = undefined;
        this.wake = false; // not again at once: the next kick (a message, a resume) tries again
        void this.deps.indicator?.clear(this.threadId).catch(() => {});
        this.deps.loopFailed(this.threadId, error instanceof Error ? error.message : String(error));
      })
      .finally(() => {
        this.loop = undefined;
        release();
        if (this.wake && !this.pausedBy) this.kick();
      });
  }

  /** Carries on after a pause (a failed write): from the log, as after a restart. */
  resume(): void {
    this.pausedBy = undefined;
    this.kick();
  }

  /** Nothing running, nothing paused: the state may be dropped from memory (the log has it all). */
  isIdle(): boolean {
    return !this.loop && !this.pausedBy;
  }

  /** Whether the planner, from the log, has a step to take now (waiting on a person is not one). */
  async hasWork(): Promise<boolean> {
    const state = await this.loadState();
    const settings = await this.deps.settings();
    const step = nextStep(state, {
      isIdempotent: (name) => this.deps.tools.get(name)?.idempotent ?? false,
      spendingCapUsd: settings.spendingCapEnabled ? settings.spendingCapUsd : undefined,
    });
    return step.kind !== 'idle' && step.kind !== 'wait_for_decision';
  }

  /** Resolves when the current loop (if any) has stopped; for tests and shutdown. */
  async idle(): Promise<void> {
    while (this.loop) await this.loop;
  }

  async stop(by: Actor): Promise<boolean> {
    const state = await this.loadState();
    const task = state.task;
    if (!task) return false;
    if (!task.stopRequested) await this.append([{ kind: 'stop_requested', taskId: task.taskId, by }]);
    this.inflight?.abort();
    this.kick();
    return true;
  }

  /** Ends a retry wait at once ("Retry now"); false when the thread was not waiting to retry. */
  retryNow(): boolean {
    if (!this.retryWait) return false;
    this.retryWait.abort();
    return true;
  }

  /**
   * Applies a user's answer to a pending decision, from any client. An untrusted client (a phone)
   * may only give answers whose effect ends with the task: a rule, a timed grant or a folder's
   * auto-approval is the effect of a trusted-only command and is refused from a phone.
   * With `commandKey`, the command is recorded in the transaction that resolves the decision.
   */
  async answer(
    decisionId: string,
    optionId: string,
    by: Actor,
    opts: { trusted: boolean; commandKey?: string; secret?: string },
  ): Promise<void> {
    const state = await this.loadState();
    const task = state.task;
    const decision = task?.decisions.get(decisionId);
    if (!task || !decision) throw new DecisionError('That decision is not pending in this thread.');
    if (decision.optionId !== undefined) throw new DecisionError('That decision was already answered.');
    const resolve = async (allowed: boolean | undefined, extra: EventBody[] = [], audit: AuditEntry[] = []) => {
      const bodies: EventBody[] = [
        {
          kind: 'decision_resolved',
          taskId: task.taskId,
          decisionId,
          optionId,
          by,
          ...(allowed === undefined ? {} : { allowed }),
        },
        ...extra,
      ];
      if (opts.commandKey) await this.appendForCommand(opts.commandKey, bodies, undefined, audit);
      else await this.append(bodies, audit);
      this.kick();
    };
    if (decision.topic !== 'permission') {
      if (!TASK_DECISION_OPTIONS[decision.topic].includes(optionId)) {
        throw new DecisionError(`Unknown option ${optionId}.`);
      }
      return resolve(undefined);
    }
    const toolUse = task.toolUses.find((t) => t.id === decision.toolUseId);
    if (!toolUse) throw new DecisionError('The tool call behind this decision is not in this task.');
    let request: PermissionRequest | undefined;
    try {
      request = await this.permissionFor(toolUse, task.taskId);
    } catch (error) {
      // What the decision was about is gone (a closed tab, a browser restart that cleared session
      // state): the decision is resolved and the model hears why, instead of a card nobody can answer.
      const reason = error instanceof Error ? error.message : String(error);
      const text = `The user's answer could not be applied: ${reason} The action did not run.`;
      return resolve(
        false,
        [
          {
            kind: 'tool_result',
            taskId: task.taskId,
            toolUseId: toolUse.id,
            name: toolUse.name,
            isError: true,
            truncated: false,
            content: [{ type: 'text', text }],
          },
        ],
        [this.auditEntry(task.taskId, toolUse, 'denied', by, 'error', reason)],
      );
    }
    // Nothing to decide any more: the call is planned again and the gate has its say then.
    if (!request) return resolve(undefined);
    const option = this.deps.gate.optionsFor(request).find((o) => o.id === optionId);
    if (!option) throw new DecisionError(`Unknown option ${optionId}.`);
    if (option.persistent && !opts.trusted) {
      throw new DecisionError(`“${option.label}” lasts beyond this task. ${PERMANENT_ON_COMPUTER}`, 'not_allowed');
    }
    const allowed =
      (await this.deps.gate.answer(request, optionId, { taskId: task.taskId, now: this.deps.now() }, opts.secret)) ===
      'allow';
    return resolve(allowed);
  }

  private async run(): Promise<void> {
    await this.deps.toolsReady?.();
    while (this.wake) {
      this.wake = false;
      for (;;) {
        const state = await this.loadState();
        const settings = await this.deps.settings();
        const step = nextStep(state, {
          isIdempotent: (name) => this.deps.tools.get(name)?.idempotent ?? false,
          spendingCapUsd: settings.spendingCapEnabled ? settings.spendingCapUsd : undefined,
        });
        if (step.kind === 'idle' || step.kind === 'wait_for_decision') break;
        await this.execute(step, state, settings);
      }
    }
  }

  private async execute(step: Step, state: ConversationState, settings: Settings): Promise<void> {
    const task = state.task;
    switch (step.kind) {
      case 'start_task':
        await this.append([{ kind: 'task_started', taskId: this.deps.newId() }]);
        return;
      case 'discard_turn':
        if (task)
          await this.append([
            { kind: 'turn_discarded', taskId: task.taskId, turnId: step.turnId, reason: step.reason },
          ]);
        return;
      case 'call_model':
        if (task) await this.callModel(state, task.taskId, settings);
        return;
      case 'run_tool':
        if (task) await this.runTool(step.toolUse, task.taskId, step.decision);
        return;
      case 'tool_interrupted':
        if (!task) return;
        await this.append(
          [
            {
              kind: 'tool_result',
              taskId: task.taskId,
              toolUseId: step.toolUse.id,
              name: step.toolUse.name,
              isError: true,
              truncated: false,
              content: [
                {
                  type: 'text',
                  text: 'This tool call was interrupted (Tandem restarted while it ran). Its effect is unknown: check before repeating it.',
                },
              ],
            },
          ],
          [this.auditEntry(task.taskId, step.toolUse, 'auto', undefined, 'interrupted')],
        );
        return;
      case 'ask_budget': {
        if (!task) return;
        const capUsd = task.run?.capUsd ?? settings.spendingCapUsd;
        const steps = atStepCap(task) ? task.run?.maxSteps : undefined;
        await this.append([
          {
            kind: 'decision_requested',
            taskId: task.taskId,
            decisionId: this.deps.newId(),
            topic: 'budget',
            title: steps ? 'Step cap reached' : 'Spending cap reached',
            detail: steps
              ? `This scheduled run has made ${task.turns} model calls, its cap. Continue for ${steps} more?`
              : `This ${task.run ? 'scheduled run' : 'task'} has spent about ${formatUsd(task.costUsd)}; the next step would pass the cap of ${formatUsd(
                  capUsd * (1 + task.budgetApprovals),
                )}. Continue spending?`,
            options: [
              {
                id: 'continue',
                label: steps ? `Continue (+${steps} steps)` : `Continue (+${formatUsd(capUsd)})`,
                tone: 'primary',
              },
              { id: 'stop', label: 'Stop the task', tone: 'danger' },
            ],
          },
        ]);
        return;
      }
      case 'finish':
        if (task) await this.finish(state, step.outcome);
        return;
      case 'idle':
      case 'wait_for_decision':
        return;
    }
  }

  private async finish(state: ConversationState, outcome: TaskOutcome): Promise<void> {
    const task = state.task;
    if (!task) return;
    const runtime = { kind: 'runtime' as const, clientId: 'runtime' };
    const closing: EventBody[] = [];
    // Every tool_use must get a tool_result, or the next request to the API is invalid.
    for (const use of task.toolUses) {
      if (task.results.has(use.id)) continue;
      closing.push({
        kind: 'tool_result',
        taskId: task.taskId,
        toolUseId: use.id,
        name: use.name,
        isError: true,
        truncated: false,
        content: [{ type: 'text', text: 'Not run: the task ended before this tool call ran.' }],
      });
    }
    for (const decision of task.decisions.values()) {
      if (decision.optionId === undefined) {
        closing.push({
          kind: 'decision_resolved',
          taskId: task.taskId,
          decisionId: decision.decisionId,
          optionId: 'cancelled',
          by: runtime,
          allowed: false,
        });
      }
    }
    closing.push({ kind: 'task_finished', taskId: task.taskId, outcome });
    await this.append(closing);
    await this.deps.indicator?.clear(this.threadId).catch(() => {});
    this.deps.taskFinished(this.threadId, outcome, { run: task.run, costUsd: task.costUsd });
  }

  private async callModel(state: ConversationState, taskId: string, settings: Settings): Promise<void> {
    if (!settings.apiKey) {
      await this.append([
        {
          kind: 'error',
          taskId,
          errorKind: 'auth',
          message: 'No API key is set. Add your Anthropic API key in Settings.',
        },
      ]);
      return;
    }
    const turnId = this.deps.newId();
    const attempt = (state.task?.consecutiveFailures ?? 0) + 1;
    // turn_started is written with the turn's first text or its final message, not on its own: a turn
    // that dies before saying anything leaves nothing to discard (the planner simply calls again), and
    // a tool-only turn costs one transaction instead of two.
    let opening: EventBody | undefined = { kind: 'turn_started', taskId, turnId, model: settings.model, attempt };
    const withOpening = (bodies: EventBody[]): EventBody[] => {
      if (!opening) return bodies;
      const all = [opening, ...bodies];
      opening = undefined;
      return all;
    };

    let buffer = '';
    let timer: ReturnType<typeof setTimeout> | undefined;
    let flushing: Promise<unknown> = Promise.resolve();
    const flush = () => {
      if (timer) clearTimeout(timer);
      timer = undefined;
      if (!buffer) return flushing;
      const text = buffer;
      buffer = '';
      flushing = this.append(withOpening([{ kind: 'text', taskId, turnId, text }]));
      return flushing;
    };
    const controller = new AbortController();
    this.inflight = controller;
    try {
      const base = {
        apiKey: settings.apiKey,
        baseUrl: settings.baseUrl,
        model: settings.model,
        tools: this.deps.tools.specs(),
        signal: controller.signal,
        idleTimeoutMs: settings.streamIdleTimeoutMs,
      };
      const system = this.deps.systemPrompt();
      const messages = await this.contextFor(state, taskId, settings, base, system);
      const response = await this.deps.model.call({
        ...base,
        maxTokens: settings.maxTokens,
        system,
        messages,
        onText: (delta) => {
          buffer += delta;
          if (buffer.length >= TEXT_FLUSH_CHARS) void flush();
          else timer ??= setTimeout(() => void flush(), TEXT_FLUSH_MS);
        },
      });
      await flush();
      this.context.record(response.usage);
      await this.append(
        withOpening([
          {
            kind: 'assistant_message',
            taskId,
            turnId,
            model: settings.model,
            content: response.content,
            stopReason: response.stopReason,
            usage: response.usage,
            costUsd: costUsd(settings.model, response.usage),
          },
        ]),
      );
    } catch (error) {
      await flush();
      if (error instanceof ModelCallAborted) {
        if (!state.task?.stopRequested) return; // shutting down: the open turn is discarded on the next start
        // Keep what the user already saw: the partial answer becomes part of the conversation.
        const started = opening === undefined;
        await this.append(
          error.partialText
            ? withOpening([
                {
                  kind: 'assistant_message',
                  taskId,
                  turnId,
                  model: settings.model,
                  content: [{ type: 'text', text: error.partialText }],
                  stopReason: 'user_stopped',
                  usage: { inputTokens: 0, outputTokens: 0, cacheCreationInputTokens: 0, cacheReadInputTokens: 0 },
                  costUsd: 0,
                },
              ])
            : started
              ? [{ kind: 'turn_discarded', taskId, turnId, reason: 'stopped' }]
              : [],
        );
        return;
      }
      await this.handleModelError(
        this.withUrl(classifyError(error, settings.model), settings.baseUrl),
        taskId,
        opening === undefined ? turnId : undefined,
        attempt,
        settings,
      );
    } finally {
      if (timer) clearTimeout(timer);
      if (this.inflight === controller) this.inflight = undefined;
    }
  }

  /**
   * The messages for the next call, kept under the context budget: old tool outputs and
   * images elided first, then (when that is not enough) older turns compacted into a
   * model-written summary, recorded as a durable event before the call goes out.
   */
  private async contextFor(
    state: ConversationState,
    taskId: string,
    settings: Settings,
    base: Omit<ModelRequest, 'messages' | 'system' | 'maxTokens' | 'onText'>,
    system: string,
  ) {
    const budget = contextBudget(
      settings.model,
      settings.contextBudgetShare,
      settings.maxTokens,
      settings.maxRecentImages,
    );
    // A answer cut by the context window continues only once the context is smaller.
    if (state.task?.lastStopReason === 'model_context_window_exceeded') this.context.shrinkNext();
    const fixedTokens = sizeOf({ system, tools: base.tools }).tokens;
    let plan = this.context.plan(viewSource(state), budget, fixedTokens);
    if (plan.compactThrough !== undefined) {
      const result = await summarise(this.deps.model, base, compactionMessages(plan.view, plan.compactThrough));
      if (result) {
        await this.append([
          {
            kind: 'context_compacted',
            taskId,
            throughMessage: plan.compactThrough,
            summary: result.summary,
            usage: result.usage,
            costUsd: costUsd(settings.model, result.usage),
          },
        ]);
        plan = this.context.plan(viewSource(state), budget, fixedTokens);
      }
    }
    return plan.view.messages;
  }

  /** A network failure names the endpoint, so the user can see which address is unreachable. */
  private withUrl(error: ModelCallError, baseUrl: string): ModelCallError {
    if (error.kind !== 'network') return error;
    return new ModelCallError('network', `Can't reach ${baseUrl}: ${error.message}`, error.status, error.retryAfterMs);
  }

  /** `startedTurnId`: the turn, if its start reached the log (then its partial text must be discarded). */
  private async handleModelError(
    error: ModelCallError,
    taskId: string,
    startedTurnId: string | undefined,
    attempt: number,
    settings: Settings,
  ) {
    // Too big for the API: shrink the next request harder and try again at once (a few times, not forever).
    if (error.tooLarge) this.context.shrinkNext();
    const waited = this.state?.task?.retryWaitedMs ?? 0;
    const decision = error.tooLarge
      ? { retry: attempt < MAX_SHRINK_ATTEMPTS, delayMs: 0 }
      : retryDecision(error.kind, attempt, error.retryAfterMs, Math.random, {
          waitedMs: waited,
          giveUpMs: settings.unreachableGiveUpMs,
        });
    const discard: EventBody[] = startedTurnId
      ? [{ kind: 'turn_discarded', taskId, turnId: startedTurnId, reason: 'error' }]
      : [];
    if (!decision.retry && error.kind === 'network') {
      // Unreachable for longer than the setting allows: pause with a way out instead of retrying forever.
      const minutes = Math.max(1, Math.round(waited / 60_000));
      await this.append([
        ...discard,
        {
          kind: 'decision_requested',
          taskId,
          decisionId: this.deps.newId(),
          topic: 'connection',
          title: `Can't reach ${settings.baseUrl}`,
          detail: `Tandem tried for about ${minutes} min (${error.message}). Check your connection, or the API URL in Settings, then retry.`,
          options: [
            { id: 'retry', label: 'Retry now', tone: 'primary' },
            { id: 'stop', label: 'Stop the task', tone: 'danger' },
          ],
        },
      ]);
      return;
    }
    if (!decision.retry) {
      await this.append([
        ...discard,
        {
          kind: 'error',
          taskId,
          errorKind: error.kind,
          message: error.message,
          ...(error.status === undefined ? {} : { status: error.status }),
        },
      ]);
      return;
    }
    await this.append([
      ...discard,
      {
        kind: 'retry_scheduled',
        taskId,
        attempt,
        delayMs: decision.delayMs,
        errorKind: error.kind,
        message: error.message,
      },
    ]);
    this.deps.activity(this.threadId, 'retrying', this.deps.now() + decision.delayMs);
    const controller = new AbortController();
    this.inflight = controller;
    this.retryWait = controller;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, decision.delayMs);
      controller.signal.addEventListener('abort', () => {
        clearTimeout(timer);
        resolve();
      });
    });
    if (this.inflight === controller) this.inflight = undefined;
    if (this.retryWait === controller) this.retryWait = undefined;
  }

  private async permissionFor(toolUse: ToolUseBlock, taskId: string): Promise<PermissionRequest | undefined> {
    const parsed = this.deps.tools.parse(toolUse.name, toolUse.input);
    if (!parsed.ok || !parsed.tool.permission) return undefined;
    return parsed.tool.permission(parsed.input, this.toolContext(taskId, toolUse.id, new AbortController().signal));
  }

  private toolContext(taskId: string, toolUseId: string, signal: AbortSignal): ToolContext {
    return { threadId: this.threadId, taskId, toolUseId, signal, now: () => new Date(this.deps.now()) };
  }

  private async runTool(
    toolUse: ToolUseBlock,
    taskId: string,
    decision: { decisionId: string; optionId: string } | undefined,
  ): Promise<void> {
    const result = (text: string, isError: boolean): EventBody => ({
      kind: 'tool_result',
      taskId,
      toolUseId: toolUse.id,
      name: toolUse.name,
      isError,
      truncated: false,
      content: [{ type: 'text', text }],
    });
    const parsed = this.deps.tools.parse(toolUse.name, toolUse.input);
    if (!parsed.ok) {
      await this.append(
        [result(parsed.error, true)],
        [this.auditEntry(taskId, toolUse, 'auto', undefined, 'error', parsed.error)],
      );
      return;
    }
    const controller = new AbortController();
    let actedIn: number | undefined;
    const ctx: ToolContext = {
      ...this.toolContext(taskId, toolUse.id, controller.signal),
      actingIn: (tabId) => {
        // The badge goes up before the action runs (a navigation can take seconds).
        if (actedIn !== tabId) void this.deps.indicator?.mark(this.threadId, tabId).catch(() => {});
        actedIn = tabId;
      },
    };
    let auditDecision: 'auto' | 'allowed' | 'denied' = 'auto';
    let decidedBy: Actor | undefined;
    let request: PermissionRequest | undefined;
    try {
      request = await parsed.tool.permission?.(parsed.input, ctx);
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      await this.append(
        [result(message, true)],
        [this.auditEntry(taskId, toolUse, 'denied', undefined, 'denied', message)],
      );
      return;
    }
    if (request) {
      const state = await this.loadState();
      const resolved = decision ? state.task?.decisions.get(decision.decisionId) : undefined;
      let allowed: boolean;
      if (decision && resolved) {
        allowed = resolved.allowed === true;
        decidedBy =
          this.answerers.get(decision.decisionId) ??
          (resolved.answeredBy && { kind: resolved.answeredBy, clientId: '' });
        auditDecision = allowed ? 'allowed' : 'denied';
      } else {
        const verdict = await this.deps.gate.decide(request, { taskId, now: this.deps.now() });
        if (verdict === 'ask') {
          await this.append([
            {
              kind: 'decision_requested',
              taskId,
              decisionId: this.deps.newId(),
              toolUseId: toolUse.id,
              topic: 'permission',
              title: request.title,
              detail: request.detail,
              options: this.deps.gate.optionsFor(request),
            },
          ]);
          return;
        }
        allowed = verdict === 'allow';
        auditDecision = allowed ? 'auto' : 'denied';
      }
      if (!allowed) {
        const text = `The user did not allow this action (${request.title}). Do not try to get around this; ask the user if it is needed.`;
        await this.append([result(text, true)], [this.auditEntry(taskId, toolUse, 'denied', decidedBy, 'denied')]);
        return;
      }
    }

    const started: EventBody = { kind: 'tool_started', taskId, toolUseId: toolUse.id, name: toolUse.name };
    // A tool with side effects is marked started before it runs, so a restart knows its outcome is
    // unknown. An idempotent one is simply run again after a restart: its start is written with its result.
    if (!parsed.tool.idempotent) await this.append([started]);
    this.inflight = controller;
    let body: EventBody;
    try {
      const output = await parsed.tool.execute(parsed.input, ctx);
      const bounded = boundToolOutput(await fitImages(output.content, this.deps.images));
      body = {
        kind: 'tool_result',
        taskId,
        toolUseId: toolUse.id,
        name: toolUse.name,
        isError: output.isError ?? false,
        truncated: bounded.truncated,
        content: bounded.content,
        ...(output.display === undefined ? {} : { display: output.display }),
      };
    } catch (error) {
      const message = controller.signal.aborted
        ? 'Stopped by the user while running.'
        : error instanceof ToolError
          ? error.message
          : `The tool failed unexpectedly: ${error instanceof Error ? error.message : String(error)}`;
      body = result(message, true);
      // The model's words ("ask the user to…") are not the person's: the card shows theirs.
      const forPeople = !controller.signal.aborted && error instanceof ToolError ? error.forPeople : undefined;
      if (forPeople && body.kind === 'tool_result') {
        body = { ...body, display: forPeople.text, ...(forPeople.fixIn ? { fixIn: forPeople.fixIn } : {}) };
      }
    } finally {
      if (this.inflight === controller) this.inflight = undefined;
    }
    const isError = body.kind === 'tool_result' && body.isError;
    const acting = actedIn === undefined ? [] : await this.actingTab(taskId, actedIn);
    await this.append(
      [...acting, ...(parsed.tool.idempotent ? [started, body] : [body])],
      [this.auditEntry(taskId, toolUse, auditDecision, decidedBy, isError ? 'error' : 'ok')],
    );
  }

  /** A `tab_acting` event when the tab the task acts in (or its page) changed; none without an indicator. */
  private async actingTab(taskId: string, tabId: number): Promise<EventBody[]> {
    const indicator = this.deps.indicator;
    if (!indicator) return [];
    const seen = await indicator.describe(tabId).catch(() => undefined);
    const tab = seen ? { tabId, url: seen.url.slice(0, 4_096), title: seen.title.slice(0, 500) } : null;
    if (!tab) await indicator.clear(this.threadId).catch(() => {});
    const current = (await this.loadState()).task?.actingTab;
    const same =
      current === tab ||
      (current && tab && current.tabId === tab.tabId && current.url === tab.url && current.title === tab.title);
    return same ? [] : [{ kind: 'tab_acting', taskId, tab }];
  }

  private auditEntry(
    taskId: string,
    toolUse: ToolUseBlock,
    decision: 'auto' | 'allowed' | 'denied',
    decidedBy: Actor | undefined,
    outcome: 'ok' | 'error' | 'denied' | 'interrupted',
    detail?: string,
  ): AuditEntry {
    const connector = this.deps.tools.get(toolUse.name)?.connectorId;
    return {
      threadId: this.threadId,
      taskId,
      toolUseId: toolUse.id,
      at: this.deps.now(),
      tool: toolUse.name,
      ...(connector ? { connector } : {}),
      input: toolUse.input,
      decision,
      ...(decidedBy ? { decidedBy: decidedBy.kind } : {}),
      ...(decidedBy?.device ? { decidedByDevice: decidedBy.device satisfies DeviceIdentity } : {}),
      outcome,
      ...(detail ? { detail } : {}),
    };
  }
}
