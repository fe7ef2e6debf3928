/** A throwaway self-signed certificate (openssl) for the HTTPS test server. Never stored in the repo. */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export function selfSignedCert(hosts: string[]): { key: Buffer; cert: Buffer } {
  const dir = mkdtempSync(join(tmpdir(), 'ug-cert-'));
  const cfg = join(dir, 'openssl.cnf');
  writeFileSync(
    cfg,
    [
      '[req]',
      'distinguished_name=dn',
      'x509_extensions=ext',
      'prompt=no',
      '[dn]',
      'CN=upload-guard-test',
      '[ext]',
      `subjectAltName=${hosts.map((h) => `DNS:${h}`).join(',')},IP:127.0.0.1`,
    ].join('\n'),
  );
  execFileSync('openssl', [
    'req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2',
    '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'), '-config', cfg,
  ], { stdio: 'ignore' });
  return { key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) };
}
