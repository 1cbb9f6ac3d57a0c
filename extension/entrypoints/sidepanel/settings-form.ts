/**
 * The settings form's values ↔ a `settings.update` patch. Pure, so the rules (what
 * counts as a change, what is valid, that an empty key field means "keep the key")
 * are tested without a browser.
 */
import { SettingsPatch } from '../../../shared/protocol/commands';
import type { PublicSettings } from '../../../shared/protocol/messages';

/** What the inputs hold: text fields as typed. */
export interface SettingsFormValues {
  /** Empty means "keep the current key": the key itself is never sent back to clients. */
  apiKey: string;
  model: string;
  baseUrl: string;
  maxTokens: string;
  spendingCapEnabled: boolean;
  spendingCapUsd: string;
  notifyOnFinish: boolean;
  /** Shown and typed in the units a person thinks in: percent, seconds, minutes. */
  contextBudgetPercent: string;
  maxRecentImages: string;
  streamIdleTimeoutSeconds: string;
  unreachableGiveUpMinutes: string;
}

export type SettingsField = keyof SettingsFormValues;
export type SettingsErrors = Partial<Record<SettingsField, string>>;

export function formFromSettings(settings: PublicSettings): SettingsFormValues {
  return {
    apiKey: '',
    model: settings.model,
    baseUrl: settings.baseUrl,
    maxTokens: String(settings.maxTokens),
    spendingCapEnabled: settings.spendingCapEnabled,
    spendingCapUsd: String(settings.spendingCapUsd),
    notifyOnFinish: settings.notifyOnFinish,
    contextBudgetPercent: String(Math.round(settings.contextBudgetShare * 100)),
    maxRecentImages: String(settings.maxRecentImages),
    streamIdleTimeoutSeconds: String(settings.streamIdleTimeoutMs / 1000),
    unreachableGiveUpMinutes: String(settings.unreachableGiveUpMs / 60_000),
  };
}

const MESSAGES: Record<SettingsField, string> = {
  apiKey:
    'That does not look like an API key. Paste the whole key from console.anthropic.com (it starts with sk-ant- and has no spaces).',
  model: 'Enter a model name, e.g. claude-sonnet-4-5.',
  baseUrl: 'Enter a full URL, e.g. https://api.anthropic.com.',
  maxTokens: 'Max tokens must be a whole number from 1 to 128,000.',
  spendingCapEnabled: 'Invalid value.',
  spendingCapUsd: 'The cap must be more than $0 and at most $10,000.',
  notifyOnFinish: 'Invalid value.',
  contextBudgetPercent: 'The context budget must be from 5% to 80% of the window.',
  maxRecentImages: 'Images kept must be a whole number from 0 to 20.',
  streamIdleTimeoutSeconds: 'The stall timeout must be from 0.1 to 600 seconds.',
  unreachableGiveUpMinutes: 'Give up after 0 to 1,440 minutes (0 asks at the first failure).',
};

/** Form field → the setting it edits, and how the typed number becomes the setting's unit. */
const SCALED: ReadonlyArray<{
  field: SettingsField;
  setting: 'contextBudgetShare' | 'maxRecentImages' | 'streamIdleTimeoutMs' | 'unreachableGiveUpMs';
  toSetting: (typed: number) => number;
}> = [
  { field: 'contextBudgetPercent', setting: 'contextBudgetShare', toSetting: (n) => n / 100 },
  { field: 'maxRecentImages', setting: 'maxRecentImages', toSetting: (n) => n },
  { field: 'streamIdleTimeoutSeconds', setting: 'streamIdleTimeoutMs', toSetting: (n) => Math.round(n * 1000) },
  { field: 'unreachableGiveUpMinutes', setting: 'unreachableGiveUpMs', toSetting: (n) => Math.round(n * 60_000) },
];
const FIELD_OF_SETTING = new Map<string, SettingsField>(SCALED.map((s) => [s.setting, s.field]));

function parseNumber(text: string): number {
  const trimmed = text.trim();
  return trimmed === '' ? Number.NaN : Number(trimmed);
}

/**
 * Keys are one unbroken token of letters, digits, "-" and "_" (Anthropic's are about 100 long, a
 * proxy's may be shorter): a word or a sentence pasted by mistake must not be saved as the key.
 */
const KEY_SHAPE = /^[A-Za-z0-9_-]{10,512}$/;

export type PatchResult = { ok: true; patch: SettingsPatch } | { ok: false; errors: SettingsErrors };

/** The fields that differ from `current`, validated with the protocol's own schema. */
export function patchFromForm(form: SettingsFormValues, current: PublicSettings): PatchResult {
  const candidate: Record<string, unknown> = {};
  const apiKey = form.apiKey.trim();
  if (apiKey) candidate.apiKey = apiKey;
  if (form.model.trim() !== current.model) candidate.model = form.model.trim();
  if (form.baseUrl.trim() !== current.baseUrl) candidate.baseUrl = form.baseUrl.trim();
  const maxTokens = parseNumber(form.maxTokens);
  if (maxTokens !== current.maxTokens) candidate.maxTokens = maxTokens;
  if (form.spendingCapEnabled !== current.spendingCapEnabled) candidate.spendingCapEnabled = form.spendingCapEnabled;
  const cap = parseNumber(form.spendingCapUsd);
  // A disabled cap's amount is not in use: do not block saving over it.
  const capValid = SettingsPatch.shape.spendingCapUsd.safeParse(cap).success;
  if (cap !== current.spendingCapUsd && (form.spendingCapEnabled || capValid)) candidate.spendingCapUsd = cap;
  if (form.notifyOnFinish !== current.notifyOnFinish) candidate.notifyOnFinish = form.notifyOnFinish;
  for (const { field, setting, toSetting } of SCALED) {
    const value = toSetting(parseNumber(String(form[field])));
    if (value !== current[setting]) candidate[setting] = value;
  }

  const parsed = SettingsPatch.safeParse(candidate);
  const keyShapeOk = !apiKey || KEY_SHAPE.test(apiKey);
  if (parsed.success && keyShapeOk) return { ok: true, patch: parsed.data };
  const errors: SettingsErrors = keyShapeOk ? {} : { apiKey: MESSAGES.apiKey };
  if (parsed.success) return { ok: false, errors };
  for (const issue of parsed.error.issues) {
    const path = issue.path[0];
    const field = typeof path === 'string' ? (FIELD_OF_SETTING.get(path) ?? path) : undefined;
    if (field !== undefined && field in MESSAGES) errors[field as SettingsField] = MESSAGES[field as SettingsField];
  }
  return { ok: false, errors };
}
