/**
 * Globs for `search.nameGlob`: `*` and `?` stay within one name, `**` crosses
 * folders (`**` + `/` matches zero or more folders), `[abc]`, `[a-z]` and
 * `[!abc]` classes, `{a,b}` alternatives (nestable). Everything else is literal;
 * `\` escapes the next character.
 *
 * Compiled to a Thompson NFA and run as a set of states, one step per
 * character: time is O(name length × glob length) whatever the glob. A glob
 * turned into a backtracking RegExp let `*a*a*a*a*a*a*a*a*a*b` against sixty
 * `a`s block the host's only thread for good (issue 8).
 */

type CharTest = (c: string) => boolean;

interface State {
  /** Moves that consume nothing. */
  eps: number[];
  /** The move that consumes one character, if any. */
  on: { test: CharTest; to: number } | null;
}

interface Fragment {
  start: number;
  end: number;
}

export interface GlobMatcher {
  test(input: string): boolean;
}

class NfaBuilder {
  readonly states: State[] = [];

  state(): number {
    this.states.push({ eps: [], on: null });
    return this.states.length - 1;
  }

  private at(i: number): State {
    return this.states[i] as State;
  }

  empty(): Fragment {
    const s = this.state();
    return { start: s, end: s };
  }

  char(test: CharTest): Fragment {
    const start = this.state();
    const end = this.state();
    this.at(start).on = { test, to: end };
    return { start, end };
  }

  seq(parts: Fragment[]): Fragment {
    if (parts.length === 0) return this.empty();
    for (let i = 1; i < parts.length; i++)
      this.at((parts[i - 1] as Fragment).end).eps.push((parts[i] as Fragment).start);
    return { start: (parts[0] as Fragment).start, end: (parts[parts.length - 1] as Fragment).end };
  }

  alt(options: Fragment[]): Fragment {
    const start = this.state();
    const end = this.state();
    for (const option of options) {
      this.at(start).eps.push(option.start);
      this.at(option.end).eps.push(end);
    }
    return { start, end };
  }

  star(body: Fragment): Fragment {
    const start = this.state();
    const end = this.state();
    this.at(start).eps.push(body.start, end);
    this.at(body.end).eps.push(body.start, end);
    return { start, end };
  }
}

const notSlash: CharTest = (c) => c !== '/';
const anyChar: CharTest = () => true;

function classTest(body: string, caseSensitive: boolean): CharTest {
  let negate = false;
  let chars = Array.from(body);
  if (chars[0] === '!' || chars[0] === '^') {
    negate = true;
    chars = chars.slice(1);
  }
  const ranges: [string, string][] = [];
  for (let i = 0; i < chars.length; i++) {
    const c = chars[i] as string;
    if (chars[i + 1] === '-' && i + 2 < chars.length) {
      ranges.push([c, chars[i + 2] as string]);
      i += 2;
    } else ranges.push([c, c]);
  }
  const inRanges = (c: string) => ranges.some(([lo, hi]) => c >= lo && c <= hi);
  return (c) => {
    if (c === '/') return false;
    const hit = caseSensitive ? inRanges(c) : inRanges(c) || inRanges(c.toLowerCase()) || inRanges(c.toUpperCase());
    return hit !== negate;
  };
}

/** Recursive descent over the glob; `{`…`}` nests, `,` separates alternatives only inside braces. */
class GlobParser {
  private i = 0;
  private readonly chars: string[];

  constructor(
    glob: string,
    private readonly nfa: NfaBuilder,
    private readonly caseSensitive: boolean,
  ) {
    this.chars = Array.from(glob);
  }

  private literal(c: string): CharTest {
    if (this.caseSensitive) return (x) => x === c;
    const lower = c.toLowerCase();
    return (x) => x === c || x.toLowerCase() === lower;
  }

  /** A sequence up to the end, or (inside braces) up to an unmatched `,` or `}`. */
  parseSequence(depth: number): Fragment {
    const parts: Fragment[] = [];
    const { chars, nfa } = this;
    while (this.i < chars.length) {
      const c = chars[this.i] as string;
      if (depth > 0 && (c === ',' || c === '}')) break;
      this.i++;
      if (c === '*') {
        if (chars[this.i] === '*') {
          this.i++;
          if (chars[this.i] === '/') {
            this.i++;
            // zero or more whole folders: ([^/]*/)*
            parts.push(nfa.star(nfa.seq([nfa.star(nfa.char(notSlash)), nfa.char((x) => x === '/')])));
          } else parts.push(nfa.star(nfa.char(anyChar)));
        } else parts.push(nfa.star(nfa.char(notSlash)));
      } else if (c === '?') {
        parts.push(nfa.char(notSlash));
      } else if (c === '[') {
        const close = chars.indexOf(']', this.i + 1);
        if (close === -1) parts.push(nfa.char(this.literal('[')));
        else {
          parts.push(nfa.char(classTest(chars.slice(this.i, close).join(''), this.caseSensitive)));
          this.i = close + 1;
        }
      } else if (c === '{') {
        const options = [this.parseSequence(depth + 1)];
        while (chars[this.i] === ',') {
          this.i++;
          options.push(this.parseSequence(depth + 1));
        }
        if (chars[this.i] === '}') this.i++;
        parts.push(nfa.alt(options));
      } else if (c === '\\' && this.i < chars.length) {
        parts.push(nfa.char(this.literal(chars[this.i] as string)));
        this.i++;
      } else {
        parts.push(nfa.char(this.literal(c)));
      }
    }
    return nfa.seq(parts);
  }
}

export function compileGlob(glob: string, caseSensitive: boolean): GlobMatcher {
  const nfa = new NfaBuilder();
  const whole = new GlobParser(glob, nfa, caseSensitive).parseSequence(0);
  const { states } = nfa;
  const accept = whole.end;
  // Generation stamps instead of fresh sets: no allocation per character.
  const seen = new Uint32Array(states.length);
  let generation = 0;

  const addClosure = (from: number, into: number[]) => {
    const stack = [from];
    while (stack.length > 0) {
      const s = stack.pop() as number;
      if (seen[s] === generation) continue;
      seen[s] = generation;
      into.push(s);
      for (const next of (states[s] as State).eps) if (seen[next] !== generation) stack.push(next);
    }
  };

  return {
    test(input: string): boolean {
      generation++;
      let current: number[] = [];
      addClosure(whole.start, current);
      for (const c of input) {
        generation++;
        const next: number[] = [];
        for (const s of current) {
          const on = (states[s] as State).on;
          if (on?.test(c)) addClosure(on.to, next);
        }
        if (next.length === 0) return false;
        current = next;
      }
      return current.includes(accept);
    },
  };
}
