/**
 * The canonical JSON form the audit chain hashes: RFC 8785 (JCS) for the values an audit row holds.
 * Object keys sorted by UTF-16 code units, no whitespace, strings and numbers exactly as
 * `JSON.stringify` writes them (ECMAScript's shortest round-trip numbers, as JCS requires).
 *
 * The value is first taken as JSON sees it (`JSON.parse(JSON.stringify(value))`: undefined members
 * dropped, `toJSON` applied), so a row hashed when it is written and the same row read back from an
 * exported line give the same bytes: the writer and the verifier can never disagree on what was hashed.
 */
export class NotCanonicalizableError extends Error {
  constructor(what: string) {
    super(`Cannot canonicalize ${what}: only finite JSON values can be hashed.`);
    this.name = 'NotCanonicalizableError';
  }
}

export function canonicalJson(value: unknown): string {
  const text = JSON.stringify(value);
  if (text === undefined) throw new NotCanonicalizableError(typeof value);
  return write(JSON.parse(text) as unknown);
}

function write(value: unknown): string {
  if (value === null || typeof value === 'boolean' || typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'number') {
    // JSON.stringify already turned NaN and ±Infinity into null; anything else here is finite.
    return JSON.stringify(value);
  }
  if (Array.isArray(value)) return `[${value.map(write).join(',')}]`;
  if (typeof value === 'object') {
    const record = value as Record<string, unknown>;
    // Default sort compares UTF-16 code units, which is the order JCS prescribes.
    const keys = Object.keys(record).sort();
    return `{${keys.map((key) => `${JSON.stringify(key)}:${write(record[key])}`).join(',')}}`;
  }
  throw new NotCanonicalizableError(typeof value);
}
