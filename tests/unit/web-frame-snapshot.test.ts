import { describe, expect, it } from 'vitest';
import type { FrameRead } from '../../extension/web/frame-pages';
import type { PageSnapshot } from '../../extension/web/page-protocol';
import { formatSnapshot } from '../../extension/web/page-snapshot';

const MARK = '@@frame-0123456789ab@@';

const snapshot = (url: string, text: string, elements: PageSnapshot['elements'] = []): PageSnapshot => ({
  op: 'snapshot',
  url,
  title: 'T',
  text,
  textCut: false,
  elements,
  totalElements: elements.length,
  from: 0,
  scrollY: 0,
  scrollHeight: 900,
  viewportHeight: 900,
});

const read = (frameId: number, parentFrameId: number, index: number, origin: string, page: PageSnapshot) =>
  ({
    frameId,
    parentFrameId,
    index,
    url: page.url,
    origin,
    status: 'read',
    response: page,
  }) satisfies FrameRead;

describe('read_page with frames', () => {
  const top = snapshot('https://shop.test/cart', `Basket\n${MARK}0\nMiddle\n${MARK}1\n${MARK}2\nEnd`, [
    { ref: 'e1', role: 'button', name: 'Pay' },
  ]);
  const coupon = read(
    7,
    0,
    0,
    'https://shop.test',
    snapshot('https://shop.test/coupon', `Coupon\n${MARK}0`, [{ ref: 'f7:e1', role: 'textbox', name: 'Code' }]),
  );
  const nested = read(9, 7, 0, 'https://shop.test', snapshot('https://shop.test/n', 'Wrap', []));
  const ads: FrameRead[] = [
    {
      frameId: 8,
      parentFrameId: 0,
      index: 1,
      url: 'https://ads.test/a',
      origin: 'https://ads.test',
      status: 'not_allowed',
    },
    {
      frameId: 10,
      parentFrameId: 0,
      index: 2,
      url: 'https://ads.test/b',
      origin: 'https://ads.test',
      status: 'not_allowed',
    },
  ];
  const text = formatSnapshot(3, top, [coupon, nested, ...ads], MARK);

  it('marks where each frame sits with its ref prefix and origin, and shows each frame under its own origin', () => {
    expect(text).toContain(
      'Basket\n[frame f7 from https://shop.test]\nMiddle\n[frame f8 from https://ads.test: not allowed]',
    );
    expect(text).toContain('Coupon\n[frame f9 from https://shop.test]');
    expect(text).toContain(
      'Frame f7 from https://shop.test (https://shop.test/coupon):\n<untrusted_content source="https://shop.test">',
    );
    expect(text).toContain('[f7:e1] textbox "Code"');
    expect(text).toContain('Elements 1–2 of 2 visible (frames included).');
    expect(text).not.toContain(MARK);
  });

  it('names frames that were not read once per site, with nothing of their content', () => {
    expect(text).toContain("Frames f8, f10 from https://ads.test: not allowed (not on the user's allowed sites)");
    expect(text.match(/from https:\/\/ads\.test: not allowed \(/g)).toHaveLength(1);
  });

  it('leaves page text that looks like a mark alone unless it has this read’s mark', () => {
    const other = formatSnapshot(3, snapshot('https://shop.test/', '@@frame-ffffffffffff@@0'), [coupon], MARK);
    expect(other).toContain('@@frame-ffffffffffff@@0');
  });
});
