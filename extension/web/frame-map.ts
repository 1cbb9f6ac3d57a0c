/**
 * How refs name elements inside frames, and the frame tree as the tools see it
 * (pure: no browser calls, unit-tested).
 *
 * A ref in the top page is `e12`; a ref in a frame is `f7:e12`, where 7 is the
 * browser's own frame id (webNavigation / scripting `frameIds`). The frame id
 * is used as is, rather than a short number of our own, so a ref still points
 * at the same frame after the worker restarts (no table to lose), and a frame
 * that is replaced by another gets a new id, so an old ref cannot land in the
 * new frame. Each frame's document keeps its own ref table (page-agent.ts), so
 * `e12` in two frames are two different elements.
 */
import type { PageRequest, PageResponse, SnapshotElement } from './page-protocol';

export const TOP_FRAME = 0;
const FRAME_REF = /^f(\d{1,16}):(e\d{1,7})$/;

/** One frame of a tab, as webNavigation.getAllFrames reports it. */
export interface FrameInfo {
  frameId: number;
  parentFrameId: number;
  url: string;
  errorOccurred: boolean;
}

export function splitRef(ref: string): { frameId: number; ref: string } {
  const match = FRAME_REF.exec(ref);
  if (!match?.[1] || !match[2]) return { frameId: TOP_FRAME, ref };
  return { frameId: Number(match[1]), ref: match[2] };
}

export function frameRef(frameId: number, ref: string): string {
  return frameId === TOP_FRAME ? ref : `f${frameId}:${ref}`;
}

/**
 * The frame a request acts in and the request as that frame's page agent takes it (bare refs).
 * A request whose refs name two frames is refused: one action happens in one document.
 */
export function routeRequest(request: PageRequest): { frameId: number; request: PageRequest } | { error: string } {
  const refs: string[] = [];
  if ('ref' in request && request.ref !== undefined) refs.push(request.ref);
  if (request.op === 'drag') refs.push(request.to);
  const split = refs.map(splitRef);
  const frameId = split[0]?.frameId ?? TOP_FRAME;
  if (split.some((s) => s.frameId !== frameId)) {
    return { error: 'Both refs must be in the same frame (the part before ":" must match).' };
  }
  if (frameId === TOP_FRAME) return { frameId, request };
  const bare = { ...request } as PageRequest & { ref?: string; to?: string };
  if (split[0]) bare.ref = split[0].ref;
  if (request.op === 'drag' && split[1]) bare.to = split[1].ref;
  return { frameId, request: bare };
}

/** The answer of a frame's page agent with its refs named for the tools (`f7:e12`). */
export function prefixResponse(frameId: number, response: PageResponse): PageResponse {
  if (frameId === TOP_FRAME) return response;
  const name = (ref: string) => frameRef(frameId, ref);
  switch (response.op) {
    case 'describe':
    case 'probe':
      return {
        ...response,
        element: { ...response.element, ...(response.element.ref ? { ref: name(response.element.ref) } : {}) },
      };
    case 'found':
      return {
        ...response,
        matches: response.matches.map((m) => ({ ...m, ...(m.ref ? { ref: name(m.ref) } : {}) })),
      };
    case 'snapshot':
      return {
        ...response,
        elements: response.elements.map((e: SnapshotElement) => ({ ...e, ref: name(e.ref) })),
      };
    default:
      return response;
  }
}

/** The frames below `root`, parents before children, siblings in the order the browser made them. */
export function framesBelow(frames: readonly FrameInfo[], root = TOP_FRAME): FrameInfo[] {
  const children = (id: number) =>
    frames.filter((f) => f.parentFrameId === id && f.frameId !== id).sort((a, b) => a.frameId - b.frameId);
  const out: FrameInfo[] = [];
  const visit = (id: number) => {
    for (const child of children(id)) {
      out.push(child);
      visit(child.frameId);
    }
  };
  visit(root);
  return out;
}

/** The chain from a frame up to the top (the frame first, the top page not included). */
export function ancestry(frames: readonly FrameInfo[], frameId: number): FrameInfo[] | undefined {
  const chain: FrameInfo[] = [];
  let id = frameId;
  while (id !== TOP_FRAME) {
    const frame = frames.find((f) => f.frameId === id);
    // A frame whose parent is gone, or a loop in what the browser reported: not placed at all.
    if (!frame || chain.length > 64) return undefined;
    chain.push(frame);
    id = frame.parentFrameId;
  }
  return chain;
}

/**
 * The origin a frame's document has, as far as its URL tells: http(s) URLs and blob: URLs carry
 * it; about:blank and about:srcdoc inherit their creator's (undefined: ask the frame); data: and
 * other schemes have none a site rule could allow (null).
 */
export function originOfUrl(url: string): string | null | undefined {
  if (/^about:(blank|srcdoc)/i.test(url)) return undefined;
  try {
    const parsed = new URL(/^blob:/i.test(url) ? url.slice(5) : url);
    return /^https?:$/.test(parsed.protocol) ? parsed.origin : null;
  } catch {
    return null;
  }
}
