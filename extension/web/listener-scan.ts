/**
 * Controls wired only with `addEventListener` (no pointer cursor, no tab stop,
 * no role) leave no trace an isolated world can read; the browser knows them.
 * In Chrome, one debugger session asks it (DOMDebugger.getEventListeners) about
 * the page's elements that the other rules do not list already, and hands the
 * page agent their positions in document order, with their tags so a page that
 * changed in between is noticed (a mismatch is skipped, not listed).
 *
 * The elements are collected in a world of our own (Page.createIsolatedWorld),
 * so page scripts that replace `querySelectorAll` or `Array.from` change
 * nothing; each is then looked at as the page's world sees it, because
 * listeners belong to the world that added them. Firefox has no debugger API: there the heuristics of actionable.ts
 * are all there is.
 */
import type { TrustedInput } from './trusted-input';

/** Events a person's pointer causes on an element. Key listeners need focus, which such elements cannot take. */
const POINTER_EVENTS = new Set(['click', 'mousedown', 'mouseup', 'pointerdown', 'pointerup', 'dblclick', 'touchstart']);
/** One CDP round trip per element: bounded, so a huge page costs a bounded time. */
const MAX_SCANNED = 1_500;

/** Elements the classic selector and the heuristics already list: no need to ask about them. */
const ALREADY_LISTED =
  'a[href],button,input,select,textarea,summary,label,option,[onclick],[role],[tabindex],[contenteditable],script,style,head,meta,link,br,svg *';

export interface Listened {
  index: number;
  tag: string;
}

type Send = (method: string, params: Record<string, unknown>) => Promise<unknown>;

interface RemoteObject {
  objectId?: string;
  value?: unknown;
}

async function scan(send: Send): Promise<Listened[]> {
  const tree = (await send('Page.getFrameTree', {})) as { frameTree: { frame: { id: string } } };
  const world = (await send('Page.createIsolatedWorld', {
    frameId: tree.frameTree.frame.id,
    worldName: 'tandem-listener-scan',
  })) as { executionContextId: number };
  const group = 'tandem-listener-scan';
  const expression = `(() => {
    const all = document.body ? Array.from(document.body.querySelectorAll('*')) : [];
    const picked = [];
    all.forEach((el, index) => {
      if (picked.length < ${MAX_SCANNED} && !el.matches(${JSON.stringify(ALREADY_LISTED)}) && el.checkVisibility()) {
        picked.push({ index, tag: el.tagName.toLowerCase(), el });
      }
    });
    return picked;
  })()`;
  const list = (await send('Runtime.evaluate', {
    expression,
    contextId: world.executionContextId,
    objectGroup: group,
  })) as { result: RemoteObject };
  if (!list.result.objectId) return [];
  try {
    const entries = (await send('Runtime.getProperties', { objectId: list.result.objectId, ownProperties: true })) as {
      result: Array<{ name: string; value?: RemoteObject }>;
    };
    const found: Listened[] = [];
    for (const entry of entries.result) {
      if (!/^\d+$/.test(entry.name) || !entry.value?.objectId) continue;
      const fields = (await send('Runtime.getProperties', { objectId: entry.value.objectId, ownProperties: true })) as {
        result: Array<{ name: string; value?: RemoteObject }>;
      };
      const field = (name: string) => fields.result.find((f) => f.name === name)?.value;
      const element = field('el')?.objectId;
      const index = field('index')?.value;
      const tag = field('tag')?.value;
      if (!element || typeof index !== 'number' || typeof tag !== 'string') continue;
      // Listeners belong to the world that added them: ask about the node as the page's own world sees it.
      const { node } = (await send('DOM.describeNode', { objectId: element })) as { node: { backendNodeId: number } };
      const resolved = (await send('DOM.resolveNode', { backendNodeId: node.backendNodeId, objectGroup: group })) as {
        object: RemoteObject;
      };
      if (!resolved.object.objectId) continue;
      const { listeners } = (await send('DOMDebugger.getEventListeners', { objectId: resolved.object.objectId })) as {
        listeners: Array<{ type: string }>;
      };
      if (listeners.some((l) => POINTER_EVENTS.has(l.type))) found.push({ index, tag });
    }
    return found;
  } finally {
    await send('Runtime.releaseObjectGroup', { objectGroup: group }).catch(() => {});
  }
}

/** The elements with pointer listeners the other rules miss; undefined where the debugger is not available. */
export async function listenedElements(input: TrustedInput, tabId: number): Promise<Listened[] | undefined> {
  try {
    const done = await input.session(tabId, scan);
    return done?.value;
  } catch {
    // A page that navigated mid-scan, a detached target: the heuristics still list what they can.
    return undefined;
  }
}
