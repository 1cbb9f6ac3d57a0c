/**
 * Secrets the user types into a Tandem prompt (a password for a page field),
 * held in memory only, for the one tool call that asked, and handed over once.
 * They are never written to the event log, the audit log or any store, so the
 * model (which reads the log) never sees them. A restart loses them: the call
 * then fails and is asked again, which is the safe side.
 */

/** Long enough to answer a prompt and let the call run; a secret nobody collected is dropped. */
const SECRET_TTL_MS = 5 * 60_000;

/** The answer that carries a secret typed by the user. */
export const TYPE_SECRET = 'type_secret';

export class SecretVault {
  private readonly secrets = new Map<string, { value: string; until: number }>();

  constructor(private readonly now: () => number = Date.now) {}

  put(slot: string, value: string): void {
    this.sweep();
    this.secrets.set(slot, { value, until: this.now() + SECRET_TTL_MS });
  }

  /** The secret for this slot, removed as it is read. */
  take(slot: string): string | undefined {
    this.sweep();
    const held = this.secrets.get(slot);
    this.secrets.delete(slot);
    return held?.value;
  }

  private sweep(): void {
    const now = this.now();
    for (const [slot, held] of this.secrets) if (held.until <= now) this.secrets.delete(slot);
  }
}
