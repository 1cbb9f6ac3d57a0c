/**
 * Trusted keys and clicks through the debugger protocol (Chrome): the browser
 * itself produces the events (`isTrusted` true, every field a real keyboard or
 * mouse sets, native default actions), which synthetic events from an
 * isolated world cannot do. Firefox has no `debugger` API, and attaching fails
 * where another debugger holds the tab or the user cancelled the "is debugging
 * this browser" bar: then `trustedAction` answers undefined and the tab driver
 * uses the synthetic path (page-agent.ts), which still carries code and keyCode.
 *
 * The session lasts one action: attach, dispatch, detach. Chrome shows its
 * debugging bar while any session is open (see docs/ARCHITECTURE.md, "Web
 * access"), so none is kept open between actions.
 *
 * The page is asked first (origin re-check, visibility, hit test, focus) by the
 * same isolated-world code as every other action; the events then go to the
 * point or focus it reported. An element covered by something else, or a key
 * whose native default action (following a link, pressing a button, submitting
 * a form) the plan did not check, goes the synthetic way instead.
 */
import { keyDescriptor } from './key-codes';
import type { Modifier, PageRequest, PageResponse } from './page-protocol';

type Send = (method: string, params: Record<string, unknown>) => Promise<unknown>;
/** Resolves with the params of the session's next event of that method, or undefined after `timeoutMs`. */
type NextEvent = (method: string, timeoutMs: number) => Promise<Record<string, unknown> | undefined>;

/** The part of `chrome.debugger` used here (the polyfill does not wrap it). */
interface DebuggerApi {
  attach(target: { tabId: number }, version: string): Promise<void>;
  detach(target: { tabId: number }): Promise<void>;
  sendCommand(target: { tabId: number }, method: string, params?: object): Promise<unknown>;
  onEvent: {
    addListener(listener: (source: { tabId?: number }, method: string, params?: object) => void): void;
    removeListener(listener: (source: { tabId?: number }, method: string, params?: object) => void): void;
  };
}

interface TabsApi {
  update(tabId: number, change: { active: boolean }): Promise<unknown>;
}

export interface TrustedInput {
  /** Runs `use` inside a debugger session on the tab; undefined when the tab cannot be attached. */
  session<T>(tabId: number, use: (send: Send, next: NextEvent) => Promise<T>): Promise<{ value: T } | undefined>;
}

export function debuggerInput(): TrustedInput | undefined {
  const api = (globalThis as unknown as { chrome?: { debugger?: DebuggerApi } }).chrome?.debugger;
  if (!api || typeof api.attach !== 'function') return undefined;
  return {
    async session(tabId, use) {
      const target = { tabId };
      // Chrome delivers input to a tab only while it is shown (a hidden one never draws the frame
      // the events wait for); agent tabs live in the agent's own window, so showing one disturbs nobody.
      await (globalThis as unknown as { chrome: { tabs: TabsApi } }).chrome.tabs
        .update(tabId, { active: true })
        .catch(() => {});
      try {
        await api.attach(target, '1.3');
      } catch {
        return undefined;
      }
      const waiting = new Map<string, (params: Record<string, unknown>) => void>();
      const listener = (source: { tabId?: number }, method: string, params?: object) => {
        if (source.tabId === tabId) waiting.get(method)?.((params ?? {}) as Record<string, unknown>);
      };
      api.onEvent.addListener(listener);
      const next: NextEvent = (method, timeoutMs) =>
        new Promise((resolve) => {
          const timer = setTimeout(() => {
            waiting.delete(method);
            resolve(undefined);
          }, timeoutMs);
          waiting.set(method, (params) => {
            clearTimeout(timer);
            waiting.delete(method);
            resolve(params);
          });
        });
      try {
        return { value: await use((method, params) => api.sendCommand(target, method, params), next) };
      } finally {
        api.onEvent.removeListener(listener);
        await api.detach(target).catch(() => {});
      }
    },
  };
}

const SHIFT = 8;
/** The debugger protocol's modifier bits. */
const MODIFIER_BITS: Record<Modifier, number> = { Alt: 1, Control: 2, Meta: 4, Shift: SHIFT };

async function pressKey(send: Send, name: string, modifiers: readonly Modifier[] = []): Promise<void> {
  const key = keyDescriptor(name);
  const held = modifiers.reduce((bits, m) => bits | MODIFIER_BITS[m], key.shift ? SHIFT : 0);
  const base = {
    key: key.key,
    code: key.code,
    windowsVirtualKeyCode: key.keyCode,
    nativeVirtualKeyCode: key.keyCode,
    modifiers: held,
  };
  // A shortcut (Control+b) types nothing: the browser runs its editing command (bold, copy) instead.
  const text = held & ~SHIFT ? undefined : key.text;
  // keyDown with text types it (and fires keypress); rawKeyDown is a key that types nothing.
  await send('Input.dispatchKeyEvent', {
    ...base,
    type: text ? 'keyDown' : 'rawKeyDown',
    ...(text ? { text, unmodifiedText: text } : {}),
  });
  await send('Input.dispatchKeyEvent', { ...base, type: 'keyUp' });
}

export async function clickAt(send: Send, x: number, y: number): Promise<void> {
  const at = { x, y, button: 'left', pointerType: 'mouse' };
  await send('Input.dispatchMouseEvent', { ...at, type: 'mouseMoved', button: 'none' });
  await send('Input.dispatchMouseEvent', { ...at, type: 'mousePressed', buttons: 1, clickCount: 1 });
  await send('Input.dispatchMouseEvent', { ...at, type: 'mouseReleased', buttons: 0, clickCount: 1 });
}

