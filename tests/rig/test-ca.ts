/**
 * A certificate authority made for one rig run (openssl CLI), and a server certificate from it for
 * the "internet"'s HTTPS host, so the phone page is served the way a real host serves it: over
 * HTTPS, trusted because the browser trusts the issuing CA, not because a flag waives the check.
 *
 * The test browsers trust the CA through an NSS database in their HOME (`certutil`, Debian
 * `libnss3-tools`): Chromium on Linux reads user trust anchors from `$HOME/.pki/nssdb`. Every key
 * is generated fresh in the run's sandbox and removed with it; none is checked in.
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export const CERTUTIL = '/usr/bin/certutil';

export interface TestCa {
  /** The CA's certificate (PEM): what the browsers trust. */
  caPath: string;
  /** The server's certificate (PEM, issued by the CA for `address`) and its private key. */
  certPath: string;
  keyPath: string;
}

function openssl(...args: string[]): void {
  execFileSync('openssl', args, { stdio: ['ignore', 'ignore', 'pipe'] });
}

/** A fresh CA (valid two days) and a leaf certificate for one IP address, under `dir`. */
export function makeTestCa(dir: string, address: string): TestCa {
  mkdirSync(dir, { recursive: true });
  const at = (name: string) => join(dir, name);
  const ec = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes'];
  openssl(
    ...['req', '-x509', ...ec, '-keyout', at('ca.key'), '-out', at('ca.pem'), '-days', '2'],
    ...['-subj', '/CN=Tandem rig test CA'],
    ...['-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign,cRLSign'],
  );
  openssl('req', ...ec, '-keyout', at('leaf.key'), '-out', at('leaf.csr'), '-subj', `/CN=${address}`);
  // Chromium checks the name against subjectAltName only (never the CN), and wants serverAuth.
  writeFileSync(
    at('leaf.ext'),
    [
      `subjectAltName=IP:${address}`,
      'basicConstraints=critical,CA:FALSE',
      'keyUsage=critical,digitalSignature',
      'extendedKeyUsage=serverAuth',
    ].join('\n'),
  );
  openssl(
    ...['x509', '-req', '-in', at('leaf.csr'), '-CA', at('ca.pem'), '-CAkey', at('ca.key'), '-CAcreateserial'],
    ...['-out', at('leaf.pem'), '-days', '2', '-extfile', at('leaf.ext')],
  );
  return { caPath: at('ca.pem'), certPath: at('leaf.pem'), keyPath: at('leaf.key') };
}

/** Makes every Chromium started with this HOME trust the CA for websites (trust flags "C,,"). */
export function trustCaInHome(home: string, caPath: string): void {
  const db = join(home, '.pki', 'nssdb');
  mkdirSync(db, { recursive: true });
  execFileSync(CERTUTIL, ['-d', `sql:${db}`, '-N', '--empty-password'], { stdio: 'ignore' });
  execFileSync(CERTUTIL, ['-d', `sql:${db}`, '-A', '-t', 'C,,', '-n', 'Tandem rig test CA', '-i', caPath], {
    stdio: 'ignore',
  });
}
