/**
 * `<tandem-schedules>`: a thread's schedules (with `threadId`) or every schedule across threads
 * (without), as both clients show them: rule in words, next run, last result, cost so far, and
 * pause / resume / edit / run now / delete. It asks the runtime for the list, follows the
 * `schedules` messages every change sends, and turns buttons into commands itself, as
 * `<tandem-conversation>` does.
 */
import { css, html, LitElement, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import type { ConversationClient } from '../client/conversation-client';
import { formatUsd } from '../pricing';
import type { RecurrenceInput, ScheduleView } from '../protocol/schedules';
import { controlStyles } from './control-styles';
import {
  emptyForm,
  fieldsFromForm,
  formFromSchedule,
  type RuleKind,
  type ScheduleForm,
  withRule,
} from './schedule-form';
import { tokens } from './tokens';

const DAY_LETTERS = ['Su', 'Mo', 'Tu', 'We', 'Th', 'Fr', 'Sa'];
const KIND_LABELS: Record<RuleKind, string> = {
  after: 'Once, after a delay',
  interval: 'Every N minutes or hours',
  daily: 'Every day at',
  weekly: 'On chosen weekdays at',
  monthly: 'Monthly on a day at',
};

function when(ms: number | undefined): string {
  if (ms === undefined) return '—';
  return new Date(ms).toLocaleString(undefined, { dateStyle: 'medium', timeStyle: 'short' });
}

@customElement('tandem-schedules')
export class TandemSchedules extends LitElement {
  static override styles = [
    tokens,
    controlStyles,
    css`
      :host {
        display: block;
        font-family: var(--tandem-font);
        font-size: var(--tandem-font-size-small);
        color: var(--tandem-text);
      }
      ul {
        list-style: none;
        margin: 0;
        padding: 0;
        display: flex;
        flex-direction: column;
        gap: var(--tandem-space-2);
      }
      li {
        border: 1px solid var(--tandem-border);
        border-radius: var(--tandem-radius);
        padding: var(--tandem-space-2);
      }
      .head {
        display: flex;
        gap: var(--tandem-space-2);
        align-items: baseline;
      }
      .head strong {
        flex: 1;
      }
      .muted {
        color: var(--tandem-text-muted);
      }
      .actions,
      .row {
        display: flex;
        flex-wrap: wrap;
        gap: var(--tandem-space-1);
        margin-top: var(--tandem-space-1);
      }
      form {
        display: flex;
        flex-direction: column;
        gap: var(--tandem-space-1);
      }
      textarea {
        min-height: 60px;
      }
      .error {
        color: var(--tandem-danger, var(--tandem-warning));
      }
    `,
  ];

  @property({ attribute: false }) client: ConversationClient | undefined;
  /** Only this thread's schedules (and a "New schedule" button); all threads' when absent. */
  @property() threadId: string | undefined;
  /** The user's time zone: wall-clock rules are read in it. */
  @property() timeZone = Intl.DateTimeFormat().resolvedOptions().timeZone || 'UTC';

  @state() private schedules: ScheduleView[] = [];
  /** The schedule being edited, or 'new'. */
  @state() private editing: string | undefined;
  @state() private form: ScheduleForm = emptyForm();
  @state() private error = '';
  @state() private confirmDelete: string | undefined;
  private unlisten: (() => void) | undefined;

  override connectedCallback(): void {
    super.connectedCallback();
    this.unlisten = this.client?.onMessage((message) => {
      if (message.type === 'schedules') this.schedules = message.schedules;
    });
    void this.client?.send({ type: 'schedule.list' }).catch(() => {});
  }

  override disconnectedCallback(): void {
    super.disconnectedCallback();
    this.unlisten?.();
    this.unlisten = undefined;
  }

  /** Opens the editor for a new schedule, prefilled (e.g. from a shortcut or a message). */
  startNew(prompt = '', rule?: RecurrenceInput): void {
    this.form = rule ? withRule(emptyForm(prompt), rule) : emptyForm(prompt);
    this.editing = 'new';
    this.error = '';
  }

  private get shown(): ScheduleView[] {
    return this.threadId ? this.schedules.filter((s) => s.threadId === this.threadId) : this.schedules;
  }

  private command(input: Parameters<ConversationClient['send']>[0]): void {
    this.error = '';
    this.client?.send(input).catch((error: unknown) => {
      this.error = error instanceof Error ? error.message : String(error);
    });
  }

  private save(event: Event): void {
    event.preventDefault();
    const result = fieldsFromForm(this.form, this.timeZone);
    if (!result.ok) {
      this.error = result.error;
      return;
    }
    const editing = this.editing;
    if (editing === 'new') {
      if (!this.threadId) return;
      this.command({ type: 'schedule.create', threadId: this.threadId, schedule: result.fields });
    } else if (editing) {
      this.command({ type: 'schedule.update', scheduleId: editing, patch: result.fields });
    }
    this.editing = undefined;
  }

  private set<K extends keyof ScheduleForm>(key: K, value: ScheduleForm[K]): void {
    this.form = { ...this.form, [key]: value };
  }

  private renderForm() {
    const f = this.form;
    const input = (
      key: 'title' | 'minutes' | 'every' | 'time' | 'day' | 'capUsd' | 'maxSteps',
      label: string,
      type = 'text',
    ) =>
      html`<label
        >${label}
        <input
          type=${type}
          data-testid=${`schedule-${key}`}
          .value=${f[key]}
          @input=${(e: Event) => this.set(key, (e.target as HTMLInputElement).value)}
      /></label>`;
    return html`<form data-testid="schedule-form" @submit=${this.save}>
      ${input('title', 'Name')}
      <label
        >Prompt
        <textarea
          data-testid="schedule-prompt"
          .value=${f.prompt}
          @input=${(e: Event) => this.set('prompt', (e.target as HTMLTextAreaElement).value)}
        ></textarea>
      </label>
      <label
        >When
        <select
          data-testid="schedule-kind"
          @change=${(e: Event) => this.set('kind', (e.target as HTMLSelectElement).value as RuleKind)}
        >
          ${(Object.keys(KIND_LABELS) as RuleKind[]).map(
            (kind) => html`<option value=${kind} ?selected=${kind === f.kind}>${KIND_LABELS[kind]}</option>`,
          )}
        </select>
      </label>
      ${f.kind === 'after' ? input('minutes', 'In minutes', 'number') : nothing}
      ${
        f.kind === 'interval'
          ? html`<div class="row">
            ${input('every', 'Every', 'number')}
            <select
              aria-label="Unit"
              data-testid="schedule-unit"
              @change=${(e: Event) => this.set('unit', (e.target as HTMLSelectElement).value as 'minutes' | 'hours')}
            >
              <option value="minutes" ?selected=${f.unit === 'minutes'}>minutes</option>
              <option value="hours" ?selected=${f.unit === 'hours'}>hours</option>
            </select>
          </div>`
          : nothing
      }
      ${
        f.kind === 'weekly'
          ? html`<div class="row" role="group" aria-label="Weekdays">
            ${DAY_LETTERS.map(
              (letter, day) => html`<label
                ><input
                  type="checkbox"
                  .checked=${f.days.includes(day)}
                  @change=${(e: Event) =>
                    this.set(
                      'days',
                      (e.target as HTMLInputElement).checked ? [...f.days, day] : f.days.filter((d) => d !== day),
                    )}
                />${letter}</label
              >`,
            )}
          </div>`
          : nothing
      }
      ${f.kind === 'monthly' ? input('day', 'Day of the month', 'number') : nothing}
      ${f.kind === 'daily' || f.kind === 'weekly' || f.kind === 'monthly' ? input('time', `Time (${this.timeZone})`, 'time') : nothing}
      <label
        >If missed while the computer sleeps
        <select
          data-testid="schedule-missed"
          @change=${(e: Event) => this.set('missedPolicy', (e.target as HTMLSelectElement).value as 'run_once' | 'skip')}
        >
          <option value="run_once" ?selected=${f.missedPolicy === 'run_once'}>Run once when back (labelled late)</option>
          <option value="skip" ?selected=${f.missedPolicy === 'skip'}>Skip it</option>
        </select>
      </label>
      <div class="row">${input('capUsd', 'Cap per run (USD)', 'number')} ${input('maxSteps', 'Steps per run', 'number')}</div>
      <div class="actions">
        <button class="primary" type="submit" data-testid="schedule-save">Save</button>
        <button type="button" @click=${() => (this.editing = undefined)}>Cancel</button>
      </div>
    </form>`;
  }

  private renderItem(s: ScheduleView) {
    const last = s.lastRun;
    return html`<li data-testid="schedule-item" data-schedule-id=${s.id} data-status=${s.status}>
      <div class="head">
        <strong>${s.title}</strong>
        <span class="muted">${s.running ? 'running' : s.status}</span>
      </div>
      <div>${s.description} <span class="muted">(${s.timeZone})</span></div>
      ${this.threadId ? nothing : html`<div class="muted">In “${s.threadTitle}”</div>`}
      <div class="muted" data-testid="schedule-next">Next run: ${when(s.nextRunAt)}</div>
      ${last ? html`<div data-testid="schedule-last">Last: ${last.summary}</div>` : nothing}
      ${s.pausedReason && s.status === 'paused' ? html`<div class="muted">${s.pausedReason}</div>` : nothing}
      <div class="muted">Cost so far: ${formatUsd(s.costUsd)} over ${s.runCount} run${s.runCount === 1 ? '' : 's'}</div>
      <div class="actions">
        ${
          s.status === 'paused'
            ? html`<button data-testid="schedule-resume" @click=${() => this.command({ type: 'schedule.resume', scheduleId: s.id })}>Resume</button>`
            : s.status === 'active'
              ? html`<button data-testid="schedule-pause" @click=${() => this.command({ type: 'schedule.pause', scheduleId: s.id })}>Pause</button>`
              : nothing
        }
        <button
          data-testid="schedule-run-now"
          ?disabled=${s.running}
          @click=${() => this.command({ type: 'schedule.runNow', scheduleId: s.id })}
        >
          Run now
        </button>
        <button
          data-testid="schedule-edit"
          @click=${() => {
            this.form = formFromSchedule(s);
            this.editing = s.id;
          }}
        >
          Edit
        </button>
        <button
          class="danger"
          data-testid="schedule-delete"
          @click=${() => {
            if (this.confirmDelete !== s.id) {
              this.confirmDelete = s.id;
              return;
            }
            this.confirmDelete = undefined;
            this.command({ type: 'schedule.delete', scheduleId: s.id });
          }}
        >
          ${this.confirmDelete === s.id ? 'Delete for good?' : 'Delete'}
        </button>
      </div>
      ${this.editing === s.id ? this.renderForm() : nothing}
    </li>`;
  }

  override render() {
    const shown = this.shown;
    return html`
      ${this.error ? html`<div class="error" role="alert" data-testid="schedule-error">${this.error}</div>` : nothing}
      ${shown.length === 0 && this.editing !== 'new' ? html`<p class="muted">No schedules yet.</p>` : nothing}
      <ul>
        ${shown.map((s) => this.renderItem(s))}
      </ul>
      ${
        this.threadId
          ? this.editing === 'new'
            ? this.renderForm()
            : html`<div class="actions">
              <button data-testid="schedule-new" @click=${() => this.startNew()}>New schedule</button>
            </div>`
          : nothing
      }
    `;
  }
}

declare global {
  interface HTMLElementTagNameMap {
    'tandem-schedules': TandemSchedules;
  }
}
