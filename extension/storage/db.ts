/**
 * The one IndexedDB database (Dexie). Its version history lives here; a schema
 * change is a new `version(n)`, never an edit of an old one.
 */
import { Dexie, type EntityTable } from 'dexie';
import { GENESIS, linkRows } from '../../shared/audit/audit-chain';
import type { AuditEntry, Shortcut, ThreadEvent, ThreadSummary } from '../../shared/protocol';
import type { RunRecord, ScheduleRecord } from '../schedule/schedule-record';

/** A thread's row: the summary clients see. `lastSeq` is the head of its event log. */
export type ThreadRecord = ThreadSummary;

/** An audit row as stored: its id and its links in the audit hash chain (shared/audit/audit-chain.ts). */
export type AuditRecord = AuditEntry & { id: number; prev: string; hash: string };

/** A command id the runtime has applied, with the answer it gave, so a re-sent command is answered identically. */
export interface AppliedCommand {
  id: string;
  at: number;
  ok: boolean;
  threadId?: string;
  code?: string;
  message?: string;
}

/** A paired phone (phone link). Revoked ones are kept so a revoked phone is told why it is refused. */
export interface DeviceRecord {
  /** Hex of the phone's long-term X25519 public key. */
  id: string;
  name: string;
  pairedAt: number;
  lastSeenAt: number;
  status: 'active' | 'revoked';
}

/** A pairing QR code the panel showed: its single-use secret, until used or expired. */
export interface PairingRecord {
  /** Public handle of the secret (shared/link pairingSecretId). */
  secretId: string;
  secret: Uint8Array;
  createdAt: number;
  expiresAt: number;
  /** Set once, atomically, by the handshake that used it. */
  usedAt?: number;
}

/** Small JSON documents (settings, policies) validated with zod when read. */
export interface KeyValue {
  key: string;
  value: unknown;
}

export class TandemDatabase extends Dexie {
  threads!: EntityTable<ThreadRecord, 'id'>;
  events!: Dexie.Table<ThreadEvent, [string, number]>;
  audit!: EntityTable<AuditRecord, 'id'>;
  commands!: EntityTable<AppliedCommand, 'id'>;
  kv!: EntityTable<KeyValue, 'key'>;
  devices!: EntityTable<DeviceRecord, 'id'>;
  pairings!: EntityTable<PairingRecord, 'secretId'>;
  schedules!: EntityTable<ScheduleRecord, 'id'>;
  scheduleRuns!: EntityTable<RunRecord, 'id'>;
  shortcuts!: EntityTable<Shortcut, 'name'>;

  constructor(name = 'tandem') {
    // 'relaxed': a commit returns once the OS has the data, not once it is on disk. That survives a
    // killed worker or browser (the cases Tandem resumes from); only an OS crash or power loss can
    // lose the last few events, and 'strict' would cost a disk flush on every step.
    super(name, { chromeTransactionDurability: 'relaxed' });
    this.version(1).stores({
      threads: 'id, updatedAt',
      events: '[threadId+seq]',
      audit: '++id, threadId, at',
      commands: 'id, at',
      kv: 'key',
    });
    // Phone link: paired devices and the pairing secrets of QR codes shown (see extension/link/).
    this.version(2).stores({
      devices: 'id, status',
      pairings: 'secretId, expiresAt',
    });
    // Schedules and their runs, and saved prompts (see extension/schedule/). New tables only: no data moves.
    this.version(3).stores({
      schedules: 'id, threadId, nextRunAt',
      scheduleRuns: 'id, scheduleId, threadId, status',
      shortcuts: 'name',
    });
    // The audit hash chain: rows written before it are linked now, in id order, from the genesis.
    // The chain vouches for them from this upgrade on, not from when they happened.
    this.version(4)
      .stores({})
      .upgrade(async (tx) => {
        const audit = tx.table<AuditEntry & { id: number }, number>('audit');
        const rows = await audit.orderBy(':id').toArray();
        if (rows.length > 0) await audit.bulkPut(linkRows(rows, GENESIS));
      });
    // Search inside messages (storage/message-search.ts) reads only message events: an index on
    // `kind`, built by IndexedDB itself over existing rows, so nothing is copied or kept in step.
    this.version(5).stores({
      events: '[threadId+seq], kind',
    });
  }
}
