/**
 * The phone link settings form ↔ a `link.settings.update` patch. Pure, so its rules are unit-tested:
 * ICE servers are typed one per line ("stun:host:3478" or "turn:host:3478 user credential"), the
 * port may be empty (scheme default), a TURN REST server is its addresses plus the shared secret,
 * and nothing invalid is ever sent.
 */
import { type IceServer, type LinkSettings, LinkSettingsPatch, PEERJS_CLOUD } from '../../../shared/protocol/link';

export interface LinkFormValues {
  host: string;
  port: string;
  path: string;
  secure: boolean;
  iceServers: string;
  phonePageUrl: string;
  /** TURN REST server: its turn: URLs (comma or space separated) and the shared secret. */
  turnRestUrls: string;
  turnRestSecret: string;
  keepAwake: boolean;
}

/** Minted TURN credentials live a day: long enough for a phone to reconnect all day, short if a QR photo leaks. */
export const TURN_REST_TTL_SECONDS = 86_400;

export type LinkFormResult =
  | { ok: true; patch: LinkSettingsPatch }
  | { ok: false; errors: Partial<Record<keyof LinkFormValues, string>> };

export function formFromLinkSettings(settings: LinkSettings): LinkFormValues {
  const signaling = settings.signaling;
  return {
    host: signaling?.host ?? '',
    port: signaling?.port === undefined ? '' : String(signaling.port),
    path: signaling?.path ?? '',
    secure: signaling?.secure ?? true,
    iceServers: settings.iceServers.map(iceServerLine).join('\n'),
    phonePageUrl: settings.phonePageUrl,
    turnRestUrls: settings.turnRest?.urls.join(' ') ?? '',
    turnRestSecret: settings.turnRest?.secret ?? '',
    keepAwake: settings.keepAwake,
  };
}

export function isPeerjsCloud(values: Pick<LinkFormValues, 'host'>): boolean {
  return values.host.trim().toLowerCase() === PEERJS_CLOUD.host;
}

export function iceServerLine(server: IceServer): string {
  const urls = Array.isArray(server.urls) ? server.urls.join(',') : server.urls;
  return [urls, server.username, server.credential].filter((part) => part !== undefined && part !== '').join(' ');
}

export function parseIceServers(text: string): IceServer[] | undefined {
  const servers: IceServer[] = [];
  for (const line of text.split('\n')) {
    const parts = line.trim().split(/\s+/).filter(Boolean);
    if (parts.length === 0) continue;
    const [urlText = '', username, credential, ...rest] = parts;
    const urls = urlText.split(',').filter(Boolean);
    if (rest.length > 0 || urls.length === 0 || !urls.every((url) => /^(stun|stuns|turn|turns):\S+$/.test(url))) {
      return undefined;
    }
    servers.push({
      urls: urls.length === 1 ? (urls[0] ?? '') : urls,
      ...(username ? { username } : {}),
      ...(credential ? { credential } : {}),
    });
  }
  return servers;
}

export function patchFromLinkForm(values: LinkFormValues): LinkFormResult {
  const errors: Partial<Record<keyof LinkFormValues, string>> = {};
  const host = values.host.trim();
  const portText = values.port.trim();
  const port = portText === '' ? undefined : Number(portText);
  if (port !== undefined && !(Number.isInteger(port) && port >= 1 && port <= 65535)) {
    errors.port = 'A port is a whole number from 1 to 65535 (or empty for the default).';
  }
  const path = values.path.trim();
  if (path !== '' && !path.startsWith('/')) errors.path = 'The path starts with "/", e.g. /tandem.';
  const iceServers = parseIceServers(values.iceServers);
  if (!iceServers) errors.iceServers = 'One server per line: "stun:host:port" or "turn:host:port user password".';
  const turnUrls = values.turnRestUrls.split(/[\s,]+/).filter(Boolean);
  const turnSecret = values.turnRestSecret.trim();
  if (turnUrls.length > 0 && !turnUrls.every((url) => /^turns?:\S+$/.test(url))) {
    errors.turnRestUrls = 'TURN addresses start with turn: or turns:, e.g. turn:turn.example.org:3478.';
  }
  if (turnUrls.length > 0 && turnSecret.length < 8) {
    errors.turnRestSecret = 'The shared secret (coturn static-auth-secret) has at least 8 characters.';
  }
  if (turnUrls.length === 0 && turnSecret !== '') errors.turnRestUrls = 'Add the TURN server’s address.';
  const candidate = {
    signaling:
      host === ''
        ? null
        : { host, secure: values.secure, ...(port === undefined ? {} : { port }), ...(path === '' ? {} : { path }) },
    iceServers: iceServers ?? [],
    phonePageUrl: values.phonePageUrl.trim(),
    turnRest: turnUrls.length === 0 ? null : { urls: turnUrls, secret: turnSecret, ttlSeconds: TURN_REST_TTL_SECONDS },
    keepAwake: values.keepAwake,
  };
  const parsed = LinkSettingsPatch.safeParse(candidate);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const field = issue.path[0] === 'signaling' ? (issue.path[1] === 'host' ? 'host' : 'path') : issue.path[0];
      if (field === 'turnRest') {
        errors.turnRestUrls ??= 'Not a valid TURN server.';
        continue;
      }
      if (field === 'host' || field === 'path' || field === 'phonePageUrl' || field === 'iceServers') {
        errors[field] ??=
          field === 'phonePageUrl'
            ? 'Enter the full address of the phone page, e.g. https://phone.example.org/.'
            : 'Not valid.';
      }
    }
  }
  if (Object.keys(errors).length > 0 || !parsed.success) return { ok: false, errors };
  return { ok: true, patch: parsed.data };
}
