/**
 * Decides the next step of a thread from its durable state alone. Because the
 * decision depends only on what is in the log, a runtime that restarts after
 * dying anywhere picks up exactly where the log says it was:
 * - a model turn started but never finished is discarded and issued again;
 * - a tool call with a result is never run again;
 * - a tool call that started but has no result is re-run only if the tool says
 *   that is safe (idempotent), otherwise it is reported to the model as interrupted;
 * - a pending decision keeps waiting, whichever client answers it later.
 */
import type { TaskOutcome, ToolUseBlock } from '../../shared/protocol';
import type { ConversationState, TaskState } from './conversation-state';

export type Step =
  | { kind: 'idle' }
  | { kind: 'start_task' }
  | { kind: 'discard_turn'; turnId: string; reason: 'interrupted' }
  | { kind: 'wait_for_decision'; decisionId: string }
  | { kind: 'run_tool'; toolUse: ToolUseBlock; decision: { decisionId: string; optionId: string } | undefined }
  | { kind: 'tool_interrupted'; toolUse: ToolUseBlock }
  | { kind: 'ask_budget' }
  | { kind: 'call_model' }
  | { kind: 'finish'; outcome: TaskOutcome };

export interface PlannerContext {
  /** True when a tool may be run again after an attempt of unknown outcome. */
  isIdempotent(toolName: string): boolean;
  spendingCapUsd: number | undefined;
}

const OUTCOME_BY_STOP_REASON: Record<string, TaskOutcome | undefined> = {
  end_turn: 'completed',
  stop_sequence: 'completed',
  max_tokens: 'max_tokens',
  refusal: 'refusal',
  user_stopped: 'stopped',
};

function decisionFor(task: TaskState, toolUseId: string) {
  for (const decision of task.decisions.values()) if (decision.toolUseId === toolUseId) return decision;
  return undefined;
}

export function nextStep(state: ConversationState, ctx: PlannerContext): Step {
  const task = state.task;
  if (!task) return state.queued.length > 0 ? { kind: 'start_task' } : { kind: 'idle' };

  if (task.openTurnId) return { kind: 'discard_turn', turnId: task.openTurnId, reason: 'interrupted' };
  if (task.stopRequested) return { kind: 'finish', outcome: 'stopped' };
  if (task.failed) return { kind: 'finish', outcome: 'failed' };

  for (const decision of task.decisions.values()) {
    if (decision.optionId === undefined) return { kind: 'wait_for_decision', decisionId: decision.decisionId };
    if (decision.topic === 'budget' && decision.optionId === 'stop')
      return { kind: 'finish', outcome: 'budget_stopped' };
    if (decision.topic === 'connection' && decision.optionId === 'stop') return { kind: 'finish', outcome: 'stopped' };
  }

  for (const toolUse of task.toolUses) {
    if (task.results.has(toolUse.id)) continue;
    if (task.startedTools.has(toolUse.id) && !ctx.isIdempotent(toolUse.name)) {
      return { kind: 'tool_interrupted', toolUse };
    }
    const decision = decisionFor(task, toolUse.id);
    return {
      kind: 'run_tool',
      toolUse,
      decision: decision?.optionId ? { decisionId: decision.decisionId, optionId: decision.optionId } : undefined,
    };
  }

  // pause_turn: the model paused a long turn and continues when sent the conversation as is;
  // model_context_window_exceeded: the answer was cut by the window, so it continues once the context is smaller.
  const continues = task.lastStopReason === 'pause_turn' || task.lastStopReason === 'model_context_window_exceeded';
  if (task.lastStopReason !== undefined && task.toolUses.length === 0 && !continues) {
    return { kind: 'finish', outcome: OUTCOME_BY_STOP_REASON[task.lastStopReason ?? 'end_turn'] ?? 'completed' };
  }

  // A scheduled run carries its own caps (spending and model calls), asked about the same way.
  if (wouldPassCap(task, task.run?.capUsd ?? ctx.spendingCapUsd) || atStepCap(task)) return { kind: 'ask_budget' };
  return { kind: 'call_model' };
}

/**
 * The next call is predicted to cost about what the last one did; a task pauses
 * before a call that would take it past the cap (times the number of approvals).
 */
export function wouldPassCap(task: TaskState, capUsd: number | undefined): boolean {
  if (capUsd === undefined) return false;
  const allowed = capUsd * (1 + task.budgetApprovals);
  return task.costUsd + task.lastTurnCostUsd > allowed;
}

/** A scheduled run's step cap: model calls so far against the cap times the approvals. */
export function atStepCap(task: TaskState): boolean {
  const maxSteps = task.run?.maxSteps;
  return maxSteps !== undefined && task.turns >= maxSteps * (1 + task.budgetApprovals);
}
