/**
 * Where a frame sits in its parent, for trusted input (trusted-input.ts): the
 * debugger protocol takes points of the top page, while a frame's page agent
 * measures in its own viewport. Each function here runs in one frame
 * (chrome.scripting.executeScript, isolated world) and is self-contained.
 *
 * A frame and its element in the parent are matched through `window.frames`:
 * the frame finds its own index in its parent's list (comparing window
 * proxies is allowed across origins), and the parent finds the <iframe> whose
 * content window has that index. Neither side reads the other's document, so
 * this works for cross-origin frames, and nothing a page script does to its
 * own objects changes the isolated world's view. When a frame cannot be
 * placed, the action falls back to synthetic events in the frame (no point
 * outside it is ever guessed).
 */
import { z } from 'zod';

/** This frame's index in its parent's `window.frames`, or -1. */
export function frameIndexInParent(): number {
  if (window.parent === window) return -1;
  for (let i = 0; i < window.parent.length; i++) {
    if (window.parent[i] === window) return i;
  }
  return -1;
}

export const FramePlace = z.object({
  x: z.number(),
  y: z.number(),
  /** A pointer at (x, y) in this document lands on the frame element itself (not covered, inside the viewport). */
  hit: z.boolean(),
});
export type FramePlace = z.infer<typeof FramePlace>;

/** The point `point` of child frame `index`, in this document's viewport; null when no element holds that frame. */
export function placeChildPoint(index: number, point: { x: number; y: number }): unknown {
  const child = window[index];
  if (!child) return null;
  const element = Array.from(document.querySelectorAll('iframe, frame')).find(
    (e) => (e as HTMLIFrameElement).contentWindow === child,
  ) as HTMLIFrameElement | undefined;
  if (!element) return null;
  const rect = element.getBoundingClientRect();
  const style = getComputedStyle(element);
  // A transformed frame is drawn scaled: its layout width against its drawn width says by how much.
  const scale = element.offsetWidth > 0 ? rect.width / element.offsetWidth : 1;
  const x = rect.left + (element.clientLeft + Number.parseFloat(style.paddingLeft || '0') + point.x) * scale;
  const y = rect.top + (element.clientTop + Number.parseFloat(style.paddingTop || '0') + point.y) * scale;
  const inView = x >= 0 && y >= 0 && x < window.innerWidth && y < window.innerHeight;
  return { x, y, hit: inView && document.elementFromPoint(x, y) === element };
}

export const ChildAtPoint = z.object({ index: z.number().int().min(0), x: z.number(), y: z.number() });
export type ChildAtPoint = z.infer<typeof ChildAtPoint>;

/** The child frame at a point of this viewport (CSS px), with the point in the child's viewport; null if none. */
export function childFrameAtPoint(x: number, y: number): unknown {
  const element = document.elementFromPoint(x, y);
  if (!(element instanceof HTMLIFrameElement || element instanceof HTMLFrameElement)) return null;
  const child = element.contentWindow;
  let index = -1;
  for (let i = 0; i < window.length; i++) if (window[i] === child) index = i;
  if (index < 0) return null;
  const rect = element.getBoundingClientRect();
  const style = getComputedStyle(element);
  const scale = element.offsetWidth > 0 ? rect.width / element.offsetWidth : 1;
  return {
    index,
    x: (x - rect.left) / scale - element.clientLeft - Number.parseFloat(style.paddingLeft || '0'),
    y: (y - rect.top) / scale - element.clientTop - Number.parseFloat(style.paddingTop || '0'),
  };
}

/** Whether keys from the keyboard go to this frame's document now. */
export function frameHasFocus(): boolean {
  return document.hasFocus();
}

/**
 * The frame's origin as its document has it: `self.origin`, because about:blank and srcdoc frames
 * inherit their creator's while `location.origin` (the URL's) is "null"; a sandboxed frame's is "null".
 */
export function frameOrigin(): string {
  return self.origin;
}

/** The device pixel ratio of this frame: screenshot pixels per CSS pixel. */
export function frameDevicePixelRatio(): number {
  return window.devicePixelRatio;
}
