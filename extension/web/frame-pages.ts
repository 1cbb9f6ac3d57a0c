/**
 * Reading and acting inside a tab's frames (issue 10, item 9). Every frame is
 * its own document with its own page agent (page-agent.ts, injected with
 * `frameIds`), its own refs (`f7:e12`, frame-map.ts) and its own origin.
 *
 * A frame is read or acted in only while its site is allowed for the tab's
 * task, decided with the same site policy as the tab's own page, at the moment
 * of the read or action, and for every frame above it as well: a frame inside
 * a frame that may not be read is not read either. A frame of a site that is
 * not allowed gets no page agent at all (only the one-line helper that tells
 * its index in its parent, frame-geometry.ts, which reads nothing of it). Its
 * content is never asked for, so it cannot reach the model. The page agent in
 * the frame then re-checks the origin it was given, so a frame that moved to
 * another site between the check and the script is refused as the top page is.
 *
 * Trusted input (Chrome's debugger) takes points of the top page: a frame's
 * measurements are carried up through each parent (frame-geometry.ts) and a
 * point that is covered in any parent falls back to synthetic events.
 */
import type { GateContext } from '../permissions/permission-gate';
import type { TabOwner } from './agent-tabs';
import {
  ChildAtPoint,
  childFrameAtPoint,
  FramePlace,
  frameDevicePixelRatio,
  frameHasFocus,
  frameIndexInParent,
  frameOrigin,
  placeChildPoint,
} from './frame-geometry';
import { ancestry, type FrameInfo, frameRef, framesBelow, originOfUrl, prefixResponse, TOP_FRAME } from './frame-map';
import type { PageRequest, PageResponse } from './page-protocol';
import type { SiteVerdict } from './site-policy';
import { type TrustedInput, trustedAction } from './trusted-input';

export interface FrameSites {
  verdictFor(url: URL, ctx: GateContext): Promise<SiteVerdict>;
  now(): number;
}

/** What a read across frames asks each frame (the top page is read on its own, by runPage). */
export type FrameReadRequest =
  /** `skip`: elements of the frames to pass over before listing (read_page's `from`, past the top page's). */
  | { op: 'snapshot'; skip: number; maxElements: number; maxTextChars: number; frameMark: string }
  | { op: 'find'; text: string; max: number };

export type FrameStatus = 'read' | 'not_allowed' | 'not_loaded' | 'unreadable' | 'too_many';

/**
 * Frames read per call: each costs a few script injections, and a page can make hundreds (ads,
 * trackers, or on purpose to stall the agent); the rest are named by origin only.
 */
export const MAX_FRAMES_READ = 30;

export interface FrameRead {
  frameId: number;
  parentFrameId: number;
  url: string;
  /** The frame's origin (null: an opaque one, which no site rule covers). */
  origin: string | null;
  /** Its index in its parent's `window.frames` (where its parent's text marks it), -1 if unknown. */
  index: number;
  status: FrameStatus;
  /** The frame's answer, refs already named for the tools. */
  response?: PageResponse;
}

type Injected = (...args: never[]) => unknown;
export type InjectInFrame = <F extends Injected>(
  tabId: number,
  frameId: number,
  func: F,
  args: Parameters<F>,
) => Promise<unknown>;
export type RunAgentInFrame = (
  tabId: number,
  frameId: number,
  expectedOrigin: string,
  request: PageRequest,
) => Promise<PageResponse>;
export type ListFrames = (tabId: number) => Promise<FrameInfo[]>;

type Access = { allowed: true; origin: string } | { allowed: false; origin: string | null; status: FrameStatus };

export class FramePages {
  constructor(
    private readonly deps: {
      listFrames: ListFrames;
      inject: InjectInFrame;
      runAgent: RunAgentInFrame;
      owner(tabId: number): Promise<TabOwner | undefined>;
      /** Without it no frame is read or acted in (fail closed). */
      sites?: FrameSites;
      input?: TrustedInput;
    },
  ) {}

  private async injectSafe<F extends Injected>(tabId: number, frameId: number, func: F, args: Parameters<F>) {
    try {
      return await this.deps.inject(tabId, frameId, func, args);
    } catch {
      // An error page or a frame that went away: there is nothing to ask.
      return undefined;
    }
  }

  /** Whether a frame may be read and acted in now, by its own site. */
  private async access(tabId: number, frame: FrameInfo, owner: TabOwner | undefined): Promise<Access> {
    let origin = originOfUrl(frame.url);
    if (frame.errorOccurred) return { allowed: false, origin: origin ?? null, status: 'not_loaded' };
    if (origin === undefined) {
      const asked = await this.injectSafe(tabId, frame.frameId, frameOrigin, []);
      origin = typeof asked === 'string' && /^https?:\/\//.test(asked) ? asked : null;
    }
    if (origin === null || !this.deps.sites || !owner) return { allowed: false, origin, status: 'not_allowed' };
    const verdict = await this.deps.sites.verdictFor(new URL(origin), {
      taskId: owner.taskId,
      now: this.deps.sites.now(),
    });
    return verdict.verdict === 'allow' ? { allowed: true, origin } : { allowed: false, origin, status: 'not_allowed' };
  }

