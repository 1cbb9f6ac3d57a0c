/** OAuth state per connector in the profile's key-value table (never in a view, a backup for a phone, or a prompt). */
import { OAuthClientInformationFullSchema, OAuthTokensSchema } from '@modelcontextprotocol/sdk/shared/auth.js';
import { z } from 'zod';
import type { TandemDatabase } from '../storage/db';
import type { OAuthState, OAuthStore } from './oauth-provider';

const Stored = z.object({
  client: OAuthClientInformationFullSchema.optional(),
  tokens: OAuthTokensSchema.optional(),
  codeVerifier: z.string().optional(),
  authState: z.string().optional(),
});

export class DexieOAuthStore implements OAuthStore {
  constructor(private readonly db: TandemDatabase) {}

  async load(connectorId: string): Promise<OAuthState> {
    const row = await this.db.kv.get(`connectors:oauth:${connectorId}`);
    // Unreadable state means "not signed in": the user signs in again, nothing half-trusted is used.
    return (Stored.safeParse(row?.value ?? {}).data ?? {}) as OAuthState;
  }

  async save(connectorId: string, state: OAuthState): Promise<void> {
    await this.db.kv.put({ key: `connectors:oauth:${connectorId}`, value: state });
  }
}
