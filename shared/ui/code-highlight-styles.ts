/**
 * Token colours for highlighted code (highlight.js class names), light and dark. Each colour is
 * at least 4.5:1 against `--tandem-code-bg` in its theme (WCAG AA for small text; axe checks it):
 * light on #f0f0ec from 5.6:1 (comments) up, dark on #151513 from 5.9:1 up.
 */
import { css } from 'lit';

export const codeHighlightStyles = css`
  .markdown pre code {
    --code-keyword: #b3173b;
    --code-string: #0a3069;
    --code-comment: #57606a;
    --code-number: #0550ae;
    --code-title: #6639ba;
    --code-attr: #953800;
    --code-addition: #116329;
    --code-deletion: #82071e;
  }
  @media (prefers-color-scheme: dark) {
    .markdown pre code {
      --code-keyword: #ff7b72;
      --code-string: #a5d6ff;
      --code-comment: #8b949e;
      --code-number: #79c0ff;
      --code-title: #d2a8ff;
      --code-attr: #ffa657;
      --code-addition: #7ee787;
      --code-deletion: #ffa198;
    }
  }
  .hljs-keyword,
  .hljs-selector-tag,
  .hljs-meta .hljs-keyword,
  .hljs-doctag {
    color: var(--code-keyword);
  }
  .hljs-string,
  .hljs-regexp,
  .hljs-meta .hljs-string {
    color: var(--code-string);
  }
  .hljs-comment,
  .hljs-quote,
  .hljs-meta {
    color: var(--code-comment);
    font-style: italic;
  }
  .hljs-number,
  .hljs-literal,
  .hljs-variable,
  .hljs-template-variable,
  .hljs-built_in,
  .hljs-symbol {
    color: var(--code-number);
  }
  .hljs-title,
  .hljs-section,
  .hljs-selector-id,
  .hljs-selector-class {
    color: var(--code-title);
  }
  .hljs-attr,
  .hljs-attribute,
  .hljs-type,
  .hljs-params,
  .hljs-property,
  .hljs-name,
  .hljs-tag {
    color: var(--code-attr);
  }
  .hljs-addition {
    color: var(--code-addition);
  }
  .hljs-deletion {
    color: var(--code-deletion);
  }
`;
