/**
 * What the permission gate is asked before a file tool changes anything.
 *
 * - Reads never ask: the host only serves the allowed folders.
 * - Writes ask per folder ("allow once" / "always in this folder"), unless the
 *   user set that folder to auto-approve writes. A change touching two folders
 *   (a move) needs both; the grant is remembered per folder.
 * - Deleting always asks, naming every path; nothing is remembered.
 * - A path outside the folders, or in a read-only one, asks nothing: the host
 *   refuses it and the model hears why.
 *
 * The decisions are pure functions of where each path leads; the runtime learns
 * that from the host (files/file-access.ts), falling back to "unknown", which
 * always asks and is never remembered (fail closed).
 */
import type { DecisionOption } from '../../shared/protocol';
import type { AllowedRoot } from '../../shared/protocol/native-host';
import { GrantPolicy, type GrantStore } from '../permissions/grant-policy';
import type { GateContext, PermissionPolicy, PermissionRequest, Verdict } from '../permissions/permission-gate';

export const FOLDER_WRITE_POLICY = 'folder-write';
export const FILE_DELETE_POLICY = 'file-delete';

/** Where a requested path leads, as far as the extension could learn. */
export type FolderOf = AllowedRoot | 'outside' | 'unknown';

/** A grant scope names one folder by its real path; several are a JSON list (paths start with "/", lists with "["). */
export function encodeFolderScope(paths: readonly string[]): string {
  const unique = [...new Set(paths)].sort();
  return unique.length === 1 ? (unique[0] as string) : JSON.stringify(unique);
}

export function decodeFolderScope(scope: string): string[] {
  if (!scope.startsWith('[')) return [scope];
  try {
    const parsed: unknown = JSON.parse(scope);
    if (Array.isArray(parsed) && parsed.every((p): p is string => typeof p === 'string')) return parsed;
  } catch {
    // fall through: an unreadable scope matches no grant
  }
  return [scope];
}

const UNKNOWN_SCOPE = '?';

function list(items: readonly string[]): string {
  if (items.length <= 1) return items.join('');
  return `${items.slice(0, -1).join(', ')} and ${items.at(-1)}`;
}

/**
 * The question before a change; undefined when nothing needs asking.
 * `folders`: where each path the change touches leads; `action`: what it does,
 * in words ("write notes/todo.md", "move notes/a.md to archive/a.md").
 */
export function writeRequest(folders: readonly FolderOf[], action: string): PermissionRequest | undefined {
  const asking = new Map<string, AllowedRoot>();
  for (const folder of folders) {
    if (folder === 'unknown' || folder === 'outside') continue;
    // The host refuses writes in read-only folders; auto-approving folders need no question.
    if (folder.mode !== 'read-write' || folder.autoApproveWrites) continue;
    asking.set(folder.path, folder);
  }
  if (folders.includes('unknown')) {
    // The host could not say which folder this is (it is not reachable now): ask, remember nothing.
    return {
      policy: FOLDER_WRITE_POLICY,
      scope: UNKNOWN_SCOPE,
      alwaysAsk: true,
      title: `Let Tandem ${action}?`,
      detail: `The agent wants to ${action}. Tandem could not check which allowed folder that is in, so this answer covers only this action.`,
      options: [
        { id: 'allow_once', label: 'Allow', tone: 'primary' },
        { id: 'deny', label: 'Deny', tone: 'danger' },
      ],
    };
  }
  if (asking.size === 0) return undefined;
  const named = [...asking.values()];
  const options: DecisionOption[] = [
    { id: 'allow_once', label: 'Allow once', tone: 'primary' },
    {
      id: 'allow_always',
      label: named.length === 1 ? `Always in "${named[0]?.name}"` : 'Always in these folders',
      tone: 'neutral',
    },
    { id: 'deny', label: 'Deny', tone: 'danger' },
  ];
  return {
    policy: FOLDER_WRITE_POLICY,
    scope: encodeFolderScope([...asking.keys()]),
    title: `Let Tandem ${action}?`,
    detail: `The agent wants to ${action}, in the folder${named.length === 1 ? '' : 's'} ${list(
      named.map((f) => `${f.name} (${f.path})`),
    )}. "Allow once" covers this task; "Always" lets it change files there without asking until you remove the folder.`,
    options,
  };
}

/** Deleting always asks and names every path; the entries go to Tandem's trash, restorable. */
export function deleteRequest(shownPaths: readonly string[]): PermissionRequest {
  const count = shownPaths.length;
  return {
    policy: FILE_DELETE_POLICY,
    scope: 'trash',
    alwaysAsk: true,
    title: count === 1 ? `Delete ${shownPaths[0]}?` : `Delete ${count} items?`,
    detail: `The agent wants to delete: ${shownPaths.join(', ')}. ${
      count === 1 ? 'It goes' : 'They go'
    } to Tandem's trash, from where you can restore ${count === 1 ? 'it' : 'them'} (Settings → Trash).`,
    options: [
      { id: 'allow_once', label: 'Move to trash', tone: 'danger' },
      { id: 'deny', label: 'Keep', tone: 'neutral' },
    ],
  };
}

/**
 * Grants per folder: a request about several folders is allowed when each is,
 * denied when any is, and an answer is remembered for each.
 */
export class FolderWritePolicy implements PermissionPolicy {
  readonly name = FOLDER_WRITE_POLICY;
  readonly options: DecisionOption[];
  private readonly grants: GrantPolicy;

  constructor(private readonly store: GrantStore) {
    this.grants = new GrantPolicy(FOLDER_WRITE_POLICY, store, ['allow_once', 'allow_always', 'deny']);
    this.options = this.grants.options;
  }

  async evaluate(request: PermissionRequest, ctx: GateContext): Promise<Verdict> {
    if (request.scope === UNKNOWN_SCOPE) return 'ask';
    let verdict: Verdict = 'allow';
    for (const scope of decodeFolderScope(request.scope)) {
      const one = await this.grants.evaluate({ ...request, scope }, ctx);
      if (one === 'deny') return 'deny';
      if (one === 'ask') verdict = 'ask';
    }
    return verdict;
  }

  async apply(request: PermissionRequest, optionId: string, ctx: GateContext): Promise<'allow' | 'deny'> {
    if (request.scope === UNKNOWN_SCOPE) return optionId === 'allow_once' ? 'allow' : 'deny';
    let outcome: 'allow' | 'deny' = 'allow';
    for (const scope of decodeFolderScope(request.scope)) {
      if ((await this.grants.apply({ ...request, scope }, optionId, ctx)) === 'deny') outcome = 'deny';
    }
    return outcome;
  }

  /** A folder that is no longer allowed keeps no answers: allowing it again starts from "ask". */
  async forgetFolder(folderPath: string): Promise<void> {
    const grants = await this.store.load(FOLDER_WRITE_POLICY);
    await this.store.save(
      FOLDER_WRITE_POLICY,
      grants.filter((g) => g.scope !== folderPath),
    );
  }
}
