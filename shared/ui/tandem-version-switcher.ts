/**
 * `<tandem-version-switcher>`: "‹ 1/2 ›" on a message that was edited or regenerated, as chat apps
 * have it. Choosing another version shows that branch (shared/conversation/branches.ts); the log
 * keeps every version, and new messages always continue the newest one.
 */
import { css, html, LitElement, nothing } from 'lit';
import { customElement, property } from 'lit/decorators.js';
import type { VersionInfo } from '../conversation/branches';
import { controlStyles } from './control-styles';
import { emit } from './events';
import { tokens } from './tokens';

@customElement('tandem-version-switcher')
export class TandemVersionSwitcher extends LitElement {
  static override styles = [
    tokens,
    controlStyles,
    css`
      :host {
        display: inline-flex;
        align-items: center;
        gap: 2px;
        font-size: var(--tandem-font-size-small);
        color: var(--tandem-text-muted);
      }
      button.quiet {
        min-height: var(--tandem-tap-compact);
        min-width: var(--tandem-tap-compact);
        padding: 0 var(--tandem-space-1);
        color: var(--tandem-text-muted);
      }
    `,
  ];

  @property({ attribute: false }) version: VersionInfo | undefined;

  private go(step: number): void {
    const version = this.version;
    const key = version?.keys[version.index - 1 + step];
    if (version && key) emit(this, 'branch-select', { group: version.group, key });
  }

  override render() {
    const version = this.version;
    if (!version || version.count < 2) return nothing;
    return html`<button
        class="quiet"
        data-testid="version-previous"
        aria-label="Previous version"
        ?disabled=${version.index <= 1}
        @click=${() => this.go(-1)}
      >‹</button
      ><span data-testid="version-position" title=${`Version ${version.index} of ${version.count}`}
        >${version.index}/${version.count}</span
      ><button
        class="quiet"
        data-testid="version-next"
        aria-label="Next version"
        ?disabled=${version.index >= version.count}
        @click=${() => this.go(1)}
      >›</button>`;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'tandem-version-switcher': TandemVersionSwitcher;
  }
}
