/**
 * Passwords (issue 10, item 10): refused by default; typed only after the user
 * approves it for that site and task; or typed by the user into the Tandem
 * prompt, in which case the model never sees it: not in any tool result, not
 * in the event log, not in any request to the model. Checked on the site's own
 * answer (signed in or not).
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { Turn } from '../fixtures/model-server';
import { SIGN_IN_PASSWORD } from '../fixtures/sites/task-pages';
import { forTheTask, runAnswering, scriptState } from './support/agent-tasks';
import { newThreadFromUi, sendFromComposer } from './support/panel';
import {
  answerPrompt,
  events,
  refFor,
  resultText,
  setSiteRule,
  startWebSession,
  toolResults,
  type WebSession,
  waitForKind,
} from './support/web-session';

let s: WebSession;

beforeAll(async () => {
  s = await startWebSession('agent-passwords');
  await setSiteRule(s.panel, s.sites.allowed.url, 'allow');
});
afterAll(() => s?.close());
beforeEach(() => {
  s.server.reset();
  s.sites.reset();
});

/** Opens the sign-in page, fills the user name, does `password`, signs in and reads the result. */
function signIn(password: (step: ReturnType<typeof scriptState>['step']) => Turn[]): Turn[] {
  const { step } = scriptState();
  return [
    { kind: 'tool_use', name: 'tab_open', input: { url: `${s.sites.allowed.url}/signin` } },
    step('read_page', (st) => ({ tab: st.tab })),
    step('type', (st) => ({ tab: st.tab, ref: refFor(st.page, 'textbox', 'User name'), text: 'ada' })),
    ...password(step),
    step('click', (st) => ({ tab: st.tab, ref: refFor(st.page, 'button', 'Sign in') })),
    step('read_page', (st) => ({ tab: st.tab })),
    { kind: 'text', text: 'Done.' },
  ];
}

const passwordField = (st: { tab: number; page: string }) => ({
  tab: st.tab,
  ref: refFor(st.page, 'password', 'Password'),
});

describe('passwords', () => {
  it('refuses to type a password with type, without asking, and the site gets none', async () => {
    s.server.script(signIn((step) => [step('type', (st) => ({ ...passwordField(st), text: SIGN_IN_PASSWORD }))]));
    const { prompts, all } = await runAnswering(s.panel, 'Sign me in', forTheTask);
    expect(prompts.map((p) => p.title)).toEqual([`Allow submitting a form on ${s.sites.allowed.url}?`]);
    const results = toolResults(all);
    expect(results[3]?.isError).toBe(true);
    expect(resultText(results[3] as (typeof results)[number])).toContain('type_password');
    expect(resultText(results.at(-1) as (typeof results)[number])).toContain('Not signed in');
  });

  it('types a password it was given after the user allows it for the site, once per task', async () => {
    s.server.script(
      signIn((step) => [
        step('type_password', (st) => ({ ...passwordField(st), text: 'wrong' })),
        step('type_password', (st) => ({ ...passwordField(st), text: SIGN_IN_PASSWORD })),
      ]),
    );
    const { prompts, all } = await runAnswering(s.panel, 'Sign me in', forTheTask);
    expect(prompts.map((p) => p.title)).toEqual([
      `Let Tandem type your password on ${s.sites.allowed.url} this time?`,
      `Allow submitting a form on ${s.sites.allowed.url}?`,
    ]);
    expect(prompts[0]?.options.map((o) => o.id)).toEqual(['allow_task', 'deny']);
    expect(toolResults(all).filter((r) => r.isError)).toEqual([]);
    const results = toolResults(all);
    expect(resultText(results.at(-1) as (typeof results)[number])).toContain('Welcome, ada');
  });

  it('types nothing when the user denies', async () => {
    s.server.script(
      signIn((step) => [step('type_password', (st) => ({ ...passwordField(st), text: SIGN_IN_PASSWORD }))]),
    );
    const { all } = await runAnswering(s.panel, 'Sign me in', (d) =>
      d.title.startsWith('Let Tandem type your password') ? 'deny' : forTheTask(d),
    );
    const results = toolResults(all);
    expect(results[3]?.isError).toBe(true);
    expect(resultText(results.at(-1) as (typeof results)[number])).toContain('Not signed in');
  });

  it('types the password the user enters into the prompt, and the model never sees it', async () => {
    s.server.script(signIn((step) => [step('type_password', (st) => passwordField(st))]));
    const { prompts, all } = await runAnswering(s.panel, 'Sign me in; I will type the password', (d) =>
      d.options.some((o) => o.id === 'type_secret')
        ? { optionId: 'type_secret', secret: SIGN_IN_PASSWORD }
        : forTheTask(d),
    );
    expect(prompts.map((p) => p.title)).toEqual([
      `Type your password for ${s.sites.allowed.url}`,
      `Allow submitting a form on ${s.sites.allowed.url}?`,
    ]);
    const results = toolResults(all);
    expect(results.filter((r) => r.isError).map(resultText)).toEqual([]);
    // The site signed the user in: the password reached the page field.
    expect(resultText(results.at(-1) as (typeof results)[number])).toContain('Welcome, ada');
    // Nowhere the model reads: the event log (everything the panel got) and every request to the model.
    expect(JSON.stringify(all)).not.toContain(SIGN_IN_PASSWORD);
    expect(s.server.requests.length).toBeGreaterThan(0);
    expect(JSON.stringify(s.server.requests)).not.toContain(SIGN_IN_PASSWORD);
  });

  it('refuses an answer to the password prompt that carries no password', async () => {
    s.server.script(signIn((step) => [step('type_password', (st) => passwordField(st))]));
    const { all } = await runAnswering(s.panel, 'Sign me in', (d) =>
      d.options.some((o) => o.id === 'type_secret') ? 'type_secret' : forTheTask(d),
    );
    const results = toolResults(all);
    expect(results[3]?.isError).toBe(true);
    expect(resultText(results.at(-1) as (typeof results)[number])).toContain('Not signed in');
  });

  it('takes the password in the panel’s own prompt card, as a person types it', async () => {
    s.server.script(signIn((step) => [step('type_password', (st) => passwordField(st))]));
    const threadId = await newThreadFromUi(s.panel);
    await sendFromComposer(s.panel, 'Sign me in');
    await waitForKind(s.panel, threadId, 'decision_requested', 1);
    const field = s.panel.getByTestId('decision-secret');
    await field.fill(SIGN_IN_PASSWORD);
    await s.panel.locator('[data-testid="decision-option"][data-option-id="type_secret"]').click();
    await answerPrompt(s.panel, threadId, 2, 'allow_once');
    await waitForKind(s.panel, threadId, 'task_finished', 1, 60_000);
    const all = await events(s.panel, threadId);
    const results = toolResults(all);
    expect(resultText(results.at(-1) as (typeof results)[number])).toContain('Welcome, ada');
    expect(JSON.stringify(all)).not.toContain(SIGN_IN_PASSWORD);
    expect(JSON.stringify(s.server.requests)).not.toContain(SIGN_IN_PASSWORD);
  });
});
