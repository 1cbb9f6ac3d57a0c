/**
 * Stands in for `peerjs-js-binarypack` in the phone page's build (aliased in vite.config.ts).
 *
 * PeerJS imports BinaryPack for its "binary" serialization (its default) and `util.pack`. The link
 * opens every connection with `serialization: 'raw'` (phone-web/src/link-attempt.ts) and frames
 * and seals its own bytes (shared/link), so BinaryPack is never called: about 3 KiB gzipped of the
 * page for nothing. Should a code path ever reach it, it fails loudly instead of sending unframed data.
 */
function unused(): never {
  throw new Error(
    "BinaryPack is not in the phone page's build: open PeerJS connections with serialization 'raw' (see phone-web/src/binarypack-unused.ts).",
  );
}

export const pack: (data: unknown) => never = unused;
export const unpack: (data: ArrayBuffer) => never = unused;
