/**
 * Buttons and inputs look and focus the same everywhere; components include these
 * styles after `tokens`. Focus rings show for keyboard focus only (`:focus-visible`).
 */
import { css } from 'lit';

export const controlStyles = css`
  button,
  input,
  textarea,
  select {
    font: inherit;
    color: inherit;
  }

  button {
    display: inline-flex;
    align-items: center;
    justify-content: center;
    gap: var(--tandem-space-1);
    min-height: var(--tandem-tap);
    min-width: var(--tandem-tap);
    padding: 0 var(--tandem-space-3);
    border: 1px solid var(--tandem-border);
    border-radius: var(--tandem-radius);
    background: var(--tandem-surface-raised);
    cursor: pointer;
    white-space: nowrap;
  }
  button:hover:not(:disabled) {
    background: var(--tandem-surface-hover);
  }
  button:disabled {
    opacity: 0.5;
    cursor: not-allowed;
  }
  button.primary {
    background: var(--tandem-accent);
    border-color: var(--tandem-accent);
    color: var(--tandem-accent-text);
  }
  button.primary:hover:not(:disabled) {
    background: var(--tandem-accent);
    filter: brightness(1.08);
  }
  button.danger {
    color: var(--tandem-danger);
    border-color: var(--tandem-danger);
  }
  button.danger:hover:not(:disabled) {
    background: var(--tandem-danger-soft);
  }
  button.quiet {
    border-color: transparent;
    background: transparent;
  }
  button.quiet:hover:not(:disabled) {
    background: var(--tandem-surface-hover);
  }
  button.icon {
    padding: 0;
    width: var(--tandem-tap);
  }

  input[type='text'],
  input[type='password'],
  input[type='search'],
  input[type='url'],
  input[type='number'],
  textarea {
    box-sizing: border-box;
    min-height: max(30px, var(--tandem-tap));
    padding: var(--tandem-space-1) var(--tandem-space-2);
    border: 1px solid var(--tandem-border);
    border-radius: var(--tandem-radius);
    background: var(--tandem-bg);
  }
  @media (pointer: coarse) {
    input[type='checkbox'],
    input[type='radio'] {
      width: 22px;
      height: 22px;
    }
    label:has(> input[type='checkbox']),
    label:has(> input[type='radio']) {
      min-height: var(--tandem-tap);
    }
  }

  input::placeholder,
  textarea::placeholder {
    color: var(--tandem-text-muted);
  }

  :focus {
    outline: none;
  }
  :focus-visible {
    box-shadow: var(--tandem-focus-ring);
  }

  .visually-hidden {
    position: absolute;
    width: 1px;
    height: 1px;
    overflow: hidden;
    clip: rect(0 0 0 0);
    white-space: nowrap;
  }
`;
