/** The clock: the model has no idea what time it is unless it asks. */
import { z } from 'zod';
import { type ToolDefinition, textOutput } from './registry';

const ClockInput = z.object({
  timeZone: z
    .string()
    .max(64)
    .optional()
    .describe('IANA time zone to report the time in, e.g. "Europe/Paris". Defaults to the user\'s own.'),
});

export function clockTools(): ToolDefinition<typeof ClockInput>[] {
  return [
    {
      name: 'clock',
      description: "Returns the current date, time and the user's time zone.",
      input: ClockInput,
      risk: 'read',
      idempotent: true,
      async execute(input, ctx) {
        const now = ctx.now();
        const userZone = Intl.DateTimeFormat().resolvedOptions().timeZone;
        const timeZone = input.timeZone ?? userZone;
        let local: string;
        try {
          local = new Intl.DateTimeFormat('en-GB', {
            timeZone,
            dateStyle: 'full',
            timeStyle: 'long',
          }).format(now);
        } catch {
          return textOutput(`Unknown time zone "${timeZone}". Use an IANA name such as "Europe/Paris".`, true);
        }
        return textOutput(
          JSON.stringify({ iso: now.toISOString(), local, timeZone, userTimeZone: userZone, epochMs: now.getTime() }),
        );
      },
    },
  ];
}
