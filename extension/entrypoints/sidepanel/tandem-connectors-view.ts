/**
 * `<tandem-connectors-view>`: Settings → Connectors (MCP servers). Paste a
 * config (a Claude-Desktop `mcpServers` block), test the connection, see each
 * connector's tools and switch them on or off, read a local server's log, and
 * remove a connector. Every command here is trusted-only: a phone never sends
 * them. Adding a local server says plainly what it means.
 */
import { css, html, LitElement, nothing } from 'lit';
import { customElement, property, state } from 'lit/decorators.js';
import type { ConversationClient } from '../../../shared/client/conversation-client';
import type { ConnectorView } from '../../../shared/protocol/connectors';
import { controlStyles } from '../../../shared/ui/control-styles';
import { tokens } from '../../../shared/ui/tokens';
import { LOCAL_SERVER_WARNING } from '../../connectors/connector-config';
import { RuntimeFeed } from './runtime-feed';
import { sectionStyles } from './section-styles';

const EXAMPLE =
  '{ "mcpServers": { "memory": { "command": "npx", "args": ["-y", "@modelcontextprotocol/server-memory"] } } }';

@customElement('tandem-connectors-view')
export class TandemConnectorsView extends LitElement {
  static override styles = [
    tokens,
    controlStyles,
    sectionStyles,
    css`
      section {
        display: flex;
        flex-direction: column;
        gap: var(--tandem-space-3);
        max-width: 560px;
        padding: var(--tandem-space-3) var(--tandem-space-4) var(--tandem-space-4);
      }
      textarea {
        min-height: 90px;
        font-family: var(--tandem-font-mono);
        font-size: var(--tandem-font-size-small);
      }
      .warning {
        padding: var(--tandem-space-2) var(--tandem-space-3);
        border-radius: var(--tandem-radius);
        background: var(--tandem-danger-soft);
        font-size: var(--tandem-font-size-small);
      }
      .error {
        color: var(--tandem-danger);
        font-size: var(--tandem-font-size-small);
      }
      .connector {
        display: flex;
        flex-direction: column;
        gap: var(--tandem-space-1);
        border: 1px solid var(--tandem-border);
        border-radius: var(--tandem-radius);
        padding: var(--tandem-space-2) var(--tandem-space-3);
      }
      .target {
        font-family: var(--tandem-font-mono);
        font-size: var(--tandem-font-size-small);
        overflow-wrap: anywhere;
      }
      .actions {
        display: flex;
        gap: var(--tandem-space-2);
        flex-wrap: wrap;
      }
      pre {
        max-height: 200px;
        overflow: auto;
        font-size: var(--tandem-font-size-small);
        white-space: pre-wrap;
      }
      label.tool {
        display: flex;
        gap: var(--tandem-space-2);
        align-items: baseline;
      }
    `,
  ];

  @property({ attribute: false }) client: ConversationClient | undefined;
  @state() private connectors: ConnectorView[] = [];
  @state() private json = '';
  @state() private error: string | undefined;
  @state() private busy = false;
  @state() private logs = new Map<string, string>();

  constructor() {
    super();
    new RuntimeFeed(this, {
      onMessage: (message) => {
        if (message.type === 'connectors') this.connectors = message.connectors;
        if (message.type === 'connector.log') this.logs = new Map(this.logs).set(message.connectorId, message.text);
      },
      refresh: (client) => void client.send({ type: 'connectors.list' }).catch(() => {}),
    });
  }

  /** Local servers in the pasted text, so the warning shows before the user adds them. */
  private get pastesLocalServer(): boolean {
    return /"command"\s*:/.test(this.json);
  }

  private async run(work: () => Promise<unknown>): Promise<void> {
    this.busy = true;
    this.error = undefined;
    try {
      await work();
    } catch (error) {
      this.error = error instanceof Error ? error.message : String(error);
    } finally {
      this.busy = false;
    }
  }

  private add(event: Event): void {
    event.preventDefault();
    const client = this.client;
    if (!client || !this.json.trim()) return;
    void this.run(async () => {
      await client.send({ type: 'connectors.add', json: this.json });
      this.json = '';
    });
  }

