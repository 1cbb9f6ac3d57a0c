/**
 * Design tokens shared by every Tandem component, as CSS custom properties.
 *
 * Each component includes `tokens` in its own styles, so any one of them works on
 * its own (the phone page uses them without the side panel's shell). A page can
 * still re-theme a component by setting the same properties on its host element.
 * Colours follow the system light/dark preference.
 */
import { css } from 'lit';

export const tokens = css`
  :host {
    color-scheme: light dark;

    --tandem-font: system-ui, -apple-system, 'Segoe UI', Roboto, sans-serif;
    --tandem-font-mono: ui-monospace, 'SFMono-Regular', Menlo, Consolas, monospace;
    --tandem-font-size: 13px;
    --tandem-font-size-small: 12px;
    --tandem-line-height: 1.5;

    --tandem-space-1: 4px;
    --tandem-space-2: 8px;
    --tandem-space-3: 12px;
    --tandem-space-4: 16px;
    --tandem-radius: 6px;
    --tandem-radius-large: 10px;

    --tandem-bg: #ffffff;
    --tandem-surface: #f5f5f3;
    --tandem-surface-raised: #ffffff;
    --tandem-surface-hover: #ebebe7;
    --tandem-border: #dcdcd6;
    --tandem-text: #1f1f1c;
    --tandem-text-muted: #64645e;
    --tandem-accent: #b4532a;
    --tandem-accent-text: #ffffff;
    --tandem-accent-soft: #f6e6dd;
    --tandem-user-bubble: #efeeea;
    --tandem-danger: #b42318;
    --tandem-danger-soft: #fbe9e7;
    --tandem-warning: #8a5a00;
    --tandem-warning-soft: #fdf3d8;
    --tandem-success: #237a3b;
    --tandem-success-soft: #e5f4e8;
    --tandem-info: #1f5fbf;
    --tandem-info-soft: #e6eefb;
    --tandem-code-bg: #f0f0ec;
    --tandem-focus-ring: 0 0 0 2px var(--tandem-bg), 0 0 0 4px var(--tandem-accent);
    --tandem-shadow: 0 1px 2px rgb(0 0 0 / 0.08), 0 2px 8px rgb(0 0 0 / 0.06);

    /* Hit sizes: compact for a mouse in a side panel, 44 px (WCAG 2.5.5, Apple HIG) under a finger. */
    --tandem-tap: 28px;
    --tandem-tap-compact: 26px;
    --tandem-tap-row: 36px;
    /* Between opposite actions (Allow / Deny): a slip of the thumb must not hit the other one. */
    --tandem-tap-gap: 8px;
  }

  @media (pointer: coarse) {
    :host {
      --tandem-tap: 44px;
      --tandem-tap-compact: 44px;
      --tandem-tap-row: 48px;
      --tandem-tap-gap: 16px;
    }
  }

  @media (prefers-color-scheme: dark) {
    :host {
      --tandem-bg: #1b1b19;
      --tandem-surface: #242422;
      --tandem-surface-raised: #2c2c29;
      --tandem-surface-hover: #33332f;
      --tandem-border: #3d3d39;
      --tandem-text: #ecebe7;
      --tandem-text-muted: #a4a39d;
      --tandem-accent: #e0825a;
      --tandem-accent-text: #1b1b19;
      --tandem-accent-soft: #3a2a22;
      --tandem-user-bubble: #2f2f2c;
      --tandem-danger: #f2766b;
      --tandem-danger-soft: #3b2220;
      --tandem-warning: #e8b54a;
      --tandem-warning-soft: #372d18;
      --tandem-success: #6cc486;
      --tandem-success-soft: #1f3325;
      --tandem-info: #7fb0f5;
      --tandem-info-soft: #1d2a3d;
      --tandem-code-bg: #151513;
      --tandem-shadow: 0 1px 2px rgb(0 0 0 / 0.4), 0 2px 8px rgb(0 0 0 / 0.3);
    }
  }
`;

/** The host rule every Tandem element starts from: a block with the shared typography. */
export const hostText = css`
  :host {
    display: block;
    font-family: var(--tandem-font);
    font-size: var(--tandem-font-size);
    line-height: var(--tandem-line-height);
    color: var(--tandem-text);
  }
`;
