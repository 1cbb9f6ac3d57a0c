/**
 * What the phone says about the computer, from facts only: the link's phase, when the computer was
 * last heard (any authenticated frame, heartbeats included), and what the last attempt learnt.
 * "Unreachable" is said when the signaling server reports the computer's id unknown (its browser
 * is closed, asleep or offline) or when reconnecting has gone on past the heartbeat timeout; before
 * that it is "Reconnecting". An open link whose path is in doubt (ICE disconnected or failed, an
 * ICE restart or a standby link in flight: link-recovery.ts) is "Reconnecting" too, not
 * "Connected", until frames flow again. Never a guess in either direction, and never
 * "Connecting…" forever.
 */
import type { AttemptFailure } from './link-attempt';

/** How the data channel's packets travel: host/STUN candidates (direct) or through a TURN server. */
export type LinkRoute = 'direct' | 'relayed' | 'unknown';

export type Presence =
  | { kind: 'connected'; route: LinkRoute }
  | { kind: 'reconnecting'; since: number }
  | { kind: 'unreachable'; since: number }
  /** Not paired, pairing, removed or failed: the link state says it all. */
  | { kind: 'none' };

export interface PresenceFacts {
  phase: 'unpaired' | 'pairing' | 'connecting' | 'retrying' | 'open' | 'revoked' | 'failed';
  route: LinkRoute;
  /** When the link stopped being open (or this page started trying, if it never was). */
  downSince: number;
  /** Last authenticated frame from the computer, if any was heard since the page loaded. */
  lastHeardAt: number | undefined;
  lastFailure: AttemptFailure | undefined;
  /** The open link's path has been in doubt since then (see link-recovery.ts), if it is. */
  recoveringSince: number | undefined;
  now: number;
}

/** Reconnecting longer than this (the 5 s silence timeout plus a few attempts) means unreachable. */
export const UNREACHABLE_AFTER_MS = 10_000;

export function presenceOf(facts: PresenceFacts): Presence {
  switch (facts.phase) {
    case 'open': {
      const doubt = facts.recoveringSince;
      if (doubt === undefined) return { kind: 'connected', route: facts.route };
      if (facts.now - doubt >= UNREACHABLE_AFTER_MS) return { kind: 'unreachable', since: facts.lastHeardAt ?? doubt };
      return { kind: 'reconnecting', since: doubt };
    }
    case 'connecting':
    case 'retrying': {
      const since = facts.lastHeardAt ?? facts.downSince;
      if (facts.lastFailure === 'unreachable' || facts.now - facts.downSince >= UNREACHABLE_AFTER_MS) {
        return { kind: 'unreachable', since };
      }
      return { kind: 'reconnecting', since };
    }
    default:
      return { kind: 'none' };
  }
}

/** The words on the phone's screen ("Computer unreachable since 14:02"). */
export function presenceText(presence: Presence, formatTime: (at: number) => string): string {
  switch (presence.kind) {
    case 'connected':
      return 'Connected';
    case 'reconnecting':
      return 'Reconnecting…';
    case 'unreachable':
      return `Computer unreachable since ${formatTime(presence.since)}`;
    case 'none':
      return '';
  }
}

/** "14:02" in the phone's own time zone. */
export function clockTime(at: number): string {
  return new Date(at).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit', hour12: false });
}

interface StatsEntry {
  type: string;
  id: string;
  state?: string;
  nominated?: boolean;
  selected?: boolean;
  selectedCandidatePairId?: string;
  localCandidateId?: string;
  remoteCandidateId?: string;
  candidateType?: string;
}

/**
 * Reads the route from an RTCStatsReport's entries: the transport's selected candidate pair (or,
 * where a browser does not name it, the nominated succeeded pair) and its candidates' types. A
 * relay candidate on either end means the packets go through TURN.
 */
export function routeFromStats(entries: readonly StatsEntry[]): LinkRoute {
  const byId = new Map(entries.map((entry) => [entry.id, entry]));
  const selectedId = entries.find((e) => e.type === 'transport' && e.selectedCandidatePairId)?.selectedCandidatePairId;
  const pair =
    (selectedId ? byId.get(selectedId) : undefined) ??
    entries.find((e) => e.type === 'candidate-pair' && (e.selected || (e.nominated && e.state === 'succeeded')));
  if (!pair?.localCandidateId || !pair.remoteCandidateId) return 'unknown';
  const local = byId.get(pair.localCandidateId)?.candidateType;
  const remote = byId.get(pair.remoteCandidateId)?.candidateType;
  if (!local || !remote) return 'unknown';
  return local === 'relay' || remote === 'relay' ? 'relayed' : 'direct';
}
