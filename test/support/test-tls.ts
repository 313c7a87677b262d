// A certificate authority made at test time and a certificate it signs for 127.0.0.1/localhost,
// so simulated vendors (Geogrid) serve real HTTPS on loopback. The production client trusts the CA
// the way any Node process would, through NODE_EXTRA_CA_CERTS: the global setup (or a benchmark)
// makes them before the processes that run the client start. Node's crypto makes the keys;
// node-forge makes and signs the certificates (Node has no X.509 writer).
import { generateKeyPairSync } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import forge from 'node-forge';

export interface TestTls {
  /** The CA certificate (PEM file) a client must trust. */
  caFile: string;
  caPem: string;
  certPem: string;
  keyPem: string;
}

/** Where the global setup put them (forks and child processes inherit it). */
export const TEST_TLS_DIR_ENV = 'ALCANCE_TEST_TLS_DIR';

function keyPair() {
  const { privateKey, publicKey } = generateKeyPairSync('rsa', {
    modulusLength: 2048,
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
    publicKeyEncoding: { type: 'spki', format: 'pem' },
  });
  return {
    pem: privateKey,
    privateKey: forge.pki.privateKeyFromPem(privateKey),
    publicKey: forge.pki.publicKeyFromPem(publicKey),
  };
}

/** Makes a CA and a loopback server certificate valid for a week into `dir`. */
export function makeTestTls(dir: string, commonName = 'Alcance test CA'): TestTls {
  mkdirSync(dir, { recursive: true });
  const notBefore = new Date(Date.now() - 3_600_000);
  const notAfter = new Date(Date.now() + 7 * 86_400_000);
  const caKeys = keyPair();
  const ca = forge.pki.createCertificate();
  const caName = [{ name: 'commonName', value: commonName }];
  ca.publicKey = caKeys.publicKey;
  ca.serialNumber = '01';
  ca.validity.notBefore = notBefore;
  ca.validity.notAfter = notAfter;
  ca.setSubject(caName);
  ca.setIssuer(caName);
  ca.setExtensions([
    { name: 'basicConstraints', cA: true, critical: true },
    { name: 'keyUsage', keyCertSign: true, cRLSign: true, critical: true },
  ]);
  ca.sign(caKeys.privateKey, forge.md.sha256.create());

  const keys = keyPair();
  const cert = forge.pki.createCertificate();
  cert.publicKey = keys.publicKey;
  cert.serialNumber = '02';
  cert.validity.notBefore = notBefore;
  cert.validity.notAfter = notAfter;
  cert.setSubject([{ name: 'commonName', value: '127.0.0.1' }]);
  cert.setIssuer(caName);
  cert.setExtensions([
    { name: 'basicConstraints', cA: false },
    { name: 'keyUsage', digitalSignature: true, keyEncipherment: true, critical: true },
    { name: 'extKeyUsage', serverAuth: true },
    {
      name: 'subjectAltName',
      altNames: [
        { type: 7, ip: '127.0.0.1' },
        { type: 2, value: 'localhost' },
      ],
    },
  ]);
  cert.sign(caKeys.privateKey, forge.md.sha256.create());

  const tls: TestTls = {
    caFile: join(dir, 'ca.pem'),
    caPem: forge.pki.certificateToPem(ca),
    certPem: forge.pki.certificateToPem(cert),
    keyPem: keys.pem,
  };
  writeFileSync(tls.caFile, tls.caPem);
  writeFileSync(join(dir, 'cert.pem'), tls.certPem);
  writeFileSync(join(dir, 'key.pem'), tls.keyPem, { mode: 0o600 });
  return tls;
}

export function readTestTls(dir: string): TestTls {
  return {
    caFile: join(dir, 'ca.pem'),
    caPem: readFileSync(join(dir, 'ca.pem'), 'utf8'),
    certPem: readFileSync(join(dir, 'cert.pem'), 'utf8'),
    keyPem: readFileSync(join(dir, 'key.pem'), 'utf8'),
  };
}

/** The run's TLS material (made by the global setup). */
export function testTls(): TestTls {
  const dir = process.env[TEST_TLS_DIR_ENV];
  if (!dir || !existsSync(join(dir, 'ca.pem'))) {
    throw new Error(
      `${TEST_TLS_DIR_ENV} is not set: the test CA is made by test/support/global-setup.ts (run through vitest)`,
    );
  }
  return readTestTls(dir);
}

/**
 * A CA bundle file for NODE_EXTRA_CA_CERTS: the test CA plus whatever the environment already
 * trusted that way.
 */
export function trustBundle(
  dir: string,
  tls: TestTls,
  existing = process.env.NODE_EXTRA_CA_CERTS,
): string {
  const file = join(dir, 'trusted.pem');
  const before = existing && existsSync(existing) ? readFileSync(existing, 'utf8') : '';
  writeFileSync(file, `${before}${before.endsWith('\n') || !before ? '' : '\n'}${tls.caPem}`);
  return file;
}
