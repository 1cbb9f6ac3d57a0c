/** "Check key" in settings: one free request (list models) that proves the key and base URL work. */
import Anthropic from '@anthropic-ai/sdk';
import type { Settings } from '../storage/settings-store';
import { classifyError } from './model-client';

export async function checkApiKey(settings: Settings): Promise<{ ok: boolean; message: string }> {
  if (!settings.apiKey) return { ok: false, message: 'No API key is set.' };
  const client = new Anthropic({
    apiKey: settings.apiKey,
    baseURL: settings.baseUrl,
    maxRetries: 0,
    timeout: 15_000,
    dangerouslyAllowBrowser: true,
  });
  try {
    await client.models.list({ limit: 1 });
    return { ok: true, message: `The key works (${new URL(settings.baseUrl).host}).` };
  } catch (error) {
    return { ok: false, message: classifyError(error).message };
  }
}
