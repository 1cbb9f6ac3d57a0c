import { describe, expect, it } from 'vitest';
import { keyDescriptor } from '../../extension/web/key-codes';

describe('keyDescriptor', () => {
  it('gives named keys the code and legacy keyCode that old widgets read', () => {
    expect(keyDescriptor('ArrowRight')).toEqual({ key: 'ArrowRight', code: 'ArrowRight', keyCode: 39, shift: false });
    expect(keyDescriptor('Enter')).toMatchObject({ code: 'Enter', keyCode: 13, text: '\r' });
    expect(keyDescriptor('Space')).toMatchObject({ key: ' ', code: 'Space', keyCode: 32, text: ' ' });
    expect(keyDescriptor('Escape').text).toBeUndefined();
  });

  it('maps letters, digits and punctuation to their physical keys, with Shift where a person would hold it', () => {
    expect(keyDescriptor('a')).toEqual({ key: 'a', code: 'KeyA', keyCode: 65, text: 'a', shift: false });
    expect(keyDescriptor('Q')).toMatchObject({ code: 'KeyQ', keyCode: 81, shift: true });
    expect(keyDescriptor('7')).toMatchObject({ code: 'Digit7', keyCode: 55, shift: false });
    expect(keyDescriptor('@')).toMatchObject({ code: 'Digit2', keyCode: 50, shift: true });
    expect(keyDescriptor('/')).toMatchObject({ code: 'Slash', keyCode: 191, shift: false });
    expect(keyDescriptor('?')).toMatchObject({ code: 'Slash', keyCode: 191, shift: true });
  });

  it('types characters no US key produces, without inventing a code', () => {
    expect(keyDescriptor('é')).toEqual({ key: 'é', code: '', keyCode: 0, text: 'é', shift: false });
  });
});
