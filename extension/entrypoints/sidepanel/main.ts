/** Side panel entrypoint: connect to the runtime, start the conversation client, mount the app. */
import { ConversationClient } from '../../../shared/client/conversation-client';
import { loadEnglishErrorMessages } from '../../../shared/protocol/error-messages';
import { connectToRuntime } from '../../client/runtime-port';
import './tandem-panel-app';

loadEnglishErrorMessages();
const client = new ConversationClient(connectToRuntime());

declare global {
  interface Window {
    /** For end-to-end tests and benchmarks. */
    tandem?: { client: ConversationClient };
  }
}
window.tandem = { client };

const app = document.createElement('tandem-panel-app');
app.client = client;
document.body.append(app);
