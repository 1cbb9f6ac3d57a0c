/**
 * The runtime's host: Chrome's MV3 service worker, Firefox's background page.
 * It only wires browser events to the runtime (see docs/ARCHITECTURE.md for why
 * the runtime lives here). Listeners are registered synchronously, as MV3
 * requires for events that wake a stopped worker.
 */
import browser from 'webextension-polyfill';
import { browser as chromeApi } from 'wxt/browser';
import { defineBackground } from 'wxt/utils/define-background';
import { formatUsd } from '../../shared/pricing';
import { loadEnglishErrorMessages } from '../../shared/protocol/error-messages';
import { browserSignIn } from '../connectors/web-auth-flow';
import { browserNativeConnector } from '../files/native-port';
import { LazyInPageHostControl } from '../link/firefox-control';
import { OffscreenHostControl } from '../link/offscreen-control';
import { acceptLinkRelay, relayRoutes } from '../link/relay-server';
import { KeepAlive, RESUME_ALARM } from '../platform/keep-alive';
import { browserPower, KeepAwake } from '../platform/keep-awake';
import { showNotification } from '../platform/notifications';
import { acceptPortClients } from '../platform/port-clients';
import { storageLocalMarker, storageLocalSnapshots } from '../platform/storage-marker';
import { assembleRuntime } from '../runtime/assemble';
import { SCHEDULE_ALARM } from '../schedule/wake-timer';
import { browserWeb } from '../web/browser-web';

export default defineBackground(() => {
  loadEnglishErrorMessages();
  const keepAlive = new KeepAlive();
  // Settings → Phone, on by default: a user away with the phone needs the computer to stay up.
  const keepAwake = new KeepAwake(
    browserPower(),
    async () => (await assembled.link?.store.settings())?.keepAwake ?? true,
  );
  const assembled = assembleRuntime({
    showNotification,
    extensionVersion: browser.runtime.getManifest().version,
    // Local files: the native-messaging bridge to the file host (started on first use).
    nativeMessaging: browserNativeConnector,
    // Web access: registers its browser listeners synchronously, as MV3 requires.
    web: browserWeb,
    // Connectors: remote servers sign in through the browser's consent window.
    connectors: browserSignIn(),
    keepAlive: () => {
      const releaseWorker = keepAlive.hold();
      const releaseComputer = keepAwake.hold();
      return () => {
        releaseWorker();
        releaseComputer();
      };
    },
    // Space, persistence, and a marker outside IndexedDB that notices a database lost to the browser.
    storage: {
      ...(typeof navigator !== 'undefined' && navigator.storage ? { estimator: navigator.storage } : {}),
      marker: storageLocalMarker(),
      snapshots: storageLocalSnapshots(),
    },
    // Phone link: Chrome hosts WebRTC in the offscreen document (no RTCPeerConnection in a worker),
    // Firefox in this background page (docs/ARCHITECTURE.md, "Phone link").
    linkHost: import.meta.env.BROWSER === 'firefox' ? new LazyInPageHostControl() : new OffscreenHostControl(),
    // Schedules: a durable alarm for the earliest due run (set again on every start, below).
    scheduleAlarm: {
      set: (when) => void browser.alarms.create(SCHEDULE_ALARM, { when }),
      clear: () => void browser.alarms.clear(SCHEDULE_ALARM),
    },
    // A scheduled run's outcome in one line. [push] can send the same line to the phone here.
    notifyScheduleResult: (title, line) => showNotification(title, line),
    taskFinished: (thread, outcome) => {
      void assembled.settings.get().then((settings) => {
        if (!settings.notifyOnFinish || outcome === 'stopped') return;
        const verb = outcome === 'completed' ? 'finished' : `ended (${outcome.replace('_', ' ')})`;
        return showNotification(`Tandem: task ${verb}`, `${thread.title} — ${formatUsd(thread.costUsd)} so far`);
      });
    },
  });
  const { runtime } = assembled;

  acceptPortClients(runtime);
  if (assembled.link) {
    assembled.link.onBroadcast((message) => {
      if (message.type === 'link.settings') void keepAwake.refresh();
    });
    if (import.meta.env.BROWSER !== 'firefox') acceptLinkRelay(assembled.link);
    // Paired phones must be able to reach a browser that just started: bring the link host up.
    void assembled.link.start();
  }
  browser.alarms.onAlarm.addListener((alarm) => {
    if (alarm.name === RESUME_ALARM)
      runtime.resume().catch((error: unknown) => console.warn('Tandem: resume failed', error));
    if (alarm.name === SCHEDULE_ALARM) startSchedules();
  });
  browser.action.onClicked.addListener(() => openPanel());
  browser.runtime.onInstalled.addListener(({ reason }) => {
    // First run: open Tandem in a tab so the user can add a key (the side panel needs a click to open).
    if (reason === 'install') void browser.tabs.create({ url: browser.runtime.getURL('/sidepanel.html') });
  });
  if (import.meta.env.BROWSER !== 'firefox') {
    // Chrome opens the side panel on the toolbar button itself.
    void chromeApi.sidePanel?.setPanelBehavior({ openPanelOnActionClick: true }).catch(() => {});
  }

  // Every start (install, browser start, a worker woken by an event) resumes unfinished tasks,
  // starts scheduled runs that are due or were left due, and sets the schedule alarm again.
  runtime.resume().catch((error: unknown) => console.warn('Tandem: resume failed', error));
  startSchedules();

  function startSchedules(): void {
    assembled.schedules.service.start().catch((error: unknown) => console.warn('Tandem: schedules failed', error));
  }

  // Handle for tests and debugging from the worker's console.
  Object.assign(globalThis, { tandem: assembled, tandemRelayRoutes: relayRoutes });
});

function openPanel(): void {
  if (import.meta.env.BROWSER === 'firefox') {
    void (browser as unknown as { sidebarAction: { open(): Promise<void> } }).sidebarAction.open();
  }
}
