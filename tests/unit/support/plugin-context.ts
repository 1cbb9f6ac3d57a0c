/** The one member of Vite's plugin context the packaging plugins use, recording what they report. */
export type PluginErrorContext = { error(message: string): never };

export function recordingPluginContext(): { context: PluginErrorContext; errors: string[] } {
  const errors: string[] = [];
  const context: PluginErrorContext = {
    error(message) {
      errors.push(message);
      throw new Error(message);
    },
  };
  return { context, errors };
}
