/**
 * Which model service the settings point at, for the header badge: nobody should take the scripted
 * demo model (`npm start -- --demo`, a server on this computer) or a proxy for Claude itself.
 */
export type ModelSource = { kind: 'anthropic' } | { kind: 'local' | 'custom'; host: string };

const LOOPBACK = /^(localhost|127(?:\.\d{1,3}){3}|\[::1\])$/;

export function modelSource(baseUrl: string): ModelSource {
  let url: URL;
  try {
    url = new URL(baseUrl);
  } catch {
    return { kind: 'custom', host: baseUrl };
  }
  if (url.hostname === 'api.anthropic.com') return { kind: 'anthropic' };
  return { kind: LOOPBACK.test(url.hostname) ? 'local' : 'custom', host: url.host };
}

/** The badge's words, or undefined for Anthropic's own API. */
export function modelSourceLabel(source: ModelSource): string | undefined {
  if (source.kind === 'anthropic') return undefined;
  return source.kind === 'local' ? 'Demo model' : `API: ${source.host}`;
}
