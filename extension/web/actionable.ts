/**
 * What a person could act on beyond links and form controls, and how a person
 * clicks. Installed into the page's isolated world (beside page-agent.ts) as
 * `globalThis.__tandemActionable`, because a function run through
 * `scripting.executeScript` is serialised and cannot import anything: this one
 * is run first, page-agent.ts then finds it there.
 *
 * Pages wire most custom controls (a `<span>` tab, `<li>` tree items, mail
 * rows, SVG shapes, `<a>` without href) with `addEventListener`, which leaves no
 * trace an isolated world can read. What does show is what the page does for
 * the person: a pointer cursor, a place in the tab order, an ARIA role, an
 * inline handler. Only the outermost element of a pointer-cursor area is listed
 * (the cursor is inherited by every child), and nothing inside an element that
 * is listed already, so a mail row is one entry, not one per word.
 */

export interface ActionableHelpers {
  /** Elements to list besides those matching `interactive` (the classic selector), in no particular order. */
  candidates(interactive: string): Set<Element>;
  /** The role to show for an element whose own role is generic: why it was listed. */
  roleHint(element: Element): string | undefined;
  /** Clicks as a pointer does: over, down, up, click at the element's centre (the untrusted fallback). */
  pointerClick(element: Element, at?: { x: number; y: number }): void;
  /** Moves the pointer onto the element (the untrusted fallback for hover). */
  pointerHover(element: Element): void;
  /** Presses on `from`, moves in steps to `to`'s centre and releases there (the untrusted fallback). */
  pointerDrag(from: Element, to: Element): void;
  /** Selects exactly the options named (value or text), fires input and change; returns what it selected. */
  selectOptions(select: HTMLSelectElement, wanted: readonly string[]): string;
  /** A field's whole value, exactly; refuses password fields and elements that hold no value. */
  exactValue(element: Element): string;
  /**
   * A focusable field made tiny or transparent on purpose to receive typing (terminals and code
   * editors do this): listed, although a person cannot see it, because a person types into it.
   */
  hiddenTypingTarget(element: Element): boolean;
  /** Scrolls the element into view; its centre in viewport CSS pixels, and whether a pointer there hits it. */
  locate(element: Element, scroll: boolean): { x: number; y: number; hit: boolean; draggable: boolean };
  /** Focuses `element` (if given) and describes what then has the focus, for trusted keys. */
  keyTarget(element: Element | undefined): {
    focused: boolean;
    password: boolean;
    enterActs: boolean;
    spaceActs: boolean;
  };
}

