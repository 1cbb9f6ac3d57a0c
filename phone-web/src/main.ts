/**
 * The phone page: reads a pairing code scanned in the page (tandem-qr-scanner.ts) or, from a
 * camera app, from the URL fragment (removed from the address bar at once), connects to the paired extension over the authenticated
 * WebRTC link, and runs the same ConversationClient and components as the side panel.
 */
import { ConversationClient } from '../../shared/client/conversation-client';
import { generateStaticKeyPair } from '../../shared/link/handshake.ts';
import { loadEnglishErrorMessages } from '../../shared/protocol/error-messages';
import { restrictConnectionsTo } from './connect-policy';
import { guessDeviceName } from './device-name';
import { PageOutbox } from './page-outbox';
import { PairingStore } from './pairing-store';
import { PhoneLink } from './phone-link';
import { readScannedOffer, type ScannedOffer } from './scanned-offer';
import './tandem-phone-app';

declare global {
  interface Window {
    /** For end-to-end tests and benchmarks. */
    tandemPhone?: { client: ConversationClient; link: PhoneLink; scanError?: string };
  }
}

// The schedule and shortcut forms and a damaged pairing code show zod's words to the user.
loadEnglishErrorMessages();
const store = new PairingStore(window.localStorage);
const link = new PhoneLink(store, {
  deviceName: guessDeviceName(navigator.userAgent),
  generateKeyPair: () => generateStaticKeyPair(),
  allowSignaling: restrictConnectionsTo,
});

/** Reads the fragment a camera app opened, and removes it from the address bar at once. */
function takeScannedOffer(): ScannedOffer {
  const scanned = readScannedOffer(location.hash, Date.now());
  if (scanned.kind !== 'none') {
    // The secret must not stay in the address bar, the history or a bookmark.
    history.replaceState(null, '', `${location.pathname}${location.search}`);
  }
  return scanned;
}

const scanned = takeScannedOffer();
// Messages written while the computer is unreachable wait in the page's IndexedDB (page-outbox.ts);
// read before the client starts, so what waits goes out on the first 'open'. Not a top-level
// await: that makes the bundler split the page into several preloaded chunks (bigger in all).
void PageOutbox.open({ indexedDB: window.indexedDB, legacy: window.localStorage }).then(start);

function start(outbox: PageOutbox): void {
  const client = new ConversationClient(link, outbox);
  // Forgotten or revoked: what waits in the outbox would reach no computer, or the next one paired.
  link.onPhase((phase) => {
    if (phase.kind === 'unpaired' || phase.kind === 'revoked') client.discardQueued();
  });

  window.tandemPhone = { client, link, ...(scanned.kind === 'error' ? { scanError: scanned.message } : {}) };

  // Lets a test (or a debugging session) attach listeners before the first connection attempt.
  window.dispatchEvent(new CustomEvent('tandem-phone-ready'));

  // Connect first: rendering the app can wait for the first frame, the network cannot.
  if (scanned.kind === 'offer') link.pair(scanned);
  else link.start();

  const app = document.createElement('tandem-phone-app');
  app.client = client;
  app.link = link;
  document.body.append(app);
  if (scanned.kind === 'error') {
    // Shown in place of the thread list; a stored pairing (if any) still connects.
    app.scanError = scanned.message;
  }

  // A camera app that reuses a tab already on this page only changes the fragment: no reload, so
  // the new code must be read here (a QR code for another signaling server still needs a reload,
  // see connect-policy.ts; PhoneLink says so).
  window.addEventListener('hashchange', () => {
    const next = takeScannedOffer();
    if (next.kind === 'offer') {
      app.scanError = '';
      link.pair(next);
    } else if (next.kind === 'error') {
      app.scanError = next.message;
    }
  });

  // A phone waking up or getting its network back should not wait for the backoff.
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'visible') link.retryNow();
  });
  window.addEventListener('online', () => link.networkChanged());
  // Wi-Fi → mobile (Network Information API, where the browser has it): the old path may be gone.
  (navigator as Navigator & { connection?: EventTarget }).connection?.addEventListener('change', () =>
    link.networkChanged(),
  );

  // Installable app: cache the shell (only where service workers exist: HTTPS or localhost).
  if ('serviceWorker' in navigator && window.isSecureContext) {
    void navigator.serviceWorker.register('./sw.js').catch(() => {});
  }
}
