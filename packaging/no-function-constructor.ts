/**
 * A Vite plugin for the extension build: takes zod's `Function` constructor out of the bundles.
 *
 * zod 4 probes `new Function("")` to decide whether to JIT-compile its parsers. Extension pages
 * run under a CSP without 'unsafe-eval', so the probe always fails there and the JIT never runs:
 * the reference is dead code, but the store linters (`web-ext lint`: DANGEROUS_EVAL) and a store
 * reviewer see an eval. Binding zod's local `F` to a constructor that always throws keeps zod's
 * own fallback path (the probe is caught, `allowsEval` is false) and leaves no `Function` behind.
 *
 * The MCP SDK's client imports its ajv validator (which compiles schemas with `Function`) as the
 * default; Tandem always passes the SDK's eval-free validator instead (connectors/), so the ajv
 * provider is replaced by a stub that says so, and ajv never enters the bundle.
 */
import type { Plugin } from 'vite';

const ZOD_FILES = /[\\/]zod[\\/]v4[\\/]core[\\/](util|doc|compile)\.js$/;
const FUNCTION_ALIAS = /const F = Function;/g;
const REFUSE = 'const F = function NoEval() { throw new EvalError("eval is not available in the extension"); };';

const SDK_AJV_PROVIDER = /[\\/]@modelcontextprotocol[\\/]sdk[\\/]dist[\\/]esm[\\/]validation[\\/]ajv-provider\.js$/;
const AJV_STUB = `export class AjvJsonSchemaValidator {
  constructor() { throw new Error('Tandem passes its own JSON-schema validator: ajv compiles with eval, which extensions refuse'); }
}
`;

export function noFunctionConstructor(): Plugin {
  return {
    name: 'tandem:no-function-constructor',
    enforce: 'pre',
    transform(code, id) {
      if (SDK_AJV_PROVIDER.test(id)) return { code: AJV_STUB, map: null };
      if (!ZOD_FILES.test(id) || !code.includes('const F = Function;')) return undefined;
      return { code: code.replace(FUNCTION_ALIAS, REFUSE), map: null };
    },
  };
}
