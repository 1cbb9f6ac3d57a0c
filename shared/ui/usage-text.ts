/** How token counts and costs read in the UI. Pure, shared by the per-turn and per-thread lines. */

import { formatUsd } from '../pricing';
import type { Usage } from '../protocol/events';

/** 950 → "950", 12_345 → "12.3k", 2_500_000 → "2.5M". */
export function formatTokens(count: number): string {
  if (count < 1_000) return String(count);
  if (count < 1_000_000) return `${trimZero((count / 1_000).toFixed(count < 10_000 ? 2 : 1))}k`;
  return `${trimZero((count / 1_000_000).toFixed(count < 10_000_000 ? 2 : 1))}M`;
}

function trimZero(text: string): string {
  return text.replace(/\.0+$/, '').replace(/(\.\d*?)0+$/, '$1');
}

export interface UsagePart {
  label: string;
  value: string;
  /** The exact number, for a tooltip. */
  exact: string;
}

/** The parts of a usage line, cache parts only when non-zero so a plain turn stays short. */
export function usageParts(usage: Usage, costUsd: number): UsagePart[] {
  const parts: UsagePart[] = [
    { label: 'in', value: formatTokens(usage.inputTokens), exact: `${usage.inputTokens} input tokens` },
    { label: 'out', value: formatTokens(usage.outputTokens), exact: `${usage.outputTokens} output tokens` },
  ];
  if (usage.cacheReadInputTokens > 0) {
    parts.push({
      label: 'cache read',
      value: formatTokens(usage.cacheReadInputTokens),
      exact: `${usage.cacheReadInputTokens} tokens read from the prompt cache`,
    });
  }
  if (usage.cacheCreationInputTokens > 0) {
    parts.push({
      label: 'cache write',
      value: formatTokens(usage.cacheCreationInputTokens),
      exact: `${usage.cacheCreationInputTokens} tokens written to the prompt cache`,
    });
  }
  parts.push({
    label: 'est.',
    value: formatUsd(costUsd),
    exact: `about $${costUsd.toFixed(4)} (estimate, not a bill)`,
  });
  return parts;
}

/** "1.2k in", or for the cost "~$0.02" ("<$0.01" is already approximate). */
export function partText(part: UsagePart): string {
  if (part.label !== 'est.') return `${part.value} ${part.label}`;
  return part.value.startsWith('<') ? part.value : `~${part.value}`;
}

/** One line of text, e.g. "1.2k in · 340 out · 8k cache read · ~$0.02". */
export function describeUsage(usage: Usage, costUsd: number): string {
  return usageParts(usage, costUsd).map(partText).join(' · ');
}

/**
 * The one short figure a message shows: its estimated cost ("~$0.02", "<$0.01"), or the token
 * total when there is no price. The full line is one click away (details on demand).
 */
export function shortUsage(usage: Usage, costUsd: number): string {
  if (costUsd > 0) return partText({ label: 'est.', value: formatUsd(costUsd), exact: '' });
  const total = usage.inputTokens + usage.outputTokens + usage.cacheReadInputTokens + usage.cacheCreationInputTokens;
  return `${formatTokens(total)} tokens`;
}
