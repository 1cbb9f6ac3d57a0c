/**
 * The sections of the panel's settings, in order. Each is one element that takes
 * the ConversationClient; the hub only switches between them.
 */
import { html, type TemplateResult } from 'lit';
import type { ConversationClient } from '../../../shared/client/conversation-client';
import './tandem-audit-export-view';
import './tandem-audit-view';
import './tandem-sites-view';
import './tandem-folders-view';
import './tandem-connectors-view';
import './tandem-trash-view';
import './tandem-devices-view';
import './tandem-link-settings-view';
import './tandem-pairing-view';
import './tandem-backup-view';
import './tandem-deleted-threads-view';
import './tandem-push-settings-view';

export interface SettingsSection {
  id: string;
  label: string;
  render(client: ConversationClient): TemplateResult;
}

/** Sections other than "General" (the API key and model form, rendered by the app itself). */
export const EXTRA_SECTIONS: SettingsSection[] = [
  {
    id: 'sites',
    label: 'Sites',
    render: (client) => html`<tandem-sites-view .client=${client}></tandem-sites-view>`,
  },
  {
    id: 'activity',
    label: 'Activity',
    // The audit log's export and verifier above the list of what it holds.
    render: (client) =>
      html`<tandem-audit-export-view .client=${client}></tandem-audit-export-view>
        <hr />
        <tandem-audit-view .client=${client}></tandem-audit-view>`,
  },
  {
    id: 'folders',
    label: 'Folders',
    render: (client) => html`<tandem-folders-view .client=${client}></tandem-folders-view>`,
  },
  {
    id: 'connectors',
    label: 'Connectors',
    render: (client) => html`<tandem-connectors-view .client=${client}></tandem-connectors-view>`,
  },
  {
    id: 'trash',
    label: 'Trash',
    render: (client) => html`<tandem-trash-view .client=${client}></tandem-trash-view>`,
  },
  {
    id: 'deleted',
    label: 'Deleted conversations',
    render: (client) => html`<tandem-deleted-threads-view .client=${client}></tandem-deleted-threads-view>`,
  },
  {
    id: 'backup',
    label: 'Backup & storage',
    render: (client) => html`<tandem-backup-view .client=${client}></tandem-backup-view>`,
  },
  {
    // Phone link: pair (QR code), the paired phones, and where phones find this browser.
    id: 'phone',
    label: 'Phone',
    render: (client) =>
      html`<tandem-pairing-view .client=${client}></tandem-pairing-view>
        <hr />
        <tandem-devices-view .client=${client}></tandem-devices-view>
        <hr />
        <tandem-link-settings-view .client=${client}></tandem-link-settings-view>
        <hr />
        <tandem-push-settings-view .client=${client}></tandem-push-settings-view>`,
  },
];
