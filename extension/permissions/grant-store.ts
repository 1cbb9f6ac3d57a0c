/** Grants per policy, one validated JSON document each in the key-value table. */
import { z } from 'zod';
import type { TandemDatabase } from '../storage/db';
import { Grant, type GrantStore } from './grant-policy';

const Grants = z.array(Grant);

export class DexieGrantStore implements GrantStore {
  constructor(private readonly db: TandemDatabase) {}

  async load(policy: string): Promise<Grant[]> {
    const row = await this.db.kv.get(`grants:${policy}`);
    const parsed = Grants.safeParse(row?.value ?? []);
    // A corrupted grant list fails closed: no grants, so the user is asked again.
    return parsed.success ? parsed.data : [];
  }

  async save(policy: string, grants: Grant[]): Promise<void> {
    await this.db.kv.put({ key: `grants:${policy}`, value: Grants.parse(grants) });
  }
}
