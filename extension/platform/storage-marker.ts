/**
 * The durable marker's home: `storage.local`, a different store from IndexedDB, so a database the
 * browser deleted (after a disk-full episode) does not take the marker with it.
 */
import browser from 'webextension-polyfill';
import type { Snapshot, SnapshotStore } from '../storage/auto-backup';
import type { DurableMarker, MarkerStore } from '../storage/storage-watch';

const KEY = 'tandem.durableMarker';
const SNAPSHOT_KEY = 'tandem.autoBackup';
const SNAPSHOT_AT_KEY = 'tandem.autoBackupAt';

/** The automatic backup, in `storage.local` too (files apart from IndexedDB's). */
export function storageLocalSnapshots(): SnapshotStore {
  return {
    async get() {
      return (await browser.storage.local.get(SNAPSHOT_KEY))[SNAPSHOT_KEY];
    },
    async getAt() {
      return (await browser.storage.local.get(SNAPSHOT_AT_KEY))[SNAPSHOT_AT_KEY];
    },
    async set(snapshot: Snapshot) {
      await browser.storage.local.set({ [SNAPSHOT_KEY]: snapshot, [SNAPSHOT_AT_KEY]: snapshot.at });
    },
  };
}

export function storageLocalMarker(): MarkerStore {
  return {
    async get() {
      return (await browser.storage.local.get(KEY))[KEY];
    },
    async set(value: DurableMarker) {
      await browser.storage.local.set({ [KEY]: value });
    },
  };
}
