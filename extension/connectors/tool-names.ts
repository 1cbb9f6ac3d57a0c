/**
 * Names the model sees for connector tools. The Messages API accepts
 * `^[a-zA-Z0-9_-]{1,64}$`; server tool names can be anything (dots, spaces, 200
 * characters) and two servers may both have `search`. A name is derived from the
 * connector id and the server's tool name alone, never from list order, so it
 * stays the same across restarts and `tools/list_changed` (the cached prompt prefix
 * and past tool calls in the log keep meaning the same tool).
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';

export const TOOL_NAME_PATTERN = /^[a-zA-Z0-9_-]{1,64}$/;
const MAX = 64;

function shortHash(text: string): string {
  return bytesToHex(sha256(utf8ToBytes(text))).slice(0, 8);
}

/** `mcp_<connector>__<tool>`; a tool name that had to be changed or cut gets a hash of the original. */
export function modelToolName(connectorId: string, serverToolName: string): string {
  const prefix = `mcp_${connectorId.replace(/[^a-zA-Z0-9-]/g, '-').slice(0, 24)}__`;
  const clean = serverToolName.replace(/[^a-zA-Z0-9_-]/g, '_');
  if (clean === serverToolName && prefix.length + clean.length <= MAX && clean.length > 0) return prefix + clean;
  const suffix = `_${shortHash(`${connectorId}\u0000${serverToolName}`)}`;
  return prefix + clean.slice(0, MAX - prefix.length - suffix.length) + suffix;
}

/**
 * Names for one connector's tools. Two server names could still meet after cleaning
 * (`a.b` and `a_b_<hash>` is astronomically unlikely, `a.b` vs `a b` is not: both get
 * hashes); a clash left over keeps the first in sorted order and drops the other.
 */
export function nameConnectorTools(connectorId: string, serverNames: readonly string[]): Map<string, string> {
  const byModelName = new Map<string, string>();
  for (const name of [...serverNames].sort()) {
    const modelName = modelToolName(connectorId, name);
    if (!byModelName.has(modelName)) byModelName.set(modelName, name);
  }
  return new Map([...byModelName].map(([model, server]) => [server, model]));
}
