/**
 * The OAuth `state` parameter: each sign-in sends a fresh one, and an answer that does not carry it
 * back is refused, so a code from someone else's sign-in (login CSRF, a mixed-up server) is never
 * exchanged for tokens on this profile.
 */
import { describe, expect, it } from 'vitest';
import { ConnectorOAuthProvider, MemoryOAuthStore } from '../../extension/connectors/oauth-provider';

const REDIRECT = 'https://example.chromiumapp.org/mcp';

function provider(answer: (asked: URL) => string) {
  const signIn = new ConnectorOAuthProvider('notes', new MemoryOAuthStore(), async (url) => answer(url), REDIRECT);
  signIn.interactive = true;
  return signIn;
}

/** As the SDK does: asks the provider for a state, puts it in the authorization URL, redirects. */
async function startSignIn(signIn: ConnectorOAuthProvider): Promise<void> {
  const url = new URL('http://127.0.0.1:1/authorize?response_type=code');
  const state = await signIn.state?.();
  if (state) url.searchParams.set('state', state);
  await signIn.redirectToAuthorization(url);
}

describe('OAuth state', () => {
  it('sends a fresh state each sign-in and accepts the answer that carries it back', async () => {
    const seen: string[] = [];
    const signIn = provider((asked) => {
      seen.push(asked.searchParams.get('state') ?? '');
      return `${REDIRECT}?code=abc&state=${asked.searchParams.get('state')}`;
    });
    await startSignIn(signIn);
    expect(signIn.pendingCode).toBe('abc');
    await startSignIn(signIn);
    expect(seen[0]).toMatch(/^[0-9a-f]{32}$/);
    expect(seen[1]).not.toBe(seen[0]);
  });

  it('refuses an answer whose state is missing or different', async () => {
    await expect(startSignIn(provider(() => `${REDIRECT}?code=abc&state=someone-else`))).rejects.toThrow(/state/);
    await expect(startSignIn(provider(() => `${REDIRECT}?code=abc`))).rejects.toThrow(/state/);
  });
});