  /** The frame and every frame above it may be used now; the frame's origin, or why not. */
  private async reach(
    tabId: number,
    frameId: number,
  ): Promise<{ origin: string; frames: FrameInfo[] } | { error: string }> {
    const frames = await this.deps.listFrames(tabId);
    const chain = ancestry(frames, frameId);
    if (!chain || chain.length === 0) {
      return { error: `There is no frame ${frameRef(frameId, '…')} in tab ${tabId} any more: call read_page again.` };
    }
    const owner = await this.deps.owner(tabId);
    let origin: string | undefined;
    for (const frame of chain) {
      const access = await this.access(tabId, frame, owner);
      if (!access.allowed) return { error: refusal(frame.frameId, access) };
      origin ??= access.origin;
    }
    return { origin: origin as string, frames };
  }

  /** Runs one request (its refs already bare) in a frame, with trusted input where it can. */
  async run(tabId: number, frameId: number, request: PageRequest): Promise<PageResponse> {
    const reach = await this.reach(tabId, frameId);
    if ('error' in reach) return { op: 'error', error: reach.error };
    // The frame's origin goes with what it says about an element: a password typed there goes to that site.
    const withOrigin = (response: PageResponse): PageResponse =>
      response.op === 'describe' || response.op === 'probe'
        ? { ...response, element: { ...response.element, frameOrigin: reach.origin } }
        : response;
    const inFrame = async (r: PageRequest) => withOrigin(await this.deps.runAgent(tabId, frameId, reach.origin, r));
    if (this.deps.input) {
      const mapped = (r: PageRequest) => this.mapped(tabId, reach.frames, frameId, inFrame, r);
      const trusted = await trustedAction(this.deps.input, tabId, request, mapped);
      if (trusted) return prefixResponse(frameId, trusted);
    }
    return prefixResponse(frameId, await inFrame(request));
  }

  /** The frame's answer with its points in the top page (for the debugger), or marked as not hittable. */
  private async mapped(
    tabId: number,
    frames: FrameInfo[],
    frameId: number,
    inFrame: (r: PageRequest) => Promise<PageResponse>,
    request: PageRequest,
  ): Promise<PageResponse> {
    const response = await inFrame(request);
    if (response.op === 'point' || response.op === 'probe') {
      const place = await this.placeInTop(tabId, frames, frameId, { x: response.x, y: response.y });
      if (response.op === 'point') {
        return place
          ? { ...response, x: place.x, y: place.y, hit: response.hit && place.hit }
          : { ...response, hit: false };
      }
      if (!place?.hit) return { op: 'error', error: 'That point of the frame is not visible in the page.' };
      return { ...response, x: place.x, y: place.y };
    }
    if (response.op === 'key_target' && response.focused) {
      // Focused inside the frame is not enough: a key from the keyboard goes to the frame that has the focus.
      const has = await this.injectSafe(tabId, frameId, frameHasFocus, []);
      if (has !== true) return { ...response, focused: false };
    }
    return response;
  }

  /** A point of a frame's viewport in the top page's viewport, carried up through each parent. */
  private async placeInTop(
    tabId: number,
    frames: FrameInfo[],
    frameId: number,
    point: { x: number; y: number },
  ): Promise<FramePlace | undefined> {
    const chain = ancestry(frames, frameId);
    if (!chain) return undefined;
    let at: FramePlace = { ...point, hit: true };
    for (const frame of chain) {
      const index = await this.injectSafe(tabId, frame.frameId, frameIndexInParent, []);
      if (typeof index !== 'number' || index < 0) return undefined;
      const placed = FramePlace.safeParse(
        await this.injectSafe(tabId, frame.parentFrameId, placeChildPoint, [index, { x: at.x, y: at.y }]),
      );
      if (!placed.success) return undefined;
      at = { x: placed.data.x, y: placed.data.y, hit: at.hit && placed.data.hit };
    }
    return at;
  }

