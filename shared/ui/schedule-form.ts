/**
 * The schedule editor's fields as plain strings (what the inputs hold) and their conversion to
 * the protocol's `ScheduleFields`, validated with the same zod schema the runtime uses. Pure, so
 * the panel and the phone edit schedules the same way and the rules are unit-tested.
 */
import { type RecurrenceInput, ScheduleFields, type ScheduleView } from '../protocol/schedules';

export type RuleKind = 'after' | 'interval' | 'daily' | 'weekly' | 'monthly';

export interface ScheduleForm {
  title: string;
  prompt: string;
  kind: RuleKind;
  minutes: string;
  every: string;
  unit: 'minutes' | 'hours';
  time: string;
  days: number[];
  day: string;
  missedPolicy: 'run_once' | 'skip';
  capUsd: string;
  maxSteps: string;
}

export function emptyForm(prompt = ''): ScheduleForm {
  return {
    title: '',
    prompt,
    kind: 'daily',
    minutes: '60',
    every: '1',
    unit: 'hours',
    time: '08:00',
    days: [1, 2, 3, 4, 5],
    day: '1',
    missedPolicy: 'run_once',
    capUsd: '',
    maxSteps: '',
  };
}

export function formFromSchedule(view: ScheduleView): ScheduleForm {
  const form: ScheduleForm = {
    ...emptyForm(view.prompt),
    title: view.title,
    missedPolicy: view.missedPolicy,
    capUsd: view.capUsd === undefined ? '' : String(view.capUsd),
    maxSteps: view.maxSteps === undefined ? '' : String(view.maxSteps),
  };
  return withRule(form, view.recurrence);
}

/** The editor's inputs for a rule (a shortcut's default schedule, or a schedule being edited). */
export function withRule(form: ScheduleForm, rule: RecurrenceInput): ScheduleForm {
  switch (rule.kind) {
    case 'after':
      return { ...form, kind: 'after', minutes: String(rule.minutes) };
    case 'once':
      return { ...form, kind: 'after', minutes: String(Math.max(1, Math.round((rule.at - Date.now()) / 60_000))) };
    case 'interval':
      return { ...form, kind: 'interval', every: String(rule.every), unit: rule.unit };
    case 'daily':
      return { ...form, kind: 'daily', time: rule.time };
    case 'weekly':
      return { ...form, kind: 'weekly', time: rule.time, days: rule.days };
    case 'monthly':
      return { ...form, kind: 'monthly', time: rule.time, day: String(rule.day) };
  }
}

function recurrenceOf(form: ScheduleForm): RecurrenceInput {
  switch (form.kind) {
    case 'after':
      return { kind: 'after', minutes: Number(form.minutes) };
    case 'interval':
      return { kind: 'interval', every: Number(form.every), unit: form.unit };
    case 'daily':
      return { kind: 'daily', time: form.time };
    case 'weekly':
      return { kind: 'weekly', days: form.days, time: form.time };
    case 'monthly':
      return { kind: 'monthly', day: Number(form.day), time: form.time };
  }
}

export type FormResult = { ok: true; fields: ScheduleFields } | { ok: false; error: string };

export function fieldsFromForm(form: ScheduleForm, timeZone: string): FormResult {
  const parsed = ScheduleFields.safeParse({
    title: form.title.trim() || form.prompt.trim().split('\n')[0]?.slice(0, 60),
    prompt: form.prompt,
    recurrence: recurrenceOf(form),
    timeZone,
    missedPolicy: form.missedPolicy,
    ...(form.capUsd.trim() ? { capUsd: Number(form.capUsd) } : {}),
    ...(form.maxSteps.trim() ? { maxSteps: Number(form.maxSteps) } : {}),
  });
  if (parsed.success) return { ok: true, fields: parsed.data };
  const issue = parsed.error.issues[0];
  const where = issue?.path.filter((p) => typeof p === 'string').at(-1);
  return { ok: false, error: `${where ? `${where}: ` : ''}${issue?.message ?? 'Invalid schedule.'}` };
}
