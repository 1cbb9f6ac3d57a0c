/**
 * The model's schedule tools. Creating a schedule always asks the user (it spends money later,
 * with nobody watching), through the permission gate like any other risky call; listing and
 * cancelling are limited to the schedules of the thread the model is working in.
 */
import { z } from 'zod';
import { formatUsd } from '../../shared/pricing';
import { MissedRunPolicy, RecurrenceInput, ScheduleFields, SchedulePrompt, TimeZone } from '../../shared/protocol';
import { describeRecurrence } from '../schedule/describe';
import { resolveRecurrence } from '../schedule/next-run';
import type { ScheduleService } from '../schedule/schedule-service';
import { type ToolDefinition, textOutput } from './registry';

export const SCHEDULE_CREATE_POLICY = 'schedule-create';

const ScheduleTaskInput = z.object({
  title: z.string().trim().min(1).max(200).describe('A short name for the schedule, e.g. "Morning site check".'),
  prompt: SchedulePrompt.check(z.describe('What each run should do, written as the user would ask it.')),
  recurrence: RecurrenceInput.check(
    z.describe(
      'When it runs: {kind:"after",minutes}, {kind:"once",at:<epoch ms>}, {kind:"interval",every,unit:"minutes"|"hours"}, ' +
        '{kind:"daily",time:"HH:MM"}, {kind:"weekly",days:[0-6, 0=Sunday],time:"HH:MM"}, {kind:"monthly",day:1-31,time:"HH:MM"}.',
    ),
  ),
  timeZone: z.optional(TimeZone).describe("IANA time zone; defaults to the user's own."),
  missedPolicy: z
    .optional(MissedRunPolicy)
    .describe('A run missed while the computer slept: run once late (default) or skip.'),
  capUsd: z.number().positive().max(100).optional().describe('Spending cap per run, in USD.'),
  maxSteps: z.number().int().min(1).max(200).optional().describe('Model calls per run before it pauses and asks.'),
});

const CancelInput = z.object({ scheduleId: z.string().min(1).max(128) });
const ListInput = z.object({});

function userTimeZone(): string {
  return Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';
}

export function scheduleTools(service: ScheduleService, now: () => number = Date.now) {
  const fieldsOf = (input: z.infer<typeof ScheduleTaskInput>) =>
    ScheduleFields.parse({ ...input, timeZone: input.timeZone ?? userTimeZone() });
  const scheduleTask: ToolDefinition<typeof ScheduleTaskInput> = {
    name: 'schedule_task',
    description:
      'Proposes a scheduled or recurring task in this conversation (the user is asked to approve it). ' +
      'Each run sends the prompt to this thread as a new task.',
    input: ScheduleTaskInput,
    risk: 'write',
    idempotent: false,
    permission: (input) => {
      const fields = fieldsOf(input);
      const when = describeRecurrence(resolveRecurrence(fields.recurrence, now()), fields.timeZone);
      const caps = [
        fields.capUsd === undefined ? undefined : `up to ${formatUsd(fields.capUsd)} per run`,
        fields.maxSteps === undefined ? undefined : `up to ${fields.maxSteps} steps per run`,
      ].filter(Boolean);
      return {
        policy: SCHEDULE_CREATE_POLICY,
        scope: 'schedule',
        // It spends money later, unattended: every schedule is confirmed, no grant covers the next.
        alwaysAsk: true,
        title: `Schedule "${fields.title}"?`,
        detail: `${when} (${fields.timeZone})${caps.length ? `, ${caps.join(', ')}` : ''}: ${fields.prompt}`,
      };
    },
    async execute(input, ctx) {
      const schedule = await service.create(ctx.threadId, fieldsOf(input), 'model');
      const next = schedule.nextRunAt === undefined ? 'never' : new Date(schedule.nextRunAt).toISOString();
      return textOutput(
        `Scheduled "${schedule.title}" (id ${schedule.id}): ${describeRecurrence(schedule.recurrence, schedule.timeZone)}. Next run: ${next}.`,
      );
    },
  };
  const listSchedules: ToolDefinition<typeof ListInput> = {
    name: 'list_schedules',
    description: "Lists this conversation's schedules: id, rule in words, status, next run, last result.",
    input: ListInput,
    risk: 'read',
    idempotent: true,
    async execute(_input, ctx) {
      const schedules = await service.list(ctx.threadId);
      if (schedules.length === 0) return textOutput('This conversation has no schedules.');
      return textOutput(
        schedules
          .map(
            (s) =>
              `${s.id}: "${s.title}", ${s.description} (${s.timeZone}), ${s.status}` +
              `${s.nextRunAt === undefined ? '' : `, next ${new Date(s.nextRunAt).toISOString()}`}` +
              `${s.lastRun ? `, last: ${s.lastRun.summary}` : ''}`,
          )
          .join('\n'),
      );
    },
  };
  const cancelSchedule: ToolDefinition<typeof CancelInput> = {
    name: 'cancel_schedule',
    description: 'Deletes one of the schedules of this conversation (by id, from list_schedules).',
    input: CancelInput,
    risk: 'write',
    idempotent: true,
    async execute(input, ctx) {
      const schedule = await service.get(input.scheduleId);
      // Another thread's schedule is not the model's to touch from here: it does not exist for it.
      if (!schedule || schedule.threadId !== ctx.threadId) {
        return textOutput(`This conversation has no schedule with id ${input.scheduleId}.`, true);
      }
      await service.remove(schedule.id);
      return textOutput(`Cancelled "${schedule.title}".`);
    },
  };
  return [scheduleTask, listSchedules, cancelSchedule] as ToolDefinition[];
}