  private renderConnector(c: ConnectorView) {
    const client = this.client;
    const send = (command: Parameters<ConversationClient['send']>[0]) =>
      this.run(() => client?.send(command) ?? Promise.resolve());
    const log = this.logs.get(c.id);
    return html`<li class="connector" data-testid="connector-row" data-id=${c.id}>
      <strong>${c.name}</strong>
      <span class="target">${c.kind === 'stdio' ? 'Local program: ' : 'Remote: '}${c.target}</span>
      ${c.envKeys.length > 0 ? html`<span class="muted">Environment: ${c.envKeys.join(', ')}</span>` : nothing}
      ${c.lastError ? html`<span class="error" data-testid="connector-error">${c.lastError}</span>` : nothing}
      <div class="actions">
        <button type="button" data-testid="connector-test" ?disabled=${this.busy} @click=${() => send({ type: 'connectors.test', connectorId: c.id })}>
          Test connection
        </button>
        <button type="button" @click=${() => send({ type: 'connectors.setEnabled', connectorId: c.id, enabled: !c.enabled })}>
          ${c.enabled ? 'Turn off' : 'Turn on'}
        </button>
        ${
          c.kind === 'http' && !c.hasToken
            ? html`<button type="button" data-testid="connector-sign-in" ?disabled=${this.busy} @click=${() => send({ type: 'connectors.signIn', connectorId: c.id })}>Sign in</button>
                <button type="button" data-testid="connector-sign-out" @click=${() => send({ type: 'connectors.signOut', connectorId: c.id })}>Sign out</button>`
            : nothing
        }
        ${c.kind === 'stdio' ? html`<button type="button" @click=${() => send({ type: 'connectors.log', connectorId: c.id })}>Show log</button>` : nothing}
        <button type="button" class="danger" data-testid="connector-remove" @click=${() => send({ type: 'connectors.remove', connectorId: c.id })}>
          Remove
        </button>
      </div>
      ${
        c.tools.length === 0
          ? html`<span class="muted">No tools known yet: test the connection.</span>`
          : html`<fieldset>
              <legend class="muted">Tools the agent may use (each call still asks unless you allowed it)</legend>
              ${c.tools.map(
                (tool) => html`<label class="tool" data-testid="connector-tool">
                  <input
                    type="checkbox"
                    .checked=${tool.enabled}
                    @change=${(e: Event) =>
                      send({
                        type: 'connectors.setTool',
                        connectorId: c.id,
                        tool: tool.name,
                        enabled: (e.target as HTMLInputElement).checked,
                      })}
                  />
                  <span>${tool.name}${tool.destructive ? ' (destructive: asks every time)' : tool.readOnly ? ' (read-only)' : ''}</span>
                </label>`,
              )}
            </fieldset>`
      }
      ${log !== undefined ? html`<pre data-testid="connector-log">${log || '(empty)'}</pre>` : nothing}
    </li>`;
  }

  override render() {
    const connected = this.client?.connection === 'open';
    return html`<section data-testid="connectors-view">
      <h2>Connectors</h2>
      <p class="muted">
        Connectors are MCP servers: they give the agent tools such as your mail, calendar or notes. Paste a config in
        the format Claude Desktop uses.
      </p>
      <form @submit=${this.add} novalidate>
        <textarea
          aria-label="Connector config (JSON)"
          data-testid="connector-json"
          placeholder=${EXAMPLE}
          .value=${this.json}
          @input=${(e: Event) => {
            this.json = (e.target as HTMLTextAreaElement).value;
            this.error = undefined;
          }}
        ></textarea>
        ${this.pastesLocalServer ? html`<p class="warning" role="note" data-testid="connector-local-warning">${LOCAL_SERVER_WARNING}</p>` : nothing}
        <button type="submit" class="primary" data-testid="connector-add" ?disabled=${!connected || this.busy || !this.json.trim()}>
          Add
        </button>
      </form>
      ${this.error ? html`<span class="error" role="alert">${this.error}</span>` : nothing}
      <ul>
        ${this.connectors.length === 0 ? html`<li class="muted">No connectors yet.</li>` : this.connectors.map((c) => this.renderConnector(c))}
      </ul>
    </section>`;
  }
}
