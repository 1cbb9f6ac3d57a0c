/**
 * Pieces of the phone page that only a user action needs load on first use, each as its own chunk
 * (pinned by index.html's import map, see vite.config.ts), so they add nothing to the script a
 * phone downloads and runs before it can show the thread list: today the Schedules screen (tapping
 * "Schedules" or "Save as shortcut"). The caller awaits the load before showing the piece, so it
 * appears complete, as before. (The in-page QR scanner element stays in the main chunk: made lazy,
 * its `import('jsqr')` of a CommonJS module moves the bundler's runtime helpers into a chunk of
 * their own, which costs more than the element saves; the decoder itself is loaded on demand.)
 */

/** One load per piece; a failed load (the page went offline) is tried again on the next tap. */
export function loadOnce(load: () => Promise<unknown>): () => Promise<void> {
  let loading: Promise<void> | undefined;
  return () => {
    loading ??= load().then(
      () => {},
      (error: unknown) => {
        loading = undefined;
        throw error;
      },
    );
    return loading;
  };
}

/** `<tandem-schedules-view>` (shared/ui: schedules, shortcuts and their forms). */
export const loadSchedulesScreen = loadOnce(() => import('../../shared/ui/tandem-schedules-view'));
