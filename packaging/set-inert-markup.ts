/**
 * Sets an element's children from markup without assigning `innerHTML`: the markup is parsed by
 * DOMParser (an inert document: no script runs, nothing loads) in a `<template>`, whose parsing
 * context keeps whatever the markup holds (table rows, a leading <style>), as assigning to a
 * template's `innerHTML` would, and the parsed nodes move into the target (or, for a template,
 * its content).
 *
 * Only the library sites packaging/inert-markup.ts rewrites call this; it changes no one's
 * sanitizing: what was sanitized before still is, and what was trusted still is.
 */
export function setInertMarkup(target: Element, markup: unknown): void {
  const view = target.ownerDocument.defaultView ?? globalThis;
  const parser = new view.DOMParser();
  const parsed = parser.parseFromString(`<template>${String(markup)}</template>`, 'text/html');
  const template = parsed.querySelector('template');
  const nodes = template ? [...template.content.childNodes] : [];
  const into = target instanceof view.HTMLTemplateElement ? target.content : target;
  into.replaceChildren(...nodes);
}