/** The press request with the key's code and legacy number, so the synthetic path carries them too. */
export function withKeyCodes(request: PageRequest): PageRequest {
  if (request.op !== 'press') return request;
  const key = keyDescriptor(request.key);
  return { ...request, code: key.code, keyCode: key.keyCode };
}

async function moveTo(send: Send, x: number, y: number, buttons: number): Promise<void> {
  await send('Input.dispatchMouseEvent', {
    type: 'mouseMoved',
    x,
    y,
    button: buttons ? 'left' : 'none',
    buttons,
    pointerType: 'mouse',
  });
}

async function dragBetween(send: Send, from: { x: number; y: number }, to: { x: number; y: number }): Promise<void> {
  await moveTo(send, from.x, from.y, 0);
  await send('Input.dispatchMouseEvent', { type: 'mousePressed', ...from, button: 'left', buttons: 1, clickCount: 1 });
  // Steps, because widgets follow the pointer move by move (a slider that jumps ignores one long move).
  const STEPS = 10;
  for (let i = 1; i <= STEPS; i++) {
    await moveTo(send, from.x + ((to.x - from.x) * i) / STEPS, from.y + ((to.y - from.y) * i) / STEPS, 1);
  }
  await send('Input.dispatchMouseEvent', { type: 'mouseReleased', ...to, button: 'left', buttons: 0, clickCount: 1 });
}

/**
 * HTML5 drag and drop: Chrome's own drag starts from the trusted press and moves; the debugger
 * intercepts it (Input.setInterceptDrags) and hands over its data, which is then dropped on the
 * target as a real drop (Input.dispatchDragEvent), so dragstart, dragover and drop are all trusted.
 */
async function nativeDragBetween(
  send: Send,
  next: NextEvent,
  from: { x: number; y: number },
  to: { x: number; y: number },
): Promise<void> {
  await send('Input.setInterceptDrags', { enabled: true });
  try {
    const intercepted = next('Input.dragIntercepted', 2_000);
    await moveTo(send, from.x, from.y, 0);
    await send('Input.dispatchMouseEvent', {
      type: 'mousePressed',
      ...from,
      button: 'left',
      buttons: 1,
      clickCount: 1,
    });
    for (let i = 1; i <= 5; i++) {
      await moveTo(send, from.x + ((to.x - from.x) * i) / 5, from.y + ((to.y - from.y) * i) / 5, 1);
    }
    const drag = await intercepted;
    if (drag?.data) {
      for (const type of ['dragEnter', 'dragOver', 'drop']) {
        await send('Input.dispatchDragEvent', { type, ...to, data: drag.data, modifiers: 0 });
      }
    }
    await send('Input.dispatchMouseEvent', { type: 'mouseReleased', ...to, button: 'left', buttons: 0, clickCount: 1 });
  } finally {
    await send('Input.setInterceptDrags', { enabled: false }).catch(() => {});
  }
}

type RunPage = (request: PageRequest) => Promise<PageResponse>;

/**
 * Does a click or key press with trusted input when it can: the answer, or undefined to run the
 * request the synthetic way. Other requests are never handled here.
 */
export async function trustedAction(
  input: TrustedInput,
  tabId: number,
  request: PageRequest,
  runPage: RunPage,
): Promise<PageResponse | undefined> {
  if (request.op === 'click') {
    const point = await runPage({ op: 'locate', ref: request.ref });
    if (point.op !== 'point') return point;
    if (!point.hit) return undefined;
    const done = await input.session(tabId, (send) => clickAt(send, point.x, point.y));
    return done ? { op: 'done' } : undefined;
  }
  if (request.op === 'hover' || request.op === 'drag') {
    const from = await runPage({ op: 'locate', ref: request.ref });
    if (from.op !== 'point') return from;
    if (!from.hit) return undefined;
    if (request.op === 'hover') {
      const done = await input.session(tabId, (send) => moveTo(send, from.x, from.y, 0));
      return done ? { op: 'done' } : undefined;
    }
    // The target is measured where it is now: scrolling it into view would move the source.
    const to = await runPage({ op: 'locate', ref: request.to, scroll: false });
    if (to.op !== 'point') return to;
    const done = await input.session(tabId, (send, next) =>
      from.draggable ? nativeDragBetween(send, next, from, to) : dragBetween(send, from, to),
    );
    return done ? { op: 'done' } : undefined;
  }
  if (request.op === 'click_point') {
    const point = await runPage({ op: 'probe', x: request.x, y: request.y });
    if (point.op !== 'probe') return point;
    const done = await input.session(tabId, (send) => clickAt(send, point.x, point.y));
    return done ? { op: 'done' } : undefined;
  }
  if (request.op === 'press') {
    // Enter that submits a confirmed form keeps the synthetic path: it submits that form and nothing else.
    if (request.submit) return undefined;
    const target = await runPage({ op: 'key_target', ...(request.ref ? { ref: request.ref } : {}) });
    if (target.op !== 'key_target') return target;
    if (!target.focused || target.password) return undefined;
    if (request.key === 'Enter' && target.enterActs) return undefined;
    if ((request.key === 'Space' || request.key === ' ') && target.spaceActs) return undefined;
    const done = await input.session(tabId, (send) => pressKey(send, request.key, request.modifiers));
    return done ? { op: 'done' } : undefined;
  }
  return undefined;
}
