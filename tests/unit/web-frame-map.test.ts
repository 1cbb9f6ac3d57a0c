import { describe, expect, it } from 'vitest';
import {
  ancestry,
  type FrameInfo,
  framesBelow,
  originOfUrl,
  prefixResponse,
  routeRequest,
  splitRef,
} from '../../extension/web/frame-map';
import { Ref } from '../../extension/web/page-protocol';

const frame = (frameId: number, parentFrameId: number, url = 'https://a.test/'): FrameInfo => ({
  frameId,
  parentFrameId,
  url,
  errorOccurred: false,
});

describe('frame refs', () => {
  it('names elements of frames with the frame id and takes them apart again', () => {
    expect(Ref.safeParse('f12:e3').success).toBe(true);
    expect(Ref.safeParse('e3').success).toBe(true);
    expect(Ref.safeParse('f:e3').success).toBe(false);
    expect(Ref.safeParse('f1:f2:e3').success).toBe(false);
    expect(splitRef('f12:e3')).toEqual({ frameId: 12, ref: 'e3' });
    expect(splitRef('e3')).toEqual({ frameId: 0, ref: 'e3' });
  });

  it('routes a request to the frame its refs name, with bare refs', () => {
    expect(routeRequest({ op: 'click', ref: 'f7:e2' })).toEqual({ frameId: 7, request: { op: 'click', ref: 'e2' } });
    expect(routeRequest({ op: 'drag', ref: 'f7:e2', to: 'f7:e5' })).toEqual({
      frameId: 7,
      request: { op: 'drag', ref: 'e2', to: 'e5' },
    });
    expect(routeRequest({ op: 'click', ref: 'e2' })).toEqual({ frameId: 0, request: { op: 'click', ref: 'e2' } });
    expect(routeRequest({ op: 'find', text: 'x', max: 1 })).toEqual({
      frameId: 0,
      request: { op: 'find', text: 'x', max: 1 },
    });
  });

  it('refuses one action across two documents', () => {
    expect(routeRequest({ op: 'drag', ref: 'f7:e2', to: 'e5' })).toHaveProperty('error');
    expect(routeRequest({ op: 'drag', ref: 'f7:e2', to: 'f8:e5' })).toHaveProperty('error');
  });

  it('names the refs a frame answers with after its frame', () => {
    expect(
      prefixResponse(7, { op: 'found', matches: [{ context: 'a', ref: 'e1' }, { context: 'b' }], total: 2 }),
    ).toEqual({ op: 'found', matches: [{ context: 'a', ref: 'f7:e1' }, { context: 'b' }], total: 2 });
    const facts = { tag: 'a', role: 'link', name: 'x', password: false, editable: false, download: false };
    expect(prefixResponse(7, { op: 'describe', element: { ...facts, ref: 'e4', submitsForm: false } })).toMatchObject({
      element: { ref: 'f7:e4' },
    });
    expect(prefixResponse(0, { op: 'found', matches: [{ context: 'a', ref: 'e1' }], total: 1 })).toMatchObject({
      matches: [{ ref: 'e1' }],
    });
  });
});

describe('frame tree', () => {
  const frames = [frame(0, -1), frame(9, 0), frame(12, 9), frame(10, 0), frame(11, 0)];

  it('lists parents before children, siblings in the order they were made', () => {
    expect(framesBelow(frames).map((f) => f.frameId)).toEqual([9, 12, 10, 11]);
  });

  it('walks from a frame up to the top page', () => {
    expect(ancestry(frames, 12)?.map((f) => f.frameId)).toEqual([12, 9]);
    expect(ancestry(frames, 0)).toEqual([]);
    expect(ancestry(frames, 99)).toBeUndefined();
    // A loop in what the browser reported is not followed forever.
    expect(ancestry([frame(3, 4), frame(4, 3)], 3)).toBeUndefined();
  });

  it('knows a frame’s origin from its URL where the URL carries one', () => {
    expect(originOfUrl('https://a.test:8443/x?y')).toBe('https://a.test:8443');
    expect(originOfUrl('blob:https://a.test/1234')).toBe('https://a.test');
    expect(originOfUrl('about:srcdoc')).toBeUndefined();
    expect(originOfUrl('about:blank')).toBeUndefined();
    expect(originOfUrl('data:text/html,hi')).toBeNull();
    expect(originOfUrl('chrome-error://chromewebdata/')).toBeNull();
  });
});
