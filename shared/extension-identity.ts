/**
 * The extension's fixed identity. The native host's manifests and the tests
 * must name the same ids, so they live in one place.
 */

/** Public half of the manifest `key`: pins the Chrome extension id. */
export const MANIFEST_KEY =
  'MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEApCohMulF//wU84Q42L7qQZ1yYR/58eIpCdNu2V9530tkZgyuJCJFh14O+aWnGl1T20dbvV88a3I/uqQI5v5oagNl56/wo6nk6XPr+kO6pYZvPpuM0ZNkX9spTe82qQFeuoCsNA9csvtEKbmht5AgKR69mtWW11GPyQzOosya9u7kqMGAAqjFNSFAOpRN8ACXaQ30nAWuBEmiZnJNt3c1wqXUeCRu9XqDxhwjL7O/WBLB8XI9Sigr+4G44VQ70UehZnRedioUAbNhQfUdXPbDeyYx9j9LCHti8Q+0PrkBBculyHPYGI0iZzdmPLaW25ejm/6r6CxonxUp44Zk5Dk5GwIDAQAB';

/** Derived from MANIFEST_KEY (sha256 of the DER key, first 32 hex digits mapped to a-p). */
export const CHROME_EXTENSION_ID = 'dbceppcmphlaglbdlljfakionkmnbikn';

/** Firefox add-on id (`browser_specific_settings.gecko.id`). */
export const GECKO_ID = 'tandem@tandem-agent.dev';

/** Name of the native messaging host (manifest file name without `.json`). */
export const NATIVE_HOST_NAME = 'dev.tandem_agent.files';
