/**
 * The phone link settings form ↔ a `link.settings.update` patch. Pure, so its rules are unit-tested:
 * ICE servers are typed one per line ("stun:host:3478" or "turn:host:3478 user credential"), the
 * port may be empty (scheme default), and nothing invalid is ever sent.
 */
import { type IceServer, type LinkSettings, LinkSettingsPatch, PEERJS_CLOUD } from '../../../shared/protocol/link';

export interface LinkFormValues {
  host: string;
  port: string;
  path: string;
  secure: boolean;
  iceServers: string;
  phonePageUrl: string;
}

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
  const candidate = {
    signaling:
      host === ''
        ? null
        : { host, secure: values.secure, ...(port === undefined ? {} : { port }), ...(path === '' ? {} : { path }) },
    iceServers: iceServers ?? [],
    phonePageUrl: values.phonePageUrl.trim(),
  };
  const parsed = LinkSettingsPatch.safeParse(candidate);
  if (!parsed.success) {
    for (const issue of parsed.error.issues) {
      const field = issue.path[0] === 'signaling' ? (issue.path[1] === 'host' ? 'host' : 'path') : issue.path[0];
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
