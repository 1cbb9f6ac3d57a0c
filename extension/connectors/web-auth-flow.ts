/**
 * The browser's consent window for a connector's sign-in: `identity.launchWebAuthFlow`
 * opens the authorization server's page and hands back the redirect URL (with the code)
 * without the extension ever seeing the user's password.
 */
import browser from 'webextension-polyfill';
import type { Authorize } from './oauth-provider';

export const browserAuthorize: Authorize = async (authorizationUrl) => {
  const landed = await browser.identity.launchWebAuthFlow({ url: authorizationUrl.toString(), interactive: true });
  if (!landed) throw new Error('The sign-in window was closed.');
  return landed;
};

/** The sign-in wiring for assembleRuntime; empty where the browser has no identity API (then only tokens work). */
export function browserSignIn(): { authorize?: Authorize; redirectUrl?: string } {
  const identity = (browser as { identity?: typeof browser.identity }).identity;
  if (!identity?.getRedirectURL) return {};
  return { authorize: browserAuthorize, redirectUrl: identity.getRedirectURL('mcp') };
}
