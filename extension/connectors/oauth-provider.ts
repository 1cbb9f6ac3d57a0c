/**
 * OAuth for remote connectors, per the MCP authorization spec, through the SDK:
 * it discovers the protected-resource and authorization-server metadata,
 * registers the client dynamically, runs PKCE and refreshes tokens; this file
 * keeps what it must remember (client registration, tokens, the PKCE verifier)
 * in a store of the extension's own (the profile), and opens the consent page
 * through `authorize`: `identity.launchWebAuthFlow` in the browser, a plain
 * redirect-following fetch in the Node conformance entry. Tokens never leave
 * this store except in the Authorization header to the server: no view, phone
 * or model sees them.
 */
import type { OAuthClientProvider } from '@modelcontextprotocol/sdk/client/auth.js';
import type {
  OAuthClientInformationMixed,
  OAuthClientMetadata,
  OAuthTokens,
} from '@modelcontextprotocol/sdk/shared/auth.js';

export interface OAuthState {
  client?: OAuthClientInformationMixed;
  tokens?: OAuthTokens;
  codeVerifier?: string;
  /** The `state` sent with the sign-in under way; its answer must carry it back. */
  authState?: string;
}

export interface OAuthStore {
  load(connectorId: string): Promise<OAuthState>;
  save(connectorId: string, state: OAuthState): Promise<void>;
}

/** Opens the consent page and resolves with the URL the authorization server redirected to. */
export type Authorize = (authorizationUrl: URL, redirectUrl: string) => Promise<string>;

/** The saved sign-in no longer works (revoked, expired beyond refresh) and only the user can sign in again. */
export class SignInRequiredError extends Error {
  override name = 'SignInRequiredError';
}

export class MemoryOAuthStore implements OAuthStore {
  private readonly states = new Map<string, OAuthState>();
  async load(connectorId: string): Promise<OAuthState> {
    return { ...(this.states.get(connectorId) ?? {}) };
  }
  async save(connectorId: string, state: OAuthState): Promise<void> {
    this.states.set(connectorId, { ...state });
  }
}

export class ConnectorOAuthProvider implements OAuthClientProvider {
  /** The code of a finished consent, for the session to hand to `transport.finishAuth`. */
  pendingCode: string | undefined;
  /**
   * Whether a consent window may open now. Only while the user acts in Settings (Sign in, Test
   * connection): a tool call may come from a phone, a schedule or an unattended task, where a
   * window would pop up on an empty desk or wait for ever, so it gets a "sign in again" error.
   */
  interactive = false;
  /** Told when a sign-in was needed but could not be asked for (Settings shows it). */
  onSignInRequired: ((message: string) => void) | undefined;

  constructor(
    private readonly connectorId: string,
    private readonly store: OAuthStore,
    private readonly authorize: Authorize,
    readonly redirectUrl: string,
    /** A client the user registered with the server beforehand (when it offers no dynamic registration). */
    private readonly preRegistered?: OAuthClientInformationMixed,
    private readonly clientName = 'Tandem',
  ) {}

  get clientMetadata(): OAuthClientMetadata {
    return {
      client_name: this.clientName,
      redirect_uris: [this.redirectUrl],
      grant_types: ['authorization_code', 'refresh_token'],
      response_types: ['code'],
      // A browser extension cannot keep a secret: a public client, with PKCE.
      token_endpoint_auth_method: 'none',
    };
  }

  async clientInformation(): Promise<OAuthClientInformationMixed | undefined> {
    return this.preRegistered ?? (await this.store.load(this.connectorId)).client;
  }

  async saveClientInformation(client: OAuthClientInformationMixed): Promise<void> {
    await this.update({ client });
  }

  async tokens(): Promise<OAuthTokens | undefined> {
    return (await this.store.load(this.connectorId)).tokens;
  }

  async saveTokens(tokens: OAuthTokens): Promise<void> {
    await this.update({ tokens });
  }

  async saveCodeVerifier(codeVerifier: string): Promise<void> {
    await this.update({ codeVerifier });
  }

  async codeVerifier(): Promise<string> {
    const verifier = (await this.store.load(this.connectorId)).codeVerifier;
    if (!verifier) throw new Error('No PKCE verifier saved for this sign-in.');
    return verifier;
  }

  /** A fresh `state` per sign-in (the SDK puts it in the authorization URL). */
  async state(): Promise<string> {
    const bytes = crypto.getRandomValues(new Uint8Array(16));
    const authState = [...bytes].map((b) => b.toString(16).padStart(2, '0')).join('');
    await this.update({ authState });
    return authState;
  }

  async redirectToAuthorization(authorizationUrl: URL): Promise<void> {
    if (!this.interactive) {
      const message = `The connector "${this.connectorId}" needs you to sign in again: its server no longer accepts the saved sign-in. Press Sign in in Settings → Connectors, then try again.`;
      this.onSignInRequired?.(message);
      throw new SignInRequiredError(message);
    }
    const landed = new URL(await this.authorize(authorizationUrl, this.redirectUrl));
    // An answer to a sign-in we did not start (login CSRF, a mixed-up server) is never exchanged.
    const sent = (await this.store.load(this.connectorId)).authState;
    await this.update({ authState: undefined });
    if (!sent || landed.searchParams.get('state') !== sent)
      throw new Error('The sign-in answer does not match the sign-in Tandem started (state); sign in again.');
    const error = landed.searchParams.get('error');
    if (error) throw new Error(`Sign-in refused: ${landed.searchParams.get('error_description') ?? error}`);
    const code = landed.searchParams.get('code');
    if (!code) throw new Error('The sign-in page returned no authorization code.');
    this.pendingCode = code;
  }

  /**
   * "Sign out": forget the tokens (and the registration, so the next sign-in starts clean); with
   * `revoke`, first tell the server (see oauth-revoke.ts).
   */
  async signOut(revoke?: (state: OAuthState) => Promise<void>): Promise<void> {
    const state = await this.store.load(this.connectorId);
    await this.store.save(this.connectorId, {});
    await revoke?.(state);
  }

  async invalidateCredentials(scope: 'all' | 'client' | 'tokens' | 'verifier' | 'discovery'): Promise<void> {
    const state = await this.store.load(this.connectorId);
    if (scope === 'all') return this.store.save(this.connectorId, {});
    if (scope === 'client') delete state.client;
    if (scope === 'tokens') delete state.tokens;
    if (scope === 'verifier') delete state.codeVerifier;
    await this.store.save(this.connectorId, state);
  }

  private async update(change: OAuthState): Promise<void> {
    await this.store.save(this.connectorId, { ...(await this.store.load(this.connectorId)), ...change });
  }
}