export function installActionable(): void {
  const holder = globalThis as unknown as { __tandemActionable?: ActionableHelpers };
  if (holder.__tandemActionable) return;

  const ROLES = [
    'treeitem',
    'gridcell',
    'row',
    'cell',
    'menuitemcheckbox',
    'menuitemradio',
    'spinbutton',
    'listbox',
    'scrollbar',
    'separator',
    'columnheader',
    'rowheader',
  ];
  const EXTRA = [
    '[tabindex]:not([tabindex^="-"])',
    '[onmousedown]',
    '[onmouseup]',
    '[onpointerdown]',
    '[onpointerup]',
    '[ondblclick]',
    '[draggable="true"]',
    ...ROLES.map((role) => `[role="${role}"]`),
  ].join(',');

  const pointerCursor = (element: Element): boolean => getComputedStyle(element).cursor === 'pointer';
  const focusable = (element: Element): boolean => {
    const index = element.getAttribute('tabindex');
    return index !== null && !index.trim().startsWith('-');
  };

  const candidates = (interactive: string): Set<Element> => {
    const found = new Set<Element>();
    const root = document.body;
    if (!root) return found;
    const inListed = (element: Element): boolean => {
      const parent = element.parentElement;
      return parent !== null && parent.closest(interactive) !== null;
    };
    for (const element of Array.from(root.querySelectorAll(EXTRA))) {
      if (!element.matches(interactive) && !inListed(element)) found.add(element);
    }
    for (const element of Array.from(root.querySelectorAll('*'))) {
      if (found.has(element) || element.matches(interactive)) continue;
      if (!pointerCursor(element)) continue;
      const parent = element.parentElement;
      // Inherited cursor: the parent is the control, this is part of it.
      if (parent && parent !== root && pointerCursor(parent)) continue;
      if (inListed(element)) continue;
      // Inside an element listed for its tab order or role (a tree item's label): part of it.
      const owner = parent?.closest(EXTRA);
      if (owner && found.has(owner)) continue;
      found.add(element);
    }
    return found;
  };

  const roleHint = (element: Element): string | undefined => {
    if (element.getAttribute('draggable') === 'true') return 'draggable';
    if (pointerCursor(element)) return 'clickable';
    if (focusable(element)) return 'focusable';
    return undefined;
  };

  const centre = (element: Element) => {
    const rect = element.getBoundingClientRect();
    return { x: rect.left + rect.width / 2, y: rect.top + rect.height / 2 };
  };
  const mouseAt = (point: { x: number; y: number }) => ({
    bubbles: true,
    cancelable: true,
    composed: true,
    view: window,
    clientX: point.x,
    clientY: point.y,
    button: 0,
  });
  const POINTER = { pointerId: 1, pointerType: 'mouse', isPrimary: true };

  const pointerHover = (element: Element): void => {
    const at = mouseAt(centre(element));
    element.dispatchEvent(new PointerEvent('pointerover', { ...at, ...POINTER }));
    element.dispatchEvent(new PointerEvent('pointerenter', { ...at, ...POINTER, bubbles: false }));
    element.dispatchEvent(new MouseEvent('mouseover', at));
    element.dispatchEvent(new MouseEvent('mouseenter', { ...at, bubbles: false }));
    element.dispatchEvent(new PointerEvent('pointermove', { ...at, ...POINTER }));
    element.dispatchEvent(new MouseEvent('mousemove', at));
  };

  /** HTML5 drag and drop, synthetic: the events a native drag fires, sharing one DataTransfer. */
  const nativeDrag = (from: Element, to: Element): void => {
    const data = new DataTransfer();
    const at = (element: Element) => ({ ...mouseAt(centre(element)), dataTransfer: data });
    from.dispatchEvent(new DragEvent('dragstart', at(from)));
    to.dispatchEvent(new DragEvent('dragenter', at(to)));
    const over = to.dispatchEvent(new DragEvent('dragover', at(to)));
    // A drop target says so by cancelling dragover; without that a real drop would not happen either.
    if (!over) to.dispatchEvent(new DragEvent('drop', at(to)));
    from.dispatchEvent(new DragEvent('dragend', at(from)));
  };

  const pointerDrag = (from: Element, to: Element): void => {
    if (nativeDraggable(from)) {
      nativeDrag(from, to);
      return;
    }
    const start = centre(from);
    const end = centre(to);
    pointerHover(from);
    from.dispatchEvent(new PointerEvent('pointerdown', { ...mouseAt(start), ...POINTER, buttons: 1 }));
    from.dispatchEvent(new MouseEvent('mousedown', { ...mouseAt(start), buttons: 1 }));
    // Moves go to whatever is under the pointer, as a real drag's do (or to the source, if nothing is).
    const STEPS = 10;
    for (let i = 1; i <= STEPS; i++) {
      const point = { x: start.x + ((end.x - start.x) * i) / STEPS, y: start.y + ((end.y - start.y) * i) / STEPS };
      const under = document.elementFromPoint(point.x, point.y) ?? from;
      under.dispatchEvent(new PointerEvent('pointermove', { ...mouseAt(point), ...POINTER, buttons: 1 }));
      under.dispatchEvent(new MouseEvent('mousemove', { ...mouseAt(point), buttons: 1 }));
    }
    const target = document.elementFromPoint(end.x, end.y) ?? to;
    target.dispatchEvent(new PointerEvent('pointerup', { ...mouseAt(end), ...POINTER }));
    target.dispatchEvent(new MouseEvent('mouseup', mouseAt(end)));
  };

  const pointerClick = (element: Element, point?: { x: number; y: number }): void => {
    const at = mouseAt(point ?? centre(element));
    const pointer = { ...at, ...POINTER };
    element.dispatchEvent(new PointerEvent('pointerover', pointer));
    element.dispatchEvent(new MouseEvent('mouseover', at));
    element.dispatchEvent(new PointerEvent('pointermove', pointer));
    element.dispatchEvent(new MouseEvent('mousemove', at));
    const down = element.dispatchEvent(new PointerEvent('pointerdown', { ...pointer, buttons: 1 }));
    const pressed = down && element.dispatchEvent(new MouseEvent('mousedown', { ...at, buttons: 1 }));
    // A cancelled mousedown keeps the focus where it was, as a real press would.
    if (pressed && element instanceof HTMLElement) element.focus({ preventScroll: true });
    element.dispatchEvent(new PointerEvent('pointerup', pointer));
    element.dispatchEvent(new MouseEvent('mouseup', at));
    // The click event carries the element's activation (links, checkboxes, submit buttons).
    element.dispatchEvent(new MouseEvent('click', { ...at, detail: 1 }));
  };

  const selectOptions = (select: HTMLSelectElement, wanted: readonly string[]): string => {
    if (!select.multiple && wanted.length > 1) throw new Error('That list box takes one option; it is not multiple.');
    const options = Array.from(select.options);
    const picked = wanted.map((name) => {
      const key = name.trim().toLowerCase();
      const option =
        options.find((o) => o.value.toLowerCase() === key) ?? options.find((o) => o.text.trim().toLowerCase() === key);
      if (!option) throw new Error(`No option "${name.slice(0, 80)}" in that list.`);
      if (option.disabled) throw new Error(`The option "${option.text.trim().slice(0, 80)}" is disabled.`);
      return option;
    });
    for (const option of options) option.selected = picked.includes(option);
    select.dispatchEvent(new Event('input', { bubbles: true }));
    select.dispatchEvent(new Event('change', { bubbles: true }));
    return `Selected ${picked.map((o) => JSON.stringify(o.text.trim().slice(0, 80))).join(', ')}.`;
  };

  const nativeDraggable = (element: Element): boolean => element.closest('[draggable="true"]') !== null;

  const locate = (element: Element, scroll: boolean): { x: number; y: number; hit: boolean; draggable: boolean } => {
    if (scroll) element.scrollIntoView({ block: 'center', inline: 'center' });
    const { x, y } = centre(element);
    // Something on top (an overlay, a cookie banner) would take a real click: then it is not this element's.
    const top = document.elementFromPoint(x, y);
    return {
      x,
      y,
      hit: top !== null && (top === element || element.contains(top)),
      draggable: nativeDraggable(element),
    };
  };

  const TYPING = ['text', 'email', 'url', 'tel', 'search', 'number', ''];

  const exactValue = (element: Element): string => {
    if (element instanceof HTMLInputElement) {
      if (element.type === 'password')
        throw new Error('Password fields are never read: Tandem does not handle passwords.');
      return element.value;
    }
    if (element instanceof HTMLTextAreaElement) return element.value;
    if (element instanceof HTMLSelectElement) {
      return Array.from(element.selectedOptions)
        .map((option) => option.text)
        .join('\n');
    }
    // biome-ignore lint/performance/useDomNodeTextContent: innerText keeps an editor's line breaks (<br>, blocks) as a person sees them.
    if (element instanceof HTMLElement && element.isContentEditable) return element.innerText;
    throw new Error('That element holds no value: read_page shows its text.');
  };

  const hiddenTypingTarget = (element: Element): boolean => {
    const field =
      element instanceof HTMLTextAreaElement ||
      (element instanceof HTMLInputElement && TYPING.includes(element.type)) ||
      (element instanceof HTMLElement && element.isContentEditable);
    if (!field || (element as HTMLInputElement).disabled) return false;
    if (element.closest('[aria-hidden="true"]')) return false;
    // Opacity and size are what such fields use; display:none, visibility:hidden and content-visibility are not.
    if (!element.checkVisibility({ checkVisibilityCSS: true })) return false;
    // Far off the page is where bot traps (honeypot fields) live: typing there marks the user as a bot.
    const rect = element.getBoundingClientRect();
    return rect.right + window.scrollX > 0 && rect.bottom + window.scrollY > 0;
  };
  const keyTarget = (element: Element | undefined) => {
    if (element instanceof HTMLElement || element instanceof SVGElement) element.focus({ preventScroll: false });
    const active = document.activeElement ?? document.body;
    const focused = element === undefined || element === active || element.contains(active);
    const input = active instanceof HTMLInputElement ? active : undefined;
    // Real Enter and Space have default actions synthetic ones lack: follow a link, press a button,
    // submit the form a field is in. Those were not what the plan checked, so they go the synthetic way.
    const pressable = active.closest('button, summary, label, select') !== null;
    const choice = input !== undefined && !TYPING.includes(input.type) && input.type !== 'password';
    const enterActs =
      pressable || active.closest('a, area') !== null || choice || (input !== undefined && input.form !== null);
    return { focused, password: input?.type === 'password', enterActs, spaceActs: pressable || choice };
  };

  holder.__tandemActionable = {
    candidates,
    roleHint,
    pointerClick,
    pointerHover,
    pointerDrag,
    selectOptions,
    locate,
    keyTarget,
    exactValue,
    hiddenTypingTarget,
  };
}
