/**
 * What the user is told about the file bridge, decided from what the browser
 * said when a port closed. Pure, so each browser's wording is unit-tested.
 */
import type { BridgeState } from '../../shared/protocol/files';

/** The one command that installs the host (manifests for every browser; see native-host/README.md). */
export const HOST_INSTALL_COMMAND = 'npm run host:install';

/**
 * Chrome: "Specified native messaging host not found." (no manifest for the name);
 * Firefox: "No such native application dev.tandem_agent.files".
 */
const NOT_INSTALLED = /host not found|no such native application/i;
/** Chrome: "Access to the specified native messaging host is forbidden." (manifest lacks our origin). */
const FORBIDDEN = /forbidden/i;

export interface BridgeVerdict {
  state: Exclude<BridgeState, 'unknown' | 'connected'>;
  message: string;
}

/** Why a port closed before the host answered, as a state and a sentence a person can act on. */
export function classifyDisconnect(reason: string | undefined): BridgeVerdict {
  const said = reason?.trim() ?? '';
  if (NOT_INSTALLED.test(said)) {
    return {
      state: 'not_installed',
      message: `The Tandem file host is not installed for this browser. In your Tandem folder, run: ${HOST_INSTALL_COMMAND}`,
    };
  }
  if (FORBIDDEN.test(said)) {
    return {
      state: 'error',
      message: `The browser refused to start the file host: its manifest does not allow this extension (${said}). Reinstall it with ${HOST_INSTALL_COMMAND}.`,
    };
  }
  return {
    state: 'error',
    message: said
      ? `The file host stopped: ${said} Run \`npm run host:doctor\` to see what is wrong.`
      : 'The file host stopped without saying why. Run `npm run host:doctor` to see what is wrong.',
  };
}
