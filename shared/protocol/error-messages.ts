/**
 * The words of a validation error. zod/mini (which the shared schemas use, so the phone page
 * bundles only the zod it needs) loads no locale: without one every issue reads "Invalid input".
 * Classic zod loads English when it is imported, but which module loads first is an accident of
 * the import graph, so every entrypoint calls this once at start. zod keeps one configuration for
 * classic and mini schemas alike, so the call covers both.
 */
import { en } from 'zod/locales';
import { z } from 'zod/mini';

export function loadEnglishErrorMessages(): void {
  z.config(en());
}
