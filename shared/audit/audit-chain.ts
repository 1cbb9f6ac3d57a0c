/**
 * The audit hash chain: every row carries `prev` (the hash of the row before it, `GENESIS` for the
 * first row ever written) and `hash`, the SHA-256 of the row's canonical JSON without `hash`.
 * Editing, removing, inserting or moving a row breaks the chain at that row.
 *
 * SHA-256 from @noble/hashes, not WebCrypto: rows are chained inside the IndexedDB transaction that
 * writes them (reading the previous row and adding the new one atomically), and awaiting
 * `crypto.subtle.digest` there would let the transaction commit early. The same synchronous code
 * then runs unchanged in the verifier, in the panel and in Node.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';
import { canonicalJson } from './canonical-json';

export const HASH_ALGORITHM = 'SHA-256';
/** `prev` of the first row of a log: nothing came before it. */
export const GENESIS = '0'.repeat(64);
export const HASH_PATTERN = /^[0-9a-f]{64}$/;

export interface ChainLinks {
  prev: string;
  hash: string;
}

/** Lower-case hex SHA-256 of the UTF-8 bytes of `text`. */
export function sha256Hex(text: string): string {
  return bytesToHex(sha256(utf8ToBytes(text)));
}

/** The hash a chained object must carry: over everything it holds except `hash` itself. */
export function hashWithoutHash(value: object): string {
  const { hash: _ignored, ...rest } = value as { hash?: unknown };
  return sha256Hex(canonicalJson(rest));
}

/** `row` linked after `prev`: the stored form of an audit row. */
export function linkRow<T extends object>(row: T, prev: string): Omit<T, 'prev' | 'hash'> & ChainLinks {
  const { hash: _oldHash, prev: _oldPrev, ...rest } = row as T & Partial<ChainLinks>;
  const unhashed = { ...rest, prev };
  return { ...unhashed, hash: hashWithoutHash(unhashed) };
}

/** Rows linked one after another, the first after `prev`. */
export function linkRows<T extends object>(
  rows: readonly T[],
  prev: string,
): (Omit<T, 'prev' | 'hash'> & ChainLinks)[] {
  const linked: (Omit<T, 'prev' | 'hash'> & ChainLinks)[] = [];
  let head = prev;
  for (const row of rows) {
    const next = linkRow(row, head);
    linked.push(next);
    head = next.hash;
  }
  return linked;
}
