/**
 * A cold `pengawas probe tls` loads the tls probe and what it needs, nothing of the other probe types (the probe
 * registry requires a type on first use): no other type's folder, no HTTP/HTML/OpenAPI/OTP libraries, no metric
 * families or prom-client, no evidence store, no logger and no YAML parser (no log line, no file to parse), and not
 * the timed HTTP client of the one-shot warm-up (tls times no HTTP exchange). Run
 * from source in a fresh process against a real TLS server, the whole scan included; the modules are read from
 * require.cache when the process exits.
 */
import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { ROOT } from '../helpers/cli-source';
import { Pki, sServer, type Server } from '../probes/tls/helpers';

let pki: Pki;
let server: Server;

beforeAll(async () => {
  pki = new Pki();
  const leaf = pki.leaf({ name: 'lazy' });
  server = await sServer({ ...leaf, chain: pki.interCert }, ['-tls1_2', '-cipher', 'ECDHE-RSA-AES128-GCM-SHA256'], pki.dir);
});

afterAll(async () => {
  await server?.stop();
  pki?.cleanup();
});

/** The files (relative to the repository) and packages a `pengawas <args>` process had loaded when it exited. */
function loadedBy(args: string[]): Promise<{ all: string[]; files: string[]; packages: string[]; stdout: string }> {
  const out = pki.file('modules.json');
  const hook = pki.file('modules-hook.js');
  writeFileSync(
    hook,
    `process.on('exit', () => require('node:fs').writeFileSync(${JSON.stringify(out)}, JSON.stringify(Object.keys(require.cache))));\n`,
  );
  const entry = path.join(ROOT, 'test', 'helpers', 'cli-entry.ts');
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['--require', hook, '--import', 'tsx', entry, ...args],
      { cwd: ROOT, env: { ...process.env, PENGAWAS_LOG_LEVEL: 'info' }, timeout: 60_000 },
      (err, stdout) => {
        if (err && typeof err.code !== 'number') return reject(err);
        const all = JSON.parse(readFileSync(out, 'utf8')) as string[];
        const files = all.filter((f) => f.startsWith(ROOT) && !f.includes('node_modules')).map((f) => path.relative(ROOT, f));
        const packages = [
          ...new Set(all.flatMap((f) => /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(f)?.[1] ?? []).filter((p) => p !== 'tsx')),
        ];
        resolve({ all, files, packages, stdout });
      },
    );
  });
}

describe('pengawas probe tls, cold', () => {
  it('loads the tls probe alone: no other probe type, metric family, evidence store, logger or YAML parser', async () => {
    const { all, files, packages, stdout } = await loadedBy([
      'probe',
      'tls',
      `127.0.0.1:${server.port}`,
      '--opt',
      'checkRevocation=false',
      '--json',
    ]);
    // The scan ran to the end: the certificate was judged (so the trust anchors were used).
    const result = JSON.parse(stdout) as { type: string; measurements: { certificate?: { pathTrusted: boolean } } };
    expect(result.type).toBe('tls');
    expect(result.measurements.certificate?.pathTrusted).toBe(false);

    expect(files).toContain(path.join('src', 'probes', 'tls', 'index.ts'));
    const otherProbes = files.filter((f) => /^src\/probes\/[^/]+\//.test(f) && !f.startsWith('src/probes/tls/'));
    expect(otherProbes).toEqual([]);
    // Of the pipeline, only the Redis endpoint parser the settings use (src/queue/redis-endpoint.ts).
    const pipeline = files.filter(
      (f) => /^src\/(evidence|metrics|recorder|scheduler|queue|monitor)\//.test(f) || f.endsWith('/metrics.ts'),
    );
    expect(pipeline).toEqual([path.join('src', 'queue', 'redis-endpoint.ts')]);
    // tls times no HTTP exchange: no one-shot HTTP warm-up, so not its timed HTTP client (src/cli/one-shot.ts).
    expect(files).not.toContain(path.join('src', 'net', 'timed-request.ts'));
    for (const pkg of [
      'axios',
      'prom-client',
      'htmlparser2',
      'jsdom',
      'axe-core',
      '@apidevtools/swagger-parser',
      '@otplib/core',
      'pino',
      'yaml',
    ])
      expect([pkg, packages.includes(pkg)]).toEqual([pkg, false]);
    // node-forge's ASN.1 reader only, not its index (ciphers, TLS, PKI).
    expect(packages).toContain('node-forge');
    expect(all.filter((f) => f.endsWith(path.join('node-forge', 'lib', 'index.js')))).toEqual([]);
  }, 90_000);
});
