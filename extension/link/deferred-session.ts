/**
 * A runtime session that may only be known to be allowed a moment later (the runtime re-checks the
 * device in its own store before attaching it). Messages wait, in order, until then; if the runtime
 * refuses, they are dropped and `onRefused` runs.
 */
import type { GatewaySession } from './phone-session';

export function deferredSession(opening: Promise<GatewaySession | undefined>, onRefused: () => void): GatewaySession {
  let ready: Promise<GatewaySession | undefined> = opening.then(
    (session) => {
      if (!session) onRefused();
      return session;
    },
    () => {
      onRefused();
      return undefined;
    },
  );
  return {
    receive(message) {
      ready = ready.then((session) => {
        session?.receive(message);
        return session;
      });
    },
    close() {
      ready = ready.then((session) => {
        session?.close();
        return undefined;
      });
    },
  };
}
