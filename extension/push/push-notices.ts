/**
 * What is worth a notification, as pure functions over a thread event: a decision waiting, a task
 * finished, a task that failed or paused (the spending cap, the API unreachable), and the
 * withdrawal of a decision answered elsewhere. Text is kept short (a lock screen shows two lines).
 */
import type { Actor, PushAction, PushNotice, PushSettings, ThreadEvent } from '../../shared/protocol';

export const NEEDS_YOU = 'Tandem needs you';
const TITLE_CHARS = 120;
const BODY_CHARS = 200;

/** Something else (a scheduled run's result, say) the user should hear about on every device. */
export interface UserNotice {
  kind: 'finished' | 'failed' | 'notice';
  threadId?: string;
  title: string;
  body: string;
}

export function cut(text: string, max: number): string {
  const flat = text.replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}

function notice(fields: Omit<PushNotice, 'v' | 'title' | 'body' | 'actions'> & Partial<PushNotice>): PushNotice {
  return {
    v: 1,
    actions: [],
    ...fields,
    title: cut(fields.title ?? NEEDS_YOU, TITLE_CHARS),
    body: cut(fields.body ?? '', BODY_CHARS),
  };
}

/** The notice for one durable event of a thread titled `threadTitle`, or undefined when it is not worth one. */
export function noticeFor(event: ThreadEvent, threadTitle: string): PushNotice | undefined {
  const base = { threadId: event.threadId, at: event.at };
  switch (event.kind) {
    case 'decision_requested': {
      // Only answers that end with the task can be given from a lock screen (never "always").
      const actions = event.topic === 'permission' ? phoneActions(event.options.map((o) => o.id)) : [];
      return notice({
        ...base,
        kind: event.topic === 'permission' ? 'decision' : 'paused',
        decisionId: event.decisionId,
        title: event.title,
        body: `${threadTitle}: ${event.detail}`,
        actions,
      });
    }
    case 'decision_resolved':
      return notice({
        ...base,
        kind: 'withdrawn',
        decisionId: event.decisionId,
        title: 'Answered',
        body: `${threadTitle}: answered ${answeredWhere(event.by)}.`,
      });
    case 'task_finished':
      if (event.outcome === 'stopped') return undefined;
      if (event.outcome === 'completed')
        return notice({ ...base, kind: 'finished', title: 'Task finished', body: threadTitle });
      return notice({
        ...base,
        kind: 'failed',
        title: event.outcome === 'budget_stopped' ? 'Task stopped at the spending cap' : 'Task did not finish',
        body: `${threadTitle} (${event.outcome.replace('_', ' ')})`,
      });
    default:
      return undefined;
  }
}

export function noticeForUser(user: UserNotice, at: number): PushNotice {
  return notice({
    kind: user.kind,
    ...(user.threadId ? { threadId: user.threadId } : {}),
    title: user.title,
    body: user.body,
    at,
  });
}

/** The privacy setting: without details a notice says only "Tandem needs you" (ids stay, so a tap opens the thread). */
export function applyPrivacy(n: PushNotice, settings: PushSettings): PushNotice {
  if (settings.details) return n;
  return { ...n, title: NEEDS_YOU, body: '', actions: [] };
}

function phoneActions(optionIds: readonly string[]): PushAction[] {
  return (['allow_once', 'deny'] as const).filter((id) => optionIds.includes(id));
}

function answeredWhere(by: Actor): string {
  if (by.kind === 'panel') return 'on the computer';
  if (by.kind === 'phone') return by.device ? `on ${by.device.name}` : 'on a phone';
  return 'by Tandem';
}
