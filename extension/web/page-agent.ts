/**
 * The code the tab tools run inside a web page (chrome.scripting.executeScript,
 * isolated world). It must be self-contained: the browser serialises the
 * function's source, so it may use nothing from module scope, types aside.
 *
 * Refs: each element gets a ref (`e12`) the first time it is listed and keeps
 * it for the life of the document. The ref table lives in the extension's
 * isolated world, which page scripts cannot reach, so a page cannot re-point a
 * ref at another element (it could if refs were DOM attributes).
 *
 * Visibility: only what a person could see is listed. Elements that are
 * display:none, visibility:hidden, transparent, aria-hidden, 1-pixel or
 * positioned off-screen are skipped, text and controls alike: hidden text is
 * where injected instructions like to live, and a hidden link is not something
 * the user would click either.
 *
 * The first check is the origin: the worker decided about one origin, and if
 * the tab has moved elsewhere since, nothing runs.
 */
import type { ActionableHelpers } from './actionable';
import type { ElementFacts, PageRequest, PageResponse, SnapshotElement } from './page-protocol';

export function pageAgent(request: PageRequest, expectedOrigin: string): PageResponse {
  // `self.origin` is the document's own: an inline (srcdoc) frame has its creator's, where the URL's is "null".
  if (location.origin !== expectedOrigin && self.origin !== expectedOrigin) {
    return { op: 'error', error: `The tab is now on ${location.origin}, not ${expectedOrigin}; read it again.` };
  }
  interface RefStore {
    byElement: WeakMap<Element, string>;
    byRef: Map<string, WeakRef<Element>>;
    next: number;
  }
  const holder = globalThis as unknown as { __tandemRefs?: RefStore };
  holder.__tandemRefs ??= { byElement: new WeakMap(), byRef: new Map(), next: 1 };
  const store = holder.__tandemRefs;
  // Installed just before by tab-driver.ts (web/actionable.ts); absent only if that injection failed.
  const helpers = (globalThis as unknown as { __tandemActionable?: ActionableHelpers }).__tandemActionable;

  const refOf = (element: Element): string => {
    let ref = store.byElement.get(element);
    if (!ref) {
      ref = `e${store.next++}`;
      store.byElement.set(element, ref);
      store.byRef.set(ref, new WeakRef(element));
    }
    return ref;
  };
  const collapse = (text: string | null | undefined, max: number): string => {
    const flat = (text ?? '').replace(/\s+/g, ' ').trim();
    return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
  };

  const visibility = new Map<Element, boolean>();
  const scrollX = window.scrollX;
  const scrollY = window.scrollY;
  const isVisible = (element: Element): boolean => {
    const known = visibility.get(element);
    if (known !== undefined) return known;
    let visible = true;
    if (element.closest('[aria-hidden="true"]')) visible = false;
    else if (!element.checkVisibility({ checkOpacity: true, checkVisibilityCSS: true })) visible = false;
    else {
      const rect = element.getBoundingClientRect();
      if (rect.width <= 1 && rect.height <= 1) visible = false;
      else if (rect.right + scrollX <= 0 || rect.bottom + scrollY <= 0) visible = false;
    }
    visibility.set(element, visible);
    return visible;
  };

  const lookup = (ref: string): Element | undefined => {
    const element = store.byRef.get(ref)?.deref();
    return element?.isConnected ? element : undefined;
  };

  const TEXT_INPUTS = new Set([
    'text',
    'email',
    'url',
    'tel',
    'search',
    'number',
    'password',
    'date',
    'time',
    'datetime-local',
    'month',
    'week',
    '',
  ]);
  const inputRole = (input: HTMLInputElement): string => {
    switch (input.type) {
      case 'checkbox':
      case 'radio':
        return input.type;
      case 'submit':
      case 'reset':
      case 'button':
      case 'image':
        return 'button';
      case 'search':
        return 'searchbox';
      case 'number':
        return 'spinbutton';
      case 'range':
        return 'slider';
      case 'password':
        return 'password';
      default:
        return TEXT_INPUTS.has(input.type) ? 'textbox' : input.type;
    }
  };
  /**
   * Where a link goes, absolute. SVG links count as much as HTML ones: their `href` (or the older
   * `xlink:href`) is an SVGAnimatedString, and a destination nobody reads is a destination nobody checks.
   */
  const linkOf = (element: Element): string | undefined => {
    const anchor = element.closest<Element>('a');
    if (anchor instanceof HTMLAnchorElement) return anchor.hasAttribute('href') ? anchor.href : undefined;
    if (!(anchor instanceof SVGAElement)) return undefined;
    const raw =
      anchor.href.baseVal ||
      anchor.getAttribute('href') ||
      anchor.getAttributeNS('http://www.w3.org/1999/xlink', 'href');
    if (!raw) return undefined;
    try {
      return new URL(raw, document.baseURI).href;
    } catch {
      return raw;
    }
  };
  const roleOf = (element: Element): string => {
    const explicit = element.getAttribute('role');
    if (explicit) return collapse(explicit.split(' ')[0], 40);
    if (element instanceof HTMLAnchorElement) return 'link';
    if (element instanceof SVGAElement && linkOf(element) !== undefined) return 'link';
    if (element instanceof HTMLButtonElement) return 'button';
    if (element instanceof HTMLInputElement) return inputRole(element);
    if (element instanceof HTMLSelectElement) return element.multiple ? 'listbox' : 'combobox';
    if (element instanceof HTMLTextAreaElement) return 'textbox';
    if (element.tagName === 'SUMMARY') return 'button';
    if (element instanceof HTMLElement && element.isContentEditable) return 'textbox';
    return 'generic';
  };
  const visibleText = (element: Element): string =>
    // biome-ignore lint/performance/useDomNodeTextContent: innerText leaves out CSS-hidden text, which is the point.
    element instanceof HTMLElement ? element.innerText : (element.textContent ?? '');
  /** A label's own words, without the text of the controls inside it (a select's options, say). */
  const labelText = (label: HTMLLabelElement): string => {
    let text = '';
    const walker = document.createTreeWalker(label, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const parent = node.parentElement;
      if (!parent || parent.closest('select, textarea, button, option') || !isVisible(parent)) continue;
      text += ` ${node.nodeValue ?? ''}`;
    }
    return text;
  };
  const nameOf = (element: Element): string => {
    const labelledBy = element.getAttribute('aria-labelledby');
    if (labelledBy) {
      const text = labelledBy
        .split(/\s+/)
        .map((id) => document.getElementById(id))
        .filter((label): label is HTMLElement => label !== null)
        .map((label) => visibleText(label))
        .join(' ');
      if (text.trim()) return collapse(text, 200);
    }
    const aria = element.getAttribute('aria-label');
    if (aria?.trim()) return collapse(aria, 200);
    if (
      element instanceof HTMLInputElement ||
      element instanceof HTMLTextAreaElement ||
      element instanceof HTMLSelectElement
    ) {
      const label = element.labels?.[0];
      if (label) {
        const text = collapse(labelText(label), 200);
        if (text) return text;
      }
      if (element instanceof HTMLInputElement && ['submit', 'button', 'reset'].includes(element.type)) {
        return collapse(element.value || element.type, 200);
      }
      if (element instanceof HTMLInputElement && element.type === 'image') return collapse(element.alt, 200);
      const placeholder = element.getAttribute('placeholder');
      if (placeholder) return collapse(placeholder, 200);
    } else {
      const text = collapse(visibleText(element), 200);
      if (text) return text;
      const image = element.querySelector('img[alt]');
      if (image) return collapse(image.getAttribute('alt'), 200);
    }
    return collapse(element.getAttribute('title') ?? element.getAttribute('name') ?? '', 200);
  };
  /**
   * The submit button that clicking this element activates: the element itself, the button it is
   * inside, or the control of the label it is in (`<label for=…>` activates its control, so a label
   * for a submit button submits the form just as the button does).
   */
  const submitterOf = (element: Element): HTMLButtonElement | HTMLInputElement | undefined => {
    const control = element.closest('button, input') ?? element.closest('label')?.control ?? null;
    if (control instanceof HTMLButtonElement && control.form && control.type === 'submit') return control;
    if (
      control instanceof HTMLInputElement &&
      control.form &&
      (control.type === 'submit' || control.type === 'image')
    ) {
      return control;
    }
    return undefined;
  };
  const formTextOf = (form: HTMLFormElement): string => {
    const parts: string[] = [];
    for (const control of Array.from(form.elements)) {
      parts.push(nameOf(control));
      const name = control.getAttribute('name') ?? control.getAttribute('autocomplete');
      if (name) parts.push(name);
    }
    parts.push(form.getAttribute('aria-label') ?? '', form.id, form.className);
    return collapse(parts.filter(Boolean).join(' · '), 600);
  };
  const factsOf = (element: Element): ElementFacts => {
    const href = linkOf(element);
    const submitter = submitterOf(element);
    const field = element instanceof HTMLInputElement ? element : undefined;
    const textField = field !== undefined && TEXT_INPUTS.has(field.type);
    const form = submitter?.form ?? (textField ? field?.form : null) ?? null;
    const editable =
      textField ||
      element instanceof HTMLTextAreaElement ||
      (element instanceof HTMLElement && element.isContentEditable);
    return {
      ref: refOf(element),
      tag: element.tagName.toLowerCase().slice(0, 40),
      role: roleOf(element),
      name: nameOf(element),
      ...(field ? { inputType: field.type.slice(0, 40) } : {}),
      password: field?.type === 'password',
      editable,
      ...(href !== undefined ? { href: href.slice(0, 8_192) } : {}),
      download: href !== undefined && element.closest<Element>('a')?.hasAttribute('download') === true,
      submitsForm: submitter !== undefined,
      ...(form
        ? {
            // A submitter's formAction reads as the page URL when unset, so only trust it when set.
            formAction: (submitter?.hasAttribute('formaction') ? submitter.formAction : form.action).slice(0, 8_192),
            formMethod: (submitter?.hasAttribute('formmethod') ? submitter.formMethod : form.method).slice(0, 20),
            formText: formTextOf(form),
          }
        : {}),
    };
  };

  const INTERACTIVE = [
    'a[href]',
    // SVG links written the older way (xlink:href).
    'a[*|href]',
    // Only labels that submit a form are kept (see below): clicking them is clicking the button.
    'label',
    'button',
    'input:not([type="hidden"])',
    'select',
    'textarea',
    'summary',
    '[contenteditable=""]',
    '[contenteditable="true"]',
    '[onclick]',
    ...[
      'button',
      'link',
      'checkbox',
      'radio',
      'tab',
      'menuitem',
      'option',
      'switch',
      'combobox',
      'textbox',
      'searchbox',
      'slider',
    ].map((role) => `[role="${role}"]`),
  ].join(',');

  /** What the browser said has pointer listeners (listener-scan.ts), checked against the live page. */
  const listenedSet = (listened: ReadonlyArray<{ index: number; tag: string }> | undefined): Set<Element> => {
    const found = new Set<Element>();
    if (!listened || !document.body) return found;
    const all = document.body.querySelectorAll('*');
    for (const { index, tag } of listened) {
      const element = all[index];
      // A page that changed since the scan: that position is someone else now.
      if (element && element.tagName.toLowerCase() === tag) found.add(element);
    }
    return found;
  };

  const isFileField = (element: Element) => element instanceof HTMLInputElement && element.type === 'file';

  const snapshotOf = (
    from: number,
    maxElements: number,
    maxTextChars: number,
    listened: Set<Element>,
    frameMark?: string,
  ): PageResponse => {
    const SKIP = new Set(['SCRIPT', 'STYLE', 'NOSCRIPT', 'TEMPLATE', 'SELECT', 'OPTION', 'TEXTAREA']);
    const BLOCK =
      'address,article,aside,blockquote,dd,details,dialog,div,dl,dt,fieldset,figcaption,figure,footer,form,h1,h2,h3,h4,h5,h6,header,li,main,nav,ol,p,pre,section,summary,table,tr,td,th,ul,label,button';
    const lines: string[] = [];
    let line = '';
    let length = 0;
    let textCut = false;
    let block: Element | null = null;
    if (document.body && maxTextChars > 0) {
      // Elements too, only so a frame's place in the text is marked (frame-map.ts names it).
      const walker = document.createTreeWalker(
        document.body,
        frameMark ? NodeFilter.SHOW_TEXT | NodeFilter.SHOW_ELEMENT : NodeFilter.SHOW_TEXT,
      );
      for (let node = walker.nextNode(); node; node = walker.nextNode()) {
        if (node instanceof HTMLIFrameElement || node instanceof HTMLFrameElement) {
          let index = -1;
          for (let i = 0; i < window.length; i++) if (window[i] === node.contentWindow) index = i;
          if (index < 0 || !isVisible(node)) continue;
          if (line.trim()) lines.push(line.trim());
          lines.push(`${frameMark}${index}`);
          line = '';
          block = null;
          continue;
        }
        if (node.nodeType !== Node.TEXT_NODE) continue;
        const parent = node.parentElement;
        if (!parent || SKIP.has(parent.tagName)) continue;
        const text = (node.nodeValue ?? '').replace(/\s+/g, ' ');
        if (!text.trim() || !isVisible(parent)) continue;
        const nearest = parent.closest(BLOCK);
        if (nearest !== block) {
          if (line.trim()) lines.push(line.trim());
          line = '';
          block = nearest;
        }
        line += text;
        length += text.length;
        if (length > maxTextChars) {
          textCut = true;
          break;
        }
      }
      if (line.trim()) lines.push(line.trim());
    }
    let text = lines.join('\n');
    if (text.length > maxTextChars) text = text.slice(0, maxTextChars);

    // Controls wired by script (web/actionable.ts), merged in document order.
    const extra = helpers?.candidates(INTERACTIVE) ?? new Set<Element>();
    for (const element of listened) {
      // Part of a control listed already (a word inside a listed row) is that control.
      if (!element.matches(INTERACTIVE) && !element.parentElement?.closest(INTERACTIVE)) extra.add(element);
    }
    const listed = [...Array.from(document.querySelectorAll(INTERACTIVE)), ...extra].sort((a, b) =>
      a.compareDocumentPosition(b) & Node.DOCUMENT_POSITION_FOLLOWING ? -1 : 1,
    );
    const all = listed.filter(
      (element) =>
        !element.closest('[inert]') &&
        // File fields are usually hidden behind a styled button that opens the chooser: list them anyway.
        (isVisible(element) || helpers?.hiddenTypingTarget(element) === true || isFileField(element)) &&
        (!(element instanceof HTMLLabelElement) ||
          element.matches('[role], [onclick]') ||
          submitterOf(element) !== undefined),
    );
    // Every listed element gets its ref now, in document order, so refs read like the page does.
    for (const element of all) refOf(element);
    const elements: SnapshotElement[] = all.slice(from, from + maxElements).map((element) => {
      const own = roleOf(element);
      const role =
        own === 'generic' ? (helpers?.roleHint(element) ?? (listened.has(element) ? 'clickable' : own)) : own;
      const entry: SnapshotElement = { ref: refOf(element), role, name: nameOf(element) };
      if (element instanceof HTMLInputElement) {
        if (element.type === 'password') entry.password = true;
        else if (element.type === 'checkbox' || element.type === 'radio') entry.checked = element.checked;
        else if (TEXT_INPUTS.has(element.type) || element.type === 'range') entry.value = collapse(element.value, 400);
        else if (element.type === 'file' && element.files?.length)
          entry.value = collapse(Array.from(element.files, (file) => file.name).join(', '), 400);
        if (element.required) entry.required = true;
      } else if (element instanceof HTMLTextAreaElement) {
        entry.value = collapse(element.value, 400);
        if (element.required) entry.required = true;
      } else if (element instanceof HTMLSelectElement) {
        entry.value = collapse(
          Array.from(element.selectedOptions)
            .map((option) => option.text)
            .join(', '),
          400,
        );
        entry.options = Array.from(element.options)
          .slice(0, 30)
          .map((option) => collapse(option.text, 100));
      } else {
        const href = linkOf(element);
        if (href !== undefined && element.closest<Element>('a') === element) entry.href = href.slice(0, 2_048);
      }
      if (element.getAttribute('aria-checked') === 'true') entry.checked = true;
      if ((element as HTMLButtonElement).disabled === true || element.getAttribute('aria-disabled') === 'true') {
        entry.disabled = true;
      }
      const submitter = submitterOf(element);
      if (submitter === element || (submitter && element instanceof HTMLLabelElement)) entry.submits = true;
      return entry;
    });
    return {
      op: 'snapshot',
      url: location.href.slice(0, 8_192),
      title: collapse(document.title, 1_000),
      text,
      textCut,
      elements,
      totalElements: all.length,
      from,
      scrollY: Math.round(window.scrollY),
      scrollHeight: Math.round(document.documentElement.scrollHeight),
      viewportHeight: Math.round(window.innerHeight),
    };
  };

  const find = (ref: string): Element => {
    const element = lookup(ref);
    if (!element) throw new Error(`No element ${ref} on this page any more: call read_page again for fresh refs.`);
    return element;
  };

  const setValue = (element: HTMLInputElement | HTMLTextAreaElement, value: string): void => {
    // The prototype's setter, so frameworks that track `value` on the instance (React) see a change.
    const prototype = element instanceof HTMLInputElement ? HTMLInputElement.prototype : HTMLTextAreaElement.prototype;
    const setter = Object.getOwnPropertyDescriptor(prototype, 'value')?.set;
    if (setter) setter.call(element, value);
    else element.value = value;
    element.dispatchEvent(new InputEvent('input', { bubbles: true, inputType: 'insertText', data: value }));
    element.dispatchEvent(new Event('change', { bubbles: true }));
  };

  const typeInto = (element: Element, text: string, clear: boolean, password: boolean): string | undefined => {
    if (password && !(element instanceof HTMLInputElement)) throw new Error('That is not a password field.');
    if (element instanceof HTMLInputElement) {
      if ((element.type === 'password') !== password) {
        throw new Error(
          password ? 'That is not a password field.' : 'Typing into password fields needs the user’s approval.',
        );
      }
      if (!TEXT_INPUTS.has(element.type)) throw new Error(`A ${element.type} input takes a click, not typing.`);
      if (element.disabled || element.readOnly) throw new Error('That field is disabled or read-only.');
      element.focus();
      setValue(element, clear ? text : element.value + text);
      return undefined;
    }
    if (element instanceof HTMLTextAreaElement) {
      if (element.disabled || element.readOnly) throw new Error('That field is disabled or read-only.');
      element.focus();
      setValue(element, clear ? text : element.value + text);
      return undefined;
    }
    if (element instanceof HTMLSelectElement) {
      const wanted = text.trim().toLowerCase();
      const option = Array.from(element.options).find(
        (o) => o.value.toLowerCase() === wanted || o.text.trim().toLowerCase() === wanted,
      );
      if (!option) throw new Error(`No option "${text.slice(0, 80)}" in that list.`);
      element.value = option.value;
      element.dispatchEvent(new Event('input', { bubbles: true }));
      element.dispatchEvent(new Event('change', { bubbles: true }));
      return `Selected "${collapse(option.text, 80)}".`;
    }
    if (element instanceof HTMLElement && element.isContentEditable) {
      element.focus();
      if (clear) element.textContent = '';
      element.textContent = (element.textContent ?? '') + text;
      element.dispatchEvent(new InputEvent('input', { bubbles: true, inputType: 'insertText', data: text }));
      return undefined;
    }
    throw new Error('That element does not take text.');
  };

  const press = (
    key: string,
    target: Element,
    submit: boolean,
    code?: string,
    keyCode?: number,
    modifiers: readonly string[] = [],
  ): string | undefined => {
    const eventKey = key === 'Space' ? ' ' : key;
    const init: KeyboardEventInit & { keyCode?: number; which?: number } = {
      key: eventKey,
      bubbles: true,
      cancelable: true,
      composed: true,
      ctrlKey: modifiers.includes('Control'),
      shiftKey: modifiers.includes('Shift'),
      altKey: modifiers.includes('Alt'),
      metaKey: modifiers.includes('Meta'),
      ...(code !== undefined ? { code } : {}),
      ...(keyCode !== undefined ? { keyCode, which: keyCode } : {}),
    };
    const accepted = target.dispatchEvent(new KeyboardEvent('keydown', init));
    if (eventKey.length === 1 || eventKey === 'Enter') target.dispatchEvent(new KeyboardEvent('keypress', init));
    target.dispatchEvent(new KeyboardEvent('keyup', init));
    if (!accepted) return undefined;
    // Synthetic key events have no default action: do the ones people rely on.
    const command = { b: 'bold', i: 'italic', u: 'underline' }[eventKey.toLowerCase()];
    if ((init.ctrlKey || init.metaKey) && command && target instanceof HTMLElement && target.isContentEditable) {
      document.execCommand(command);
      return undefined;
    }
    if ((init.ctrlKey || init.metaKey) && eventKey.toLowerCase() === 'c') {
      return document.execCommand('copy') ? undefined : 'The browser did not let Tandem copy here.';
    }
    if (key === 'Enter' && submit && target instanceof HTMLInputElement && target.form) {
      target.form.requestSubmit();
      return 'Submitted the form.';
    }
    if (key === 'Tab') {
      const focusable = Array.from(
        document.querySelectorAll<HTMLElement>(
          'a[href], button, input, select, textarea, [tabindex]:not([tabindex="-1"])',
        ),
      ).filter((e) => isVisible(e) && !(e as HTMLButtonElement).disabled);
      const index = focusable.indexOf(target as HTMLElement);
      focusable[index + 1]?.focus();
    }
    return undefined;
  };

  try {
    switch (request.op) {
      case 'snapshot':
        return snapshotOf(
          request.from,
          request.maxElements,
          request.maxTextChars,
          listenedSet(request.listened),
          request.frameMark,
        );
      case 'describe':
        return { op: 'describe', element: factsOf(find(request.ref)) };
      case 'describe_focus': {
        const focused = document.activeElement;
        return { op: 'describe', element: factsOf(focused && focused !== document.body ? focused : document.body) };
      }
      case 'click': {
        const element = find(request.ref);
        if (!isVisible(element)) throw new Error('That element is hidden; only visible elements can be clicked.');
        element.scrollIntoView({ block: 'center', inline: 'center' });
        if (helpers) helpers.pointerClick(element);
        else if (element instanceof HTMLElement) {
          element.focus({ preventScroll: true });
          element.click();
        } else {
          element.dispatchEvent(new MouseEvent('click', { bubbles: true, cancelable: true, view: window }));
        }
        return { op: 'done' };
      }
      case 'type': {
        const note = typeInto(find(request.ref), request.text, request.clear, request.password === true);
        return { op: 'done', ...(note ? { note } : {}) };
      }
      case 'press': {
        const target = request.ref ? find(request.ref) : (document.activeElement ?? document.body);
        const note = press(request.key, target, request.submit, request.code, request.keyCode, request.modifiers);
        return { op: 'done', ...(note ? { note } : {}) };
      }
      case 'select': {
        const element = find(request.ref);
        if (!(element instanceof HTMLSelectElement)) throw new Error('That element is not a list box (<select>).');
        if (element.disabled) throw new Error('That list box is disabled.');
        if (!helpers) throw new Error('The page helpers are missing; try again.');
        return { op: 'done', note: helpers.selectOptions(element, request.values) };
      }
      case 'locate': {
        const element = find(request.ref);
        if (!isVisible(element)) throw new Error('That element is hidden; only visible elements can be clicked.');
        if (!helpers) throw new Error('The page helpers are missing; try again.');
        return { op: 'point', ...helpers.locate(element, request.scroll !== false) };
      }
      case 'value': {
        const element = find(request.ref);
        if (!helpers) throw new Error('The page helpers are missing; try again.');
        const value = helpers.exactValue(element);
        return { op: 'value', value: value.slice(request.from, request.from + request.max), total: value.length };
      }
      case 'find': {
        const wanted = request.text.toLowerCase();
        const matches: Array<{ context: string; ref?: string }> = [];
        let total = 0;
        const walker = document.body ? document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT) : undefined;
        for (let node = walker?.nextNode(); node; node = walker?.nextNode()) {
          const parent = node.parentElement;
          const text = node.nodeValue ?? '';
          // Hidden text is not found, as it is not listed: it is where injected instructions hide.
          if (!parent || !text.toLowerCase().includes(wanted) || !isVisible(parent)) continue;
          total++;
          if (matches.length >= request.max) continue;
          const at = text.toLowerCase().indexOf(wanted);
          const context = collapse(text.slice(Math.max(0, at - 150), at + wanted.length + 150), 400);
          const control = parent.closest(INTERACTIVE);
          matches.push({ context, ...(control && isVisible(control) ? { ref: refOf(control) } : {}) });
        }
        return { op: 'found', matches, total };
      }
      case 'select_text': {
        const root = request.ref ? find(request.ref) : document.body;
        if (!root) throw new Error('The page has no body.');
        if (root instanceof HTMLInputElement || root instanceof HTMLTextAreaElement) {
          if (root instanceof HTMLInputElement && root.type === 'password') {
            throw new Error('Password fields are never selected.');
          }
          const value = root.value;
          const at = request.text === undefined ? 0 : value.indexOf(request.text);
          if (at < 0) throw new Error('That text is not in the field.');
          const end = request.text === undefined ? value.length : at + request.text.length;
          root.focus();
          root.setSelectionRange(at, end);
          return { op: 'done', note: `Selected ${end - at} characters in ${request.ref}.` };
        }
        // Only text a person can see is selected, as only that is listed.
        const nodes: Array<{ node: Text; start: number }> = [];
        let joined = '';
        const walker = document.createTreeWalker(root, NodeFilter.SHOW_TEXT);
        for (let node = walker.nextNode(); node; node = walker.nextNode()) {
          const parent = node.parentElement;
          if (!parent || parent.closest('script, style, noscript, template') || !isVisible(parent)) continue;
          nodes.push({ node: node as Text, start: joined.length });
          joined += node.nodeValue ?? '';
        }
        const wanted = request.text ?? joined;
        let at = joined.indexOf(wanted);
        if (at < 0) at = joined.toLowerCase().indexOf(wanted.toLowerCase());
        if (at < 0 || !wanted) throw new Error('That text is not visible there: read_page or find_text shows what is.');
        const end = at + wanted.length;
        const position = (offset: number, isEnd: boolean) => {
          const hit =
            nodes.find((n) => offset >= n.start && offset < n.start + (n.node.nodeValue ?? '').length) ??
            (isEnd ? nodes.find((n) => offset === n.start + (n.node.nodeValue ?? '').length) : undefined);
          if (!hit) throw new Error('That text could not be selected.');
          return { node: hit.node, offset: offset - hit.start };
        };
        const from = position(at, false);
        const to = position(end, true);
        // An editor takes the focus first: focusing it afterwards would move its caret over the selection.
        const editor = from.node.parentElement?.closest('[contenteditable]:not([contenteditable="false"])');
        if (editor instanceof HTMLElement) editor.focus({ preventScroll: true });
        const range = document.createRange();
        range.setStart(from.node, from.offset);
        range.setEnd(to.node, to.offset);
        const selection = window.getSelection();
        selection?.removeAllRanges();
        selection?.addRange(range);
        return { op: 'done', note: `Selected ${JSON.stringify(collapse(wanted, 80))}.` };
      }
      case 'query': {
        let found: Element[];
        try {
          found = Array.from(document.querySelectorAll(request.selector)).filter((e) => isVisible(e));
        } catch {
          throw new Error(`"${request.selector.slice(0, 80)}" is not a CSS selector.`);
        }
        return {
          op: 'found',
          matches: found.slice(0, request.max).map((e) => ({ context: nameOf(e), ref: refOf(e) })),
          total: found.length,
        };
      }
      case 'history':
        if (request.direction === 'back') history.back();
        else history.forward();
        return { op: 'done' };
      case 'hover':
      case 'drag': {
        const element = find(request.ref);
        const to = request.op === 'drag' ? find(request.to) : undefined;
        if (!isVisible(element) || (to && !isVisible(to))) throw new Error('That element is hidden.');
        if (!helpers) throw new Error('The page helpers are missing; try again.');
        if (to) helpers.pointerDrag(element, to);
        else helpers.pointerHover(element);
        return { op: 'done' };
      }
      case 'probe': {
        // Screenshots are in device pixels (zoom and screen density included); the page works in CSS pixels.
        const x = request.x / window.devicePixelRatio;
        const y = request.y / window.devicePixelRatio;
        if (x >= window.innerWidth || y >= window.innerHeight)
          throw new Error('That point is outside the visible page.');
        const element = document.elementFromPoint(x, y);
        if (!element) throw new Error('Nothing is at that point.');
        if (!isVisible(element)) throw new Error('What is at that point is hidden.');
        return { op: 'probe', element: factsOf(element), x, y };
      }
      case 'click_point': {
        const x = request.x / window.devicePixelRatio;
        const y = request.y / window.devicePixelRatio;
        const element = document.elementFromPoint(x, y);
        if (!element) throw new Error('Nothing is at that point.');
        if (!helpers) throw new Error('The page helpers are missing; try again.');
        helpers.pointerClick(element, { x, y });
        return { op: 'done' };
      }
      case 'key_target': {
        if (!helpers) throw new Error('The page helpers are missing; try again.');
        return { op: 'key_target', ...helpers.keyTarget(request.ref ? find(request.ref) : undefined) };
      }
      case 'scroll': {
        if (request.ref) find(request.ref).scrollIntoView({ block: 'center' });
        else if (request.direction === 'top') window.scrollTo(0, 0);
        else if (request.direction === 'bottom') window.scrollTo(0, document.documentElement.scrollHeight);
        else window.scrollBy(0, (request.direction === 'up' ? -0.8 : 0.8) * window.innerHeight);
        return {
          op: 'done',
          note: `Scrolled to ${Math.round(window.scrollY)} of ${Math.round(document.documentElement.scrollHeight)} px (viewport ${Math.round(window.innerHeight)} px).`,
        };
      }
    }
  } catch (error) {
    return { op: 'error', error: (error instanceof Error ? error.message : String(error)).slice(0, 500) };
  }
}
