import { describe, expect, it } from 'vitest';
import { emptyForm, fieldsFromForm, formFromSchedule, withRule } from '../../shared/ui/schedule-form';

describe('schedule editor fields', () => {
  it('turns the inputs into a validated schedule', () => {
    const result = fieldsFromForm(
      { ...emptyForm('Check the sites'), kind: 'weekly', days: [1, 3], time: '07:30' },
      'UTC',
    );
    expect(result).toEqual({
      ok: true,
      fields: expect.objectContaining({
        title: 'Check the sites',
        recurrence: { kind: 'weekly', days: [1, 3], time: '07:30' },
        missedPolicy: 'run_once',
        maxFailures: 3,
      }),
    });
  });

  it('says what is wrong in words instead of sending a bad schedule', () => {
    expect(fieldsFromForm({ ...emptyForm('x'), kind: 'daily', time: '25:00' }, 'UTC')).toMatchObject({
      ok: false,
      error: expect.stringMatching(/time.*24-hour/),
    });
    expect(fieldsFromForm({ ...emptyForm(''), kind: 'daily' }, 'UTC').ok).toBe(false);
    expect(fieldsFromForm({ ...emptyForm('x'), kind: 'weekly', days: [] }, 'UTC').ok).toBe(false);
    expect(fieldsFromForm({ ...emptyForm('x'), capUsd: '-1' }, 'UTC').ok).toBe(false);
  });

  it('reads a schedule back into the editor', () => {
    const form = formFromSchedule({
      id: 's',
      threadId: 't',
      threadTitle: 'T',
      title: 'Monthly',
      prompt: 'Pay',
      recurrence: { kind: 'monthly', day: 31, time: '09:00' },
      timeZone: 'UTC',
      missedPolicy: 'skip',
      capUsd: 0.5,
      maxFailures: 3,
      description: '',
      status: 'active',
      createdBy: 'user',
      createdAt: 0,
      running: false,
      runCount: 0,
      consecutiveFailures: 0,
      costUsd: 0,
    });
    expect(form).toMatchObject({ kind: 'monthly', day: '31', time: '09:00', missedPolicy: 'skip', capUsd: '0.5' });
  });

  it("starts a shortcut's schedule from its default rule", () => {
    const form = withRule(emptyForm('Summarise the news.'), { kind: 'daily', time: '07:15' });
    expect(fieldsFromForm(form, 'Europe/Paris')).toMatchObject({
      ok: true,
      fields: { recurrence: { kind: 'daily', time: '07:15' }, timeZone: 'Europe/Paris' },
    });
  });
});
