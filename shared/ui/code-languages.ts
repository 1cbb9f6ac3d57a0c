/**
 * The languages fenced code can be highlighted in, each its own lazily loaded chunk (~0.5–3.5 KB
 * gzip), fetched only when a fence tagged with it is on screen, so a session pays for the languages
 * it shows and nothing else. Tags are matched by name or highlight.js's own aliases for it.
 * Untagged fences stay plain: auto-detection would have to load every language to guess.
 */
type LanguageModule = { default: (hljs: never) => unknown };

export const LANGUAGE_LOADERS = {
  bash: () => import('highlight.js/lib/languages/bash'),
  c: () => import('highlight.js/lib/languages/c'),
  cpp: () => import('highlight.js/lib/languages/cpp'),
  css: () => import('highlight.js/lib/languages/css'),
  diff: () => import('highlight.js/lib/languages/diff'),
  go: () => import('highlight.js/lib/languages/go'),
  java: () => import('highlight.js/lib/languages/java'),
  javascript: () => import('highlight.js/lib/languages/javascript'),
  json: () => import('highlight.js/lib/languages/json'),
  python: () => import('highlight.js/lib/languages/python'),
  rust: () => import('highlight.js/lib/languages/rust'),
  sql: () => import('highlight.js/lib/languages/sql'),
  typescript: () => import('highlight.js/lib/languages/typescript'),
  xml: () => import('highlight.js/lib/languages/xml'),
  yaml: () => import('highlight.js/lib/languages/yaml'),
} satisfies Record<string, () => Promise<LanguageModule>>;

export type LanguageName = keyof typeof LANGUAGE_LOADERS;

/** highlight.js's aliases for the languages above (from each definition's `aliases`). */
const ALIASES: Record<string, LanguageName> = {
  sh: 'bash',
  zsh: 'bash',
  h: 'c',
  cc: 'cpp',
  'c++': 'cpp',
  'h++': 'cpp',
  hpp: 'cpp',
  hh: 'cpp',
  hxx: 'cpp',
  cxx: 'cpp',
  patch: 'diff',
  golang: 'go',
  jsp: 'java',
  js: 'javascript',
  jsx: 'javascript',
  mjs: 'javascript',
  cjs: 'javascript',
  jsonc: 'json',
  py: 'python',
  gyp: 'python',
  ipython: 'python',
  rs: 'rust',
  ts: 'typescript',
  tsx: 'typescript',
  mts: 'typescript',
  cts: 'typescript',
  html: 'xml',
  xhtml: 'xml',
  rss: 'xml',
  atom: 'xml',
  xjb: 'xml',
  xsd: 'xml',
  xsl: 'xml',
  plist: 'xml',
  wsf: 'xml',
  svg: 'xml',
  yml: 'yaml',
};

/** The language a fence's info string names (its first word, any case), or undefined. */
export function fenceLanguage(info: string | undefined): LanguageName | undefined {
  const tag = info?.trim().split(/\s+/)[0]?.toLowerCase();
  if (!tag) return undefined;
  if (Object.hasOwn(LANGUAGE_LOADERS, tag)) return tag as LanguageName;
  return Object.hasOwn(ALIASES, tag) ? ALIASES[tag] : undefined;
}
