/**
 * Tandem's conversation UI: importing this registers every `tandem-*` element.
 * The components use no browser-extension API, so the side panel and the phone
 * page share them as they are.
 */
export * from './events';
export { TandemComposer } from './tandem-composer';
export { TandemConnectionState } from './tandem-connection-state';
export { TandemConversation } from './tandem-conversation';
export { TandemDecisionCard } from './tandem-decision-card';
export { TandemMessage } from './tandem-message';
export { TandemNotice } from './tandem-notice';
export { TandemThreadList } from './tandem-thread-list';
export { TandemThreadView } from './tandem-thread-view';
export { TandemToolCard } from './tandem-tool-card';
export { TandemUsageLine } from './tandem-usage-line';
export { tokens } from './tokens';
