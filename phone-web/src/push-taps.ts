/**
 * Carries out notification taps once the page is connected: opens the tapped thread, and sends the
 * answer given with "Allow once" or "Deny" under the command id the service worker made at the tap
 * (the runtime applies an id once, so a resend after a drop cannot answer twice). The tap is
 * forgotten when the runtime answered; what happened is reported in words for the page to show.
 */
import type { ConversationClient } from '../../shared/client/conversation-client';
import type { Transport } from '../../shared/client/transport';
import type { RuntimeMessageOf } from '../../shared/protocol';

type Answer = RuntimeMessageOf<'ack'> | RuntimeMessageOf<'error'>;

import { type PendingTap, pendingTaps, removePendingTap } from './push-pending';

/** The service worker posts this to open pages after it stored a tap. */
export const TAP_MESSAGE = 'tandem-push-tap';
const ANSWER_TIMEOUT_MS = 20_000;

export interface TapOutcome {
  tap: PendingTap;
  ok: boolean;
  message: string;
}

export class PushTaps {
  private running: Promise<void> | undefined;
  private again = false;
  private readonly disposers: Array<() => void> = [];

  constructor(
    private readonly transport: Transport,
    private readonly client: ConversationClient,
    private readonly openThread: (threadId: string) => void,
    private readonly report: (outcome: TapOutcome) => void,
  ) {}

  start(): void {
    this.disposers.push(
      this.transport.onState((state) => {
        if (state === 'open') this.process();
      }),
    );
    const onWorkerMessage = (event: MessageEvent) => {
      if ((event.data as { type?: unknown } | null)?.type === TAP_MESSAGE) this.process();
    };
    navigator.serviceWorker?.addEventListener('message', onWorkerMessage);
    this.disposers.push(() => navigator.serviceWorker?.removeEventListener('message', onWorkerMessage));
    this.process();
  }

  stop(): void {
    for (const dispose of this.disposers.splice(0)) dispose();
  }

  /** Runs the pending taps (one pass at a time; a call during a pass runs another after it). */
  process(): void {
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.pass()
      .catch((error: unknown) => console.warn('Tandem: notification taps', error))
      .finally(() => {
        this.running = undefined;
        if (this.again) {
          this.again = false;
          this.process();
        }
      });
  }

  private async pass(): Promise<void> {
    const taps = await pendingTaps();
    const newest = taps.at(-1);
    if (newest?.threadId) this.openThread(newest.threadId);
    for (const tap of taps) {
      if (!tap.optionId || !tap.threadId || !tap.decisionId) {
        await removePendingTap(tap.commandId);
        continue;
      }
      if (this.transport.state !== 'open') return; // the next 'open' runs this again
      const answer = await this.send(tap);
      if (!answer) return; // no answer (the link dropped): kept, sent again with the same id
      // A failure of the computer's storage or runtime may pass: keep the tap for the next connect.
      if (answer.type === 'error' && (answer.code === 'internal' || answer.code === 'storage')) return;
      await removePendingTap(tap.commandId);
      this.report({
        tap,
        ok: answer.type === 'ack',
        message:
          answer.type === 'ack'
            ? tap.optionId === 'allow_once'
              ? 'Allowed once from the notification. The task goes on.'
              : 'Denied from the notification.'
            : `Your answer from the notification was not used: ${answer.message}`,
      });
    }
  }

  private send(tap: PendingTap): Promise<Answer | undefined> {
    return new Promise((resolve) => {
      const timer = setTimeout(() => finish(undefined), ANSWER_TIMEOUT_MS);
      const unlisten = this.client.onMessage((message) => {
        if ((message.type === 'ack' || message.type === 'error') && message.commandId === tap.commandId)
          finish(message);
      });
      const finish = (message: Answer | undefined) => {
        clearTimeout(timer);
        unlisten();
        resolve(message);
      };
      try {
        this.transport.send({
          type: 'decision.answer',
          id: tap.commandId,
          threadId: tap.threadId,
          decisionId: tap.decisionId,
          optionId: tap.optionId,
        });
      } catch {
        finish(undefined);
      }
    });
  }
}
