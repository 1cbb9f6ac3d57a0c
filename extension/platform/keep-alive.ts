/**
 * Keeps an MV3 service worker alive while tasks run. Chrome stops an idle worker
 * after 30 s; since Chrome 110 any extension API call resets that timer, so a
 * cheap call every 20 s keeps a long tool or model call from being cut. If the
 * worker dies anyway (browser closed, crash), a periodic alarm wakes it and the
 * runtime resumes unfinished tasks from the log.
 */
import browser from 'webextension-polyfill';

export const RESUME_ALARM = 'tandem-resume';
const HEARTBEAT_MS = 20_000;

export class KeepAlive {
  private holders = 0;
  private timer: ReturnType<typeof setInterval> | undefined;

  hold(): () => void {
    this.holders++;
    if (this.holders === 1) {
      this.timer = setInterval(() => void browser.runtime.getPlatformInfo(), HEARTBEAT_MS);
      // Alarms fire at most every 30 s in Chrome 120+; that is the resume latency after a crash.
      void browser.alarms.create(RESUME_ALARM, { periodInMinutes: 0.5 });
    }
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.holders--;
      if (this.holders === 0) {
        clearInterval(this.timer);
        this.timer = undefined;
        void browser.alarms.clear(RESUME_ALARM);
      }
    };
  }
}
