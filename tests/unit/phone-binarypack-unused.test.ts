import { describe, expect, it } from 'vitest';
import { pack, unpack } from '../../phone-web/src/binarypack-unused.ts';

describe("the phone build's stand-in for PeerJS's BinaryPack", () => {
  it('fails loudly, naming the fix, if a connection other than raw ever reaches it', () => {
    expect(() => pack({ hello: 'world' })).toThrow(/serialization 'raw'/);
    expect(() => unpack(new ArrayBuffer(4))).toThrow(/not in the phone page's build/);
  });
});
