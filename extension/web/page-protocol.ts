/**
 * What the tab tools ask a page and what the page answers. The page side
 * (page-agent.ts) runs inside the web page, so its answers are untrusted input
 * to the worker: every answer is parsed with these schemas before use.
 */
import { z } from 'zod';

/** Keys press_key accepts: named keys or one printable character. */
export const NAMED_KEYS = [
  'Enter',
  'Escape',
  'Tab',
  'Backspace',
  'Delete',
  'ArrowUp',
  'ArrowDown',
  'ArrowLeft',
  'ArrowRight',
  'Home',
  'End',
  'PageUp',
  'PageDown',
  'Space',
] as const;
export const KeyName = z.union([z.enum(NAMED_KEYS), z.string().length(1)]);
/** Keys held while a key is pressed (Control+b is bold in an editor, Control+c copies). */
export const Modifier = z.enum(['Control', 'Shift', 'Alt', 'Meta']);
export type Modifier = z.infer<typeof Modifier>;

export const Ref = z
  .string()
  .regex(/^(?:f\d{1,16}:)?e\d{1,7}$/, 'a ref looks like e12, or f3:e12 in a frame (from read_page)')
  .describe('An element ref from read_page, like e12 (or f3:e12 for an element inside a frame).');

export const PageRequest = z.discriminatedUnion('op', [
  z.object({
    op: z.literal('snapshot'),
    from: z.number().int().min(0),
    maxElements: z.number().int().min(1).max(1_000),
    maxTextChars: z.number().int().min(0).max(40_000),
    /** Elements with pointer listeners the browser reported (listener-scan.ts): document-order index and tag. */
    listened: z
      .array(z.object({ index: z.number().int().min(0), tag: z.string().max(40) }))
      .max(5_000)
      .optional(),
    /** Marks each visible frame's place in the text: a line of this mark and the frame's index in window.frames. */
    frameMark: z.string().min(8).max(40).optional(),
  }),
  z.object({ op: z.literal('describe'), ref: Ref }),
  z.object({ op: z.literal('describe_focus') }),
  z.object({ op: z.literal('click'), ref: Ref }),
  /** `password`: the user approved typing into this password field (tools/password.ts); refused otherwise. */
  z.object({ op: z.literal('type'), ref: Ref, text: z.string(), clear: z.boolean(), password: z.boolean().optional() }),
  /** `submit`: Enter in a form field submits its form (only after the user confirmed a submission). */
  z.object({
    op: z.literal('press'),
    key: KeyName,
    ref: Ref.optional(),
    submit: z.boolean(),
    /** The physical key and legacy number (web/key-codes.ts), for handlers that read code, keyCode or which. */
    code: z.string().max(40).optional(),
    keyCode: z.number().int().min(0).max(255).optional(),
    modifiers: z.array(Modifier).max(4).optional(),
  }),
  /** Selects `text` (its first visible occurrence) inside `ref`, or in the page without one; all of `ref` without text. */
  z.object({ op: z.literal('select_text'), ref: Ref.optional(), text: z.string().min(1).max(10_000).optional() }),
  /** Scrolls an element into view and says where its centre is, for trusted input (web/trusted-input.ts). */
  z.object({ op: z.literal('locate'), ref: Ref, scroll: z.boolean().optional() }),
  /** A field's exact value (no trimming or collapsing), `max` characters from `from`. */
  z.object({
    op: z.literal('value'),
    ref: Ref,
    from: z.number().int().min(0),
    max: z.number().int().min(1).max(100_000),
  }),
  /** Finds visible text (case-insensitive): up to `max` matches with their surroundings. */
  z.object({ op: z.literal('find'), text: z.string().min(1).max(500), max: z.number().int().min(1).max(50) }),
  /** Visible elements matching a CSS selector (for wait_for): up to `max`, each with its ref. */
  z.object({ op: z.literal('query'), selector: z.string().min(1).max(500), max: z.number().int().min(1).max(50) }),
  /** Goes back or forward in the tab's history (the navigation is held to the site rules like any other). */
  z.object({ op: z.literal('history'), direction: z.enum(['back', 'forward']) }),
  /** Moves the pointer over an element (menus that open on hover). */
  z.object({ op: z.literal('hover'), ref: Ref }),
  /** Presses on `ref`, moves to `to` and releases there (sliders, sortable lists, resizers). */
  z.object({ op: z.literal('drag'), ref: Ref, to: Ref }),
  /** What is at a point of a screenshot (image pixels): the element's facts and the point in CSS pixels. */
  z.object({ op: z.literal('probe'), x: z.number().min(0).max(100_000), y: z.number().min(0).max(100_000) }),
  /** Clicks at a point of a screenshot (image pixels), as probed. */
  z.object({ op: z.literal('click_point'), x: z.number().min(0).max(100_000), y: z.number().min(0).max(100_000) }),
  /** Focuses the element (if a ref) and says whether trusted keys may go to what has the focus. */
  z.object({ op: z.literal('key_target'), ref: Ref.optional() }),
  /** Chooses exactly these options (by value or visible text) in a <select>; several only if it is multiple. */
  z.object({ op: z.literal('select'), ref: Ref, values: z.array(z.string().max(1_000)).min(1).max(100) }),
  z.object({ op: z.literal('scroll'), ref: Ref.optional(), direction: z.enum(['up', 'down', 'top', 'bottom']) }),
]);
export type PageRequest = z.infer<typeof PageRequest>;