  /**
   * The frame a point of a screenshot (image pixels of the top page) lands in, and the point in that
   * frame's image pixels; undefined when it is the top page's own.
   */
  async frameAtPoint(
    tabId: number,
    x: number,
    y: number,
  ): Promise<{ frameId: number; x: number; y: number } | { error: string } | undefined> {
    const ratio = await this.injectSafe(tabId, TOP_FRAME, frameDevicePixelRatio, []);
    const dpr = typeof ratio === 'number' && ratio > 0 ? ratio : 1;
    let frameId = TOP_FRAME;
    let point = { x: x / dpr, y: y / dpr };
    let frames: FrameInfo[] | undefined;
    for (let depth = 0; depth < 16; depth++) {
      const child = ChildAtPoint.safeParse(
        await this.injectSafe(tabId, frameId, childFrameAtPoint, [point.x, point.y]),
      );
      if (!child.success) break;
      frames ??= await this.deps.listFrames(tabId);
      let found: FrameInfo | undefined;
      for (const candidate of frames.filter((f) => f.parentFrameId === frameId && f.frameId !== frameId)) {
        if ((await this.injectSafe(tabId, candidate.frameId, frameIndexInParent, [])) === child.data.index) {
          found = candidate;
          break;
        }
      }
      if (!found) return { error: 'That point is inside a frame that did not load or cannot be reached.' };
      frameId = found.frameId;
      point = { x: child.data.x, y: child.data.y };
    }
    if (frameId === TOP_FRAME) return undefined;
    return { frameId, x: Math.max(0, point.x * dpr), y: Math.max(0, point.y * dpr) };
  }

  /**
   * Reads every frame below the top page, parents before children. Frames that may not be read are
   * reported with their origin and nothing else; frames inside them are left out.
   */
  async readAll(tabId: number, read: FrameReadRequest): Promise<FrameRead[]> {
    const frames = framesBelow(await this.deps.listFrames(tabId));
    const owner = await this.deps.owner(tabId);
    const unread = new Set<number>();
    const reads: FrameRead[] = [];
    let seen = 0;
    let shown = 0;
    let looked = 0;
    for (const frame of frames) {
      if (unread.has(frame.parentFrameId)) {
        unread.add(frame.frameId);
        continue;
      }
      if (++looked > MAX_FRAMES_READ) {
        unread.add(frame.frameId);
        const origin = originOfUrl(frame.url) ?? null;
        reads.push({
          frameId: frame.frameId,
          parentFrameId: frame.parentFrameId,
          url: frame.url,
          origin,
          index: -1,
          status: 'too_many',
        });
        continue;
      }
      const indexed = await this.injectSafe(tabId, frame.frameId, frameIndexInParent, []);
      const index = typeof indexed === 'number' ? indexed : -1;
      const base = { frameId: frame.frameId, parentFrameId: frame.parentFrameId, url: frame.url, index };
      const access = await this.access(tabId, frame, owner);
      if (!access.allowed) {
        unread.add(frame.frameId);
        reads.push({ ...base, origin: access.origin, status: access.status });
        continue;
      }
      const left = read.op === 'snapshot' ? read.maxElements - shown : read.max - shown;
      const request: PageRequest =
        read.op === 'snapshot'
          ? {
              op: 'snapshot',
              from: Math.max(0, read.skip - seen),
              maxElements: Math.max(1, left),
              maxTextChars: read.maxTextChars,
              frameMark: read.frameMark,
            }
          : { op: 'find', text: read.text, max: Math.max(1, left) };
      let response: PageResponse;
      try {
        response = prefixResponse(
          frame.frameId,
          await this.deps.runAgent(tabId, frame.frameId, access.origin, request),
        );
      } catch {
        unread.add(frame.frameId);
        reads.push({ ...base, origin: access.origin, status: 'unreadable' });
        continue;
      }
      // Only as many elements or matches as the read has room for, over all frames.
      if (response.op === 'snapshot') {
        seen += response.totalElements;
        response = { ...response, elements: response.elements.slice(0, Math.max(0, left)) };
        shown += response.elements.length;
      } else if (response.op === 'found') {
        response = { ...response, matches: response.matches.slice(0, Math.max(0, left)) };
        shown += response.matches.length;
      }
      reads.push({ ...base, origin: access.origin, status: response.op === 'error' ? 'unreadable' : 'read', response });
    }
    return reads;
  }
}

function refusal(frameId: number, access: Exclude<Access, { allowed: true }>): string {
  const name = `Frame ${frameRef(frameId, '').replace(/:$/, '')}`;
  if (access.status === 'not_loaded') {
    return `${name} did not load${access.origin ? ` (${access.origin} is not on the user's allowed sites)` : ''}, so there is nothing to act on.`;
  }
  if (!access.origin)
    return `${name} has no site of its own (a sandboxed or data: frame), so Tandem does not act in it.`;
  return `${name} shows ${access.origin}, which is not allowed (not on the user's allowed sites), so Tandem did not act in it. To use it, ask the user to allow ${access.origin} (tab_open with its address asks them).`;
}
