/**
 * How an action's report tells the model about the dialogs the page opened
 * meanwhile (web/page-world.ts answers them at once). Apart from the dialog
 * tools (page-dialogs.ts) so tabs.ts can use it without an import cycle.
 */
import { wrapUntrusted } from '../permissions/untrusted-content';
import type { DialogSeen } from '../web/page-world';
import type { ActionOutcome } from '../web/platform';

function describeDialog(dialog: DialogSeen): string {
  const message = JSON.stringify(dialog.message);
  const how = dialog.preset ? 'as you asked' : 'by default, as no answer was set';
  if (dialog.type === 'alert') return `alert ${message}: closed (OK).`;
  if (dialog.type === 'confirm')
    return `confirm ${message}: ${dialog.accepted ? 'accepted (OK)' : 'dismissed (Cancel)'} ${how}.`;
  return `prompt ${message}: ${dialog.accepted ? `answered ${JSON.stringify(dialog.text ?? '')}` : 'dismissed (Cancel)'} ${how}.`;
}

/** Lines for a tool's report: the dialogs an action opened, as the page's (untrusted) words. */
export function dialogLines(outcome: ActionOutcome): string[] {
  const dialogs = outcome.dialogs;
  if (!dialogs || dialogs.seen.length === 0) return [];
  const unanswered = dialogs.seen.some((d) => d.type !== 'alert' && !d.preset);
  return [
    'The page opened dialogs:',
    wrapUntrusted(dialogs.origin, dialogs.seen.map(describeDialog).join('\n')),
    ...(unanswered
      ? [
          'To answer a confirm or prompt otherwise, call answer_dialog (accept, and text for a prompt), then repeat the action.',
        ]
      : []),
  ];
}
