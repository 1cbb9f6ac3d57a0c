import { describe, expect, it } from 'vitest';
import { formFromSettings, patchFromForm } from '../../extension/entrypoints/sidepanel/settings-form';
import type { PublicSettings } from '../../shared/protocol/messages';

const current: PublicSettings = {
  apiKeySet: true,
  apiKeyHint: 'sk-ant-…abcd',
  model: 'claude-sonnet-4-5',
  baseUrl: 'https://api.anthropic.com',
  maxTokens: 4096,
  spendingCapEnabled: true,
  spendingCapUsd: 1,
  notifyOnFinish: true,
  contextBudgetShare: 0.5,
  maxRecentImages: 6,
  streamIdleTimeoutMs: 90_000,
  unreachableGiveUpMs: 300_000,
};

describe('settings form', () => {
  it('starts from the saved settings with an empty key field (the key is never sent to clients)', () => {
    const form = formFromSettings(current);
    expect(form.apiKey).toBe('');
    expect(form.maxTokens).toBe('4096');
    expect(patchFromForm(form, current)).toEqual({ ok: true, patch: {} });
  });

  it('sends only what changed, with numbers as numbers', () => {
    const form = { ...formFromSettings(current), maxTokens: ' 8192 ', spendingCapUsd: '2.5', notifyOnFinish: false };
    expect(patchFromForm(form, current)).toEqual({
      ok: true,
      patch: { maxTokens: 8192, spendingCapUsd: 2.5, notifyOnFinish: false },
    });
  });

  it('keeps the saved key when the field is left empty, and replaces it when one is typed', () => {
    expect(patchFromForm({ ...formFromSettings(current), apiKey: '   ' }, current)).toEqual({ ok: true, patch: {} });
    expect(patchFromForm({ ...formFromSettings(current), apiKey: ' sk-ant-new ' }, current)).toEqual({
      ok: true,
      patch: { apiKey: 'sk-ant-new' },
    });
  });

  it('refuses invalid values with a message per field', () => {
    const form = {
      ...formFromSettings(current),
      maxTokens: '0',
      baseUrl: 'not a url',
      spendingCapUsd: '-3',
      model: ' ',
    };
    const result = patchFromForm(form, current);
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(Object.keys(result.errors).sort()).toEqual(['baseUrl', 'maxTokens', 'model', 'spendingCapUsd']);
    expect(result.errors.maxTokens).toMatch(/1 to 128,000/);
  });

  it('refuses a blank or fractional max tokens', () => {
    for (const maxTokens of ['', '12.5', 'abc', '200000']) {
      const result = patchFromForm({ ...formFromSettings(current), maxTokens }, current);
      expect(result.ok, maxTokens).toBe(false);
    }
  });

  it('does not block saving over the amount of a cap that is turned off', () => {
    const form = { ...formFromSettings(current), spendingCapEnabled: false, spendingCapUsd: '' };
    expect(patchFromForm(form, current)).toEqual({ ok: true, patch: { spendingCapEnabled: false } });
  });

  it("shows the conversation-memory settings in percent, seconds and minutes, and saves them in the runtime's units", () => {
    const form = formFromSettings(current);
    expect(form).toMatchObject({
      contextBudgetPercent: '50',
      maxRecentImages: '6',
      streamIdleTimeoutSeconds: '90',
      unreachableGiveUpMinutes: '5',
    });
    const result = patchFromForm(
      { ...form, contextBudgetPercent: '35', streamIdleTimeoutSeconds: '30', unreachableGiveUpMinutes: '0.5' },
      current,
    );
    expect(result).toEqual({
      ok: true,
      patch: { contextBudgetShare: 0.35, streamIdleTimeoutMs: 30_000, unreachableGiveUpMs: 30_000 },
    });
  });

  it('refuses a context budget above 80% of the window, naming the field', () => {
    const result = patchFromForm(
      { ...formFromSettings(current), contextBudgetPercent: '95', maxRecentImages: '2.5' },
      current,
    );
    expect(result.ok).toBe(false);
    if (result.ok) return;
    expect(Object.keys(result.errors).sort()).toEqual(['contextBudgetPercent', 'maxRecentImages']);
    expect(result.errors.contextBudgetPercent).toMatch(/5% to 80%/);
  });

  it('refuses a pasted non-key ("hello") with a clear message instead of saving it', () => {
    const result = patchFromForm({ ...formFromSettings(current), apiKey: 'hello' }, current);
    expect(result.ok).toBe(false);
    if (!result.ok) expect(result.errors.apiKey).toMatch(/does not look like an API key/);
    expect(patchFromForm({ ...formFromSettings(current), apiKey: 'my key here please' }, current).ok).toBe(false);
    expect(patchFromForm({ ...formFromSettings(current), apiKey: 'sk-ant-api03-abcDEF_123-xyz' }, current)).toEqual({
      ok: true,
      patch: { apiKey: 'sk-ant-api03-abcDEF_123-xyz' },
    });
  });
});
