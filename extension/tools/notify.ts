/** Lets the agent tap the user on the shoulder with a desktop notification (asks first). */
import { z } from 'zod';
import { type ToolDefinition, textOutput } from './registry';

const NotifyInput = z.object({
  title: z.string().min(1).max(80).describe('Short title of the notification.'),
  message: z.string().min(1).max(300).describe('What the user should know.'),
});

export type ShowNotification = (title: string, message: string) => Promise<void>;

export function notifyTools(show: ShowNotification): ToolDefinition<typeof NotifyInput>[] {
  return [
    {
      name: 'notify_user',
      description: 'Shows the user a desktop notification. Use sparingly, for things that need their attention.',
      input: NotifyInput,
      risk: 'write',
      idempotent: false,
      permission: (input) => ({
        policy: 'notifications',
        scope: 'desktop',
        title: 'Show a desktop notification?',
        detail: `"${input.title}": ${input.message}`,
      }),
      async execute(input) {
        await show(input.title, input.message);
        return textOutput('The notification was shown.');
      },
    },
  ];
}
