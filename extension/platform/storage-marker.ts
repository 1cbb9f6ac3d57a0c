/**
 * The durable marker's home: `storage.local`, a different store from IndexedDB, so a database the
 * browser deleted (after a disk-full episode) does not take the marker with it.
 */
import browser from 'webextension-polyfill';
import type { DurableMarker, MarkerStore } from '../storage/storage-watch';

const KEY = 'tandem.durableMarker';

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
