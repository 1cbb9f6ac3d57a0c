/**
 * Who started the host. Chromium-based browsers pass the caller's origin as the
 * first argument (`chrome-extension://<id>/`, plus `--parent-window=…` on
 * Windows); Firefox passes the manifest path and the add-on id.
 *
 * This stops other extensions that a user pointed at Tandem's host manifest; it
 * does not stop local programs, which can start the host with any arguments
 * (the Chromium security FAQ: native messaging is no secure channel against
 * local software). The allowed-folder confinement is the real boundary.
 */
import { CHROME_EXTENSION_ID, GECKO_ID } from '../../shared/extension-identity';
import type { Env } from './host-dirs';

export interface Caller {
  browser: 'chromium' | 'firefox';
  extensionId: string;
}

const CHROME_ORIGIN = /^chrome-extension:\/\/([a-p]{32})\/$/;
// Firefox add-on ids are e-mail-like ("name@domain") or a {GUID}.
const GECKO_ID_SHAPE = /^(?:[A-Za-z0-9._+-]+@[A-Za-z0-9.-]+|\{[0-9A-Fa-f-]{36}\})$/;

export function identifyCaller(argv: readonly string[]): Caller | null {
  const [first, second] = argv;
  if (first === undefined) return null;
  const chrome = CHROME_ORIGIN.exec(first);
  if (chrome?.[1]) return { browser: 'chromium', extensionId: chrome[1] };
  if (first.endsWith('.json') && second !== undefined && GECKO_ID_SHAPE.test(second)) {
    return { browser: 'firefox', extensionId: second };
  }
  return null;
}

/** The published ids, plus development ids from `TANDEM_ALLOWED_EXTENSION_IDS` (comma or space separated). */
export function allowedExtensionIds(env: Env): string[] {
  const extra = (env.TANDEM_ALLOWED_EXTENSION_IDS ?? '')
    .split(/[\s,]+/)
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
  return [CHROME_EXTENSION_ID, GECKO_ID, ...extra];
}

export function isCallerAllowed(caller: Caller | null, allowed: readonly string[]): boolean {
  return caller !== null && allowed.includes(caller.extensionId);
}
