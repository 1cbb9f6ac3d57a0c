/**
 * The full description of a key press: the `key`, the physical `code`, the
 * legacy `keyCode`/`which` number, the text it types and whether Shift is held.
 * Widgets written against older APIs read only keyCode or which, and the
 * debugger protocol (Input.dispatchKeyEvent) needs all of them to produce the
 * same events a real keyboard does. Pure; US layout, which is what the
 * legacy numbers assume.
 */

export interface KeyDescriptor {
  key: string;
  code: string;
  keyCode: number;
  /** What the key types (Enter types a carriage return); absent for keys that type nothing. */
  text?: string;
  shift: boolean;
}

const NAMED: Record<string, Omit<KeyDescriptor, 'shift'>> = {
  Enter: { key: 'Enter', code: 'Enter', keyCode: 13, text: '\r' },
  Escape: { key: 'Escape', code: 'Escape', keyCode: 27 },
  Tab: { key: 'Tab', code: 'Tab', keyCode: 9 },
  Backspace: { key: 'Backspace', code: 'Backspace', keyCode: 8 },
  Delete: { key: 'Delete', code: 'Delete', keyCode: 46 },
  ArrowUp: { key: 'ArrowUp', code: 'ArrowUp', keyCode: 38 },
  ArrowDown: { key: 'ArrowDown', code: 'ArrowDown', keyCode: 40 },
  ArrowLeft: { key: 'ArrowLeft', code: 'ArrowLeft', keyCode: 37 },
  ArrowRight: { key: 'ArrowRight', code: 'ArrowRight', keyCode: 39 },
  Home: { key: 'Home', code: 'Home', keyCode: 36 },
  End: { key: 'End', code: 'End', keyCode: 35 },
  PageUp: { key: 'PageUp', code: 'PageUp', keyCode: 33 },
  PageDown: { key: 'PageDown', code: 'PageDown', keyCode: 34 },
  Space: { key: ' ', code: 'Space', keyCode: 32, text: ' ' },
};

/** Punctuation keys: [unshifted, shifted, code, keyCode]. */
const PUNCTUATION: ReadonlyArray<readonly [string, string, string, number]> = [
  ['-', '_', 'Minus', 189],
  ['=', '+', 'Equal', 187],
  [',', '<', 'Comma', 188],
  ['.', '>', 'Period', 190],
  ['/', '?', 'Slash', 191],
  [';', ':', 'Semicolon', 186],
  ["'", '"', 'Quote', 222],
  ['[', '{', 'BracketLeft', 219],
  [']', '}', 'BracketRight', 221],
  ['\\', '|', 'Backslash', 220],
  ['`', '~', 'Backquote', 192],
];
const SHIFTED_DIGITS = ')!@#$%^&*(';

export function keyDescriptor(name: string): KeyDescriptor {
  const named = NAMED[name];
  if (named) return { ...named, shift: false };
  const char = name;
  if (char === ' ') return { ...NAMED.Space, shift: false } as KeyDescriptor;
  if (/^[a-z]$/.test(char)) {
    return {
      key: char,
      code: `Key${char.toUpperCase()}`,
      keyCode: char.toUpperCase().charCodeAt(0),
      text: char,
      shift: false,
    };
  }
  if (/^[A-Z]$/.test(char))
    return { key: char, code: `Key${char}`, keyCode: char.charCodeAt(0), text: char, shift: true };
  if (/^[0-9]$/.test(char))
    return { key: char, code: `Digit${char}`, keyCode: char.charCodeAt(0), text: char, shift: false };
  const digit = SHIFTED_DIGITS.indexOf(char);
  if (digit >= 0) return { key: char, code: `Digit${digit}`, keyCode: 48 + digit, text: char, shift: true };
  for (const [plain, shifted, code, keyCode] of PUNCTUATION) {
    if (char === plain) return { key: char, code, keyCode, text: char, shift: false };
    if (char === shifted) return { key: char, code, keyCode, text: char, shift: true };
  }
  // Anything else (é, 中, an emoji) has no key of its own on a US keyboard: it is typed, with no code.
  return { key: char, code: '', keyCode: 0, text: char, shift: false };
}
