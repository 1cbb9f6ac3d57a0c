/**
 * zod/mini loads no locale, so without loadEnglishErrorMessages() a phone or panel user would read
 * "Invalid input" where classic zod said what was wrong. This file imports no classic zod, so the
 * first case shows what an entrypoint that forgot the call would say.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import { z } from 'zod/mini';
import { loadEnglishErrorMessages } from '../../shared/protocol/error-messages';
import { ScheduleFields } from '../../shared/protocol/schedules';

const root = resolve(__dirname, '../..');
const ENTRYPOINTS = [
  'extension/entrypoints/background.ts',
  'extension/entrypoints/offscreen/main.ts',
  'extension/entrypoints/sidepanel/main.ts',
  'phone-web/src/main.ts',
  'native-host/src/main.ts',
  'native-host/src/audit/audit-main.ts',
];

const tooLongTitle = () =>
  ScheduleFields.safeParse({
    title: 'x'.repeat(201),
    prompt: 'check the site',
    recurrence: { kind: 'daily', time: '08:00' },
    timeZone: 'UTC',
  }).error?.issues[0]?.message;

describe('validation error messages', () => {
  it('are English words once loaded, not a bare "Invalid input"', () => {
    expect(tooLongTitle()).toBe('Invalid input');
    loadEnglishErrorMessages();
    expect(tooLongTitle()).toBe('Too big: expected string to have <=200 characters');
    expect(z.int().safeParse(1.5).error?.issues[0]?.message).toBe('Invalid input: expected int, received number');
  });

  it('are loaded by every entrypoint that parses shared schemas', () => {
    const missing = ENTRYPOINTS.filter(
      (file) => !/\bloadEnglishErrorMessages\(\)/.test(readFileSync(resolve(root, file), 'utf8')),
    );
    expect(missing).toEqual([]);
  });
});
