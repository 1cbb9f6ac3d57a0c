/**
 * A Vite plugin for the extension build: takes zod's `Function` constructor out of the bundles.
 *
 * zod 4 probes `new Function("")` to decide whether to JIT-compile its parsers. Extension pages
 * run under a CSP without 'unsafe-eval', so the probe always fails there and the JIT never runs:
 * the reference is dead code, but the store linters (`web-ext lint`: DANGEROUS_EVAL) and a store
 * reviewer see an eval. Binding zod's local `F` to a constructor that always throws keeps zod's
 * own fallback path (the probe is caught, `allowsEval` is false) and leaves no `Function` behind.
 */
import type { Plugin } from 'vite';

const ZOD_FILES = /[\\/]zod[\\/]v4[\\/]core[\\/](util|doc|compile)\.js$/;
const FUNCTION_ALIAS = /const F = Function;/g;
const REFUSE = 'const F = function NoEval() { throw new EvalError("eval is not available in the extension"); };';

export function noFunctionConstructor(): Plugin {
  return {
    name: 'tandem:no-function-constructor',
    enforce: 'pre',
    transform(code, id) {
      if (!ZOD_FILES.test(id) || !code.includes('const F = Function;')) return undefined;
      return { code: code.replace(FUNCTION_ALIAS, REFUSE), map: null };
    },
  };
}
