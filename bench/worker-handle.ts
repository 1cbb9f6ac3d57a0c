/**
 * What the benchmarks reach in the extension's service worker (`globalThis.tandem`, set by the
 * background entry for tests): the event log and the hub that publishes to clients.
 */
import type { ThreadEvent } from '../shared/protocol';

export interface LogWorkerHandle {
  tandem: {
    log: { append(threadId: string, bodies: unknown[]): Promise<ThreadEvent[]> };
    runtime: { hub: { publish(events: ThreadEvent[]): void } };
  };
}