const short = (max: number) => z.string().max(max);

export const SnapshotElement = z.object({
  ref: Ref,
  role: short(40),
  name: short(200),
  value: short(400).optional(),
  checked: z.boolean().optional(),
  disabled: z.boolean().optional(),
  required: z.boolean().optional(),
  password: z.boolean().optional(),
  href: short(2_048).optional(),
  /** A submit button: clicking it submits its form. */
  submits: z.boolean().optional(),
  options: z.array(short(100)).max(30).optional(),
});
export type SnapshotElement = z.infer<typeof SnapshotElement>;

export const PageSnapshot = z.object({
  op: z.literal('snapshot'),
  url: short(8_192),
  title: short(1_000),
  text: z.string().max(200_000),
  textCut: z.boolean(),
  elements: z.array(SnapshotElement).max(1_000),
  totalElements: z.number().int().nonnegative(),
  from: z.number().int().nonnegative(),
  scrollY: z.number(),
  scrollHeight: z.number(),
  viewportHeight: z.number(),
});
export type PageSnapshot = z.infer<typeof PageSnapshot>;

/** The facts about one element that decide how risky acting on it is (see action-risk.ts). */
export const ElementFacts = z.object({
  ref: Ref.optional(),
  tag: short(40),
  role: short(40),
  name: short(200),
  inputType: short(40).optional(),
  password: z.boolean(),
  editable: z.boolean(),
  /** The link it is or is inside (absolute URL). */
  href: short(8_192).optional(),
  download: z.boolean(),
  /** Clicking it (or Enter in it) submits a form. */
  submitsForm: z.boolean(),
  formAction: short(8_192).optional(),
  formMethod: short(20).optional(),
  /** Labels, names and buttons of its form, for the payment and deletion heuristics. */
  formText: short(600).optional(),
  /** The origin of the frame it is in, when that is not the tab's page (set by the tab driver, never by a page). */
  frameOrigin: short(2_048).optional(),
});
export type ElementFacts = z.infer<typeof ElementFacts>;

export const PageResponse = z.discriminatedUnion('op', [
  PageSnapshot,
  z.object({ op: z.literal('describe'), element: ElementFacts }),
  z.object({ op: z.literal('done'), note: short(500).optional() }),
  z.object({ op: z.literal('probe'), element: ElementFacts, x: z.number(), y: z.number() }),
  z.object({ op: z.literal('value'), value: z.string().max(100_000), total: z.number().int().nonnegative() }),
  z.object({
    op: z.literal('found'),
    matches: z.array(z.object({ context: short(400), ref: Ref.optional() })).max(50),
    total: z.number().int().nonnegative(),
  }),
  /** Viewport CSS pixels of the element's centre; `hit`: a pointer there lands on the element itself. */
  /** `draggable`: a native HTML5 drag source (drag and drop through dragstart/drop, not pointer moves). */
  z.object({
    op: z.literal('point'),
    x: z.number(),
    y: z.number(),
    hit: z.boolean(),
    draggable: z.boolean().optional(),
  }),
  z.object({
    op: z.literal('key_target'),
    /** The element asked for has the focus (a key from the keyboard would reach it). */
    focused: z.boolean(),
    password: z.boolean(),
    /** A real Enter there would follow a link, press a button or submit a form (a native default action). */
    enterActs: z.boolean(),
    /** A real Space there would press a button, tick a box or open a summary. */
    spaceActs: z.boolean(),
  }),
  z.object({ op: z.literal('error'), error: short(500) }),
]);
export type PageResponse = z.infer<typeof PageResponse>;
