/** Typography and list rows shared by the settings sections (tokens come from shared/ui/tokens). */
import { css } from 'lit';
import { hostText } from '../../../shared/ui/tokens';

export const sectionStyles = css`
  ${hostText}
  h2 {
    margin: 0 0 var(--tandem-space-2);
    font-size: 14px;
    font-weight: 600;
  }
  p {
    margin: 0 0 var(--tandem-space-2);
  }
  .muted {
    color: var(--tandem-text-muted);
    font-size: var(--tandem-font-size-small);
  }
  ul,
  ol {
    list-style: none;
    margin: 0;
    padding: 0;
  }
  li {
    padding: var(--tandem-space-2) 0;
    border-bottom: 1px solid var(--tandem-border);
  }
`;
