/** How Tandem's toolbar button looks on a tab it acts in (web/tab-indicator.ts); orange as the "Tandem" tab group. */
export const ACTING_BADGE = { text: '●', color: '#c2410c', title: 'Tandem is acting in this tab' } as const;
