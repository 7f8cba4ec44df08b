/**
 * The demo's Keycloak-shaped identity provider on DEMO_PORTS.identity (HTTPS, demo CA) with two realms:
 * `pengawas-good` passes every `mfa` check, `pengawas-weak` fails them (see checks/demo/mfa.yaml).
 * Its secrets (audit client secret, monitoring account password and TOTP seed) are generated once under
 * <dataDir>/demo/identity/ and referenced from the checks with ${file:...}, never inlined.
 */
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import path from 'node:path';
import { newTotpSeed } from '../../../probes/mfa/totp';
import { issue } from '../../pki';
import { DEMO_PORTS } from '../../ports';
import type { DemoTarget } from '../../types';
import { goodRealm, weakRealm, type DemoSecrets } from './realms';
import { keycloakHandler } from './server';

function secretFile(dir: string, name: string, make: () => string): string {
  const file = path.join(dir, name);
  if (!existsSync(file)) writeFileSync(file, make(), { mode: 0o600 });
  return readFileSync(file, 'utf8').trim();
}

export function demoSecrets(dir: string): DemoSecrets {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  return {
    clientSecret: secretFile(dir, 'client-secret', () => randomBytes(24).toString('hex')),
    monitorPassword: secretFile(dir, 'monitor-password', () => randomBytes(18).toString('base64url')),
    monitorTotpSeed: secretFile(dir, 'monitor-totp-seed', () => newTotpSeed()),
    adminSeed: secretFile(dir, 'admin-totp-seed', () => newTotpSeed()),
  };
}

export const identity: DemoTarget = {
  name: 'identity',
  async start(ctx) {
    const secrets = demoSecrets(path.join(ctx.dir, 'identity'));
    const cert = issue({ commonName: 'localhost', hosts: ['localhost', '127.0.0.1'], days: 90 }, ctx.ca);
    const realms = { 'pengawas-good': goodRealm(secrets), 'pengawas-weak': weakRealm(secrets) };
    const server = https.createServer({ cert: cert.certPem + ctx.ca.certPem, key: cert.keyPem }, keycloakHandler(realms));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(DEMO_PORTS.identity, '127.0.0.1', () => resolve());
    });
    return {
      describe: `identity provider (Keycloak-shaped)  https://127.0.0.1:${DEMO_PORTS.identity}/realms/pengawas-good | pengawas-weak`,
      stop: () =>
        new Promise<void>((r) => {
          server.closeAllConnections();
          server.close(() => r());
        }),
    };
  },
};
