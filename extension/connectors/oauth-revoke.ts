/**
 * Sign out tells the authorization server too (RFC 7009 token revocation), so a copy of the tokens
 * elsewhere (a backup, a stolen profile) stops working. Best effort: the local tokens are deleted
 * whatever happens here, and a server without a revocation endpoint, or one that does not answer
 * within a few seconds, does not hold up signing out.
 */
import { discoverOAuthServerInfo } from '@modelcontextprotocol/sdk/client/auth.js';
import type { FetchLike } from '@modelcontextprotocol/sdk/shared/transport.js';
import type { OAuthState } from './oauth-provider';

const REVOKE_TIMEOUT_MS = 5_000;

export async function revokeAtServer(serverUrl: string, state: OAuthState, fetchFn: FetchLike = fetch): Promise<void> {
  const { tokens, client } = state;
  if (!tokens || !client) return;
  const signal = AbortSignal.timeout(REVOKE_TIMEOUT_MS);
  const timed: FetchLike = (url, init) => fetchFn(url, { ...init, signal });
  try {
    const info = await discoverOAuthServerInfo(serverUrl, { fetchFn: timed });
    // OAuth metadata (RFC 8414) names it; OpenID metadata may not have the field at all.
    const metadata: Record<string, unknown> = { ...info.authorizationServerMetadata };
    const endpoint = metadata.revocation_endpoint;
    if (typeof endpoint !== 'string') return;
    // The refresh token first: revoking it usually ends its access tokens as well.
    const revoke = [
      ...(tokens.refresh_token ? [{ token: tokens.refresh_token, hint: 'refresh_token' }] : []),
      { token: tokens.access_token, hint: 'access_token' },
    ];
    for (const { token, hint } of revoke) {
      const body = new URLSearchParams({ token, token_type_hint: hint, client_id: client.client_id });
      if (client.client_secret) body.set('client_secret', client.client_secret);
      await timed(endpoint, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body,
      });
    }
  } catch {
    // Unreachable or slow server: the tokens are gone from this profile, which is what the user asked.
  }
}
