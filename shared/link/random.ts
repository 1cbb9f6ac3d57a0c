/**
 * The one source of randomness for the link: `crypto.getRandomValues`.
 *
 * It exists in every browser context, including a phone page served over plain http on a LAN,
 * where `crypto.subtle` does not (not a secure context). Every function that needs randomness takes
 * a `RandomBytes` so tests can make runs reproducible.
 */

/** Returns `length` fresh random bytes. */
export type RandomBytes = (length: number) => Uint8Array;

export const secureRandomBytes: RandomBytes = (length) => {
  const bytes = new Uint8Array(length);
  globalThis.crypto.getRandomValues(bytes);
  return bytes;
};
