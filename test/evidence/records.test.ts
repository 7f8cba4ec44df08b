/**
 * Waivers and attestations say who wrote them and, when signed with `--sign-key`, which operator vouched for
 * them: the writer in the hashed body (the PostgreSQL role, or the OS user on an embedded store), the operator's
 * Ed25519 signature checked on write, by `evidence verify --store` and in the report. The attack: a database
 * user rewrites a signed waiver and recomputes its whole chain (so the chain verifies); the signature does not.
 * One validation names the bad field and value wherever a record is written. Needs `npm run build`.
 */
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Check } from '../../src/config/check';
import { attestationStatement, recordAttestation } from '../../src/evidence/attestations';
import { canonicalJson, linkHash } from '../../src/evidence/hash';
import { buildPack } from '../../src/evidence/pack/build';
import { signStatement } from '../../src/evidence/record-checks';
import type { EvidenceStore } from '../../src/evidence/store';
import { verifyStore } from '../../src/evidence/verify-store';
import { addWaiver, type Waiver } from '../../src/evidence/waivers';
import { runCli } from '../helpers/cli';
import { BACKENDS, makeEnv, octoberResults, writeAll, type TestEnv } from './helpers';

const NOW = new Date('2026-11-05T03:00:00Z');
const check = (id: string, type = 'http', target = `https://${id}.example`) =>
  ({
    id,
    name: id,
    type,
    element: 'security',
    scheduleText: '@hourly',
    timeoutMs: 1000,
    target,
    options: {},
    severity: 'high',
    labels: {},
    retries: 0,
    enabled: true,
  }) as unknown as Check;

describe.each(BACKENDS)('who wrote a waiver or attestation, provably, on %s', (backend) => {
  let env: TestEnv;
  let tmp: string;
  let config: string;
  const alice = generateKeyPairSync('ed25519');
  const withStore = async <T>(fn: (s: EvidenceStore) => Promise<T>): Promise<T> => {
    const s = await env.open();
    try {
      return await fn(s);
    } finally {
      await s.close();
    }
  };
  const cli = (args: string[]) =>
    runCli(args, {
      env: { PENGAWAS_DATA_DIR: env.dataDir, DATABASE_URL: env.databaseUrl ?? '', PENGAWAS_LOG_LEVEL: 'silent', USER: 'claims-to-be-ciso' },
      timeoutMs: 90_000,
    });

  beforeAll(async () => {
    env = await makeEnv(backend);
    tmp = mkdtempSync(path.join(os.tmpdir(), 'pengawas-records-'));
    writeFileSync(path.join(tmp, 'alice.key'), alice.privateKey.export({ type: 'pkcs8', format: 'pem' }), { mode: 0o600 });
    writeFileSync(path.join(tmp, 'alice.pub'), alice.publicKey.export({ type: 'spki', format: 'pem' }));
    config = path.join(tmp, 'settings.yaml');
    writeFileSync(config, `evidence:\n  operatorKeys:\n    - name: alice (CISO)\n      file: ${path.join(tmp, 'alice.pub')}\n`);
    await withStore(async (s) => {
      await s.recordConfig(
        'cfg-1',
        [check('api-tls'), check('pay-latency'), check('docs-fresh'), check('drp', 'attestation', 'drp-test')],
        new Date('2026-09-01T00:00:00Z'),
      );
      await writeAll(s, octoberResults());
    });
  }, 180_000);

  afterAll(async () => {
    await env?.cleanup();
    rmSync(tmp, { recursive: true, force: true });
  });

  it('records the writer: the database role on PostgreSQL, the OS user on an embedded store', async () => {
    const w = await withStore((s) =>
      addWaiver(
        s,
        {
          checkId: 'api-tls',
          reason: 'vendor patch',
          approver: 'CISO',
          risk: 'low',
          startsAt: new Date('2026-10-01T00:00:00Z'),
          expiresAt: new Date('2026-10-02T00:00:00Z'),
        },
        new Date('2026-09-30T00:00:00Z'),
      ),
    );
    expect(w.writtenBy).toEqual(
      backend === 'postgres' ? { kind: 'db-role', name: 'postgres' } : { kind: 'os-user', name: os.userInfo().username },
    );
    const [row] = await withStore((s) => s.db.query<{ body: string }>(`SELECT body FROM evidence_waivers WHERE id = $1`, [w.id]));
    expect(JSON.parse(row.body).writtenBy).toEqual(w.writtenBy);
  });

  it('validates every waiver and attestation with messages naming the field and value', async () => {
    const base = {
      checkId: 'api-tls',
      reason: 'r',
      approver: 'CISO',
      risk: 'low' as const,
      startsAt: new Date('2026-12-01T00:00:00Z'),
      expiresAt: new Date('2026-11-01T00:00:00Z'),
    };
    await expect(withStore((s) => addWaiver(s, base))).rejects.toThrow(
      'invalid waiver: expiresAt 2026-11-01T00:00:00.000Z is not after startsAt 2026-12-01T00:00:00.000Z',
    );
    await expect(
      withStore((s) => addWaiver(s, { ...base, expiresAt: new Date('2027-01-01T00:00:00Z'), checkId: 'no-such-check' })),
    ).rejects.toThrow('checkId "no-such-check" is not a check of the configuration in force (4 checks)');
    await expect(
      withStore((s) =>
        addWaiver(s, {
          ...base,
          expiresAt: new Date('2027-01-01T00:00:00Z'),
          approver: '  ',
          risk: 'huge' as 'low',
          reason: 'x'.repeat(2001),
        }),
      ),
    ).rejects.toThrow(
      'invalid waiver: reason is 2001 characters long; at most 2000; approver must not be blank; risk "huge" is not one of low, medium, high, critical',
    );
    await expect(withStore((s) => addWaiver(s, { ...base, expiresAt: new Date('not a date') }))).rejects.toThrow(
      'expiresAt "Invalid Date" is not a valid date',
    );
    await expect(
      withStore((s) => recordAttestation(s, { checkId: 'drp-test', by: 'Head of IT', evidenceHash: 'ABC', evidenceRef: 'dms://x' })),
    ).rejects.toThrow('invalid attestation: evidenceHash "ABC" is not a SHA-256 in lower-case hex');
    // The target of an attestation check is attestable; an unknown id is not.
    await expect(
      withStore((s) =>
        recordAttestation(
          s,
          { checkId: 'drp-test', by: 'Head of IT', evidenceHash: 'a'.repeat(64), evidenceRef: 'dms://x' },
          new Date('2026-10-03T00:00:00Z'),
        ),
      ),
    ).resolves.toMatchObject({ checkId: 'drp-test' });
    await expect(
      withStore((s) =>
        recordAttestation(s, { checkId: 'drp-tset', by: 'Head of IT', evidenceHash: 'a'.repeat(64), evidenceRef: 'dms://x' }),
      ),
    ).rejects.toThrow('checkId "drp-tset" is not a check of the configuration in force');
  });

  it('signs a waiver with --sign-key, shows the signer and the writer, and marks it in the report', async () => {
    const w = await cli([
      'waive',
      '--check',
      'docs-fresh',
      '--finding',
      'document.stale',
      '--reason',
      'legal review',
      '--approver',
      'CISO',
      '--risk',
      'low',
      '--from',
      '2026-10-11',
      '--expires',
      '2026-10-11',
      '--sign-key',
      path.join(tmp, 'alice.key'),
      '--config',
      config,
      '--json',
    ]);
    expect(w.stderr).toBe('');
    expect(w.code).toBe(0);
    const waiver = JSON.parse(w.stdout) as Waiver;
    expect(waiver.signature).toMatchObject({ algorithm: 'ed25519', signer: 'alice (CISO)' });
    expect(waiver.createdBy).toBe('claims-to-be-ciso'); // what the environment says, beside what the store saw
    expect(waiver.writtenBy?.kind).toBe(backend === 'postgres' ? 'db-role' : 'os-user');
    expect(JSON.stringify(waiver)).not.toContain('PRIVATE');
    const att = signStatement(
      attestationStatement({
        checkId: 'drp-test',
        by: 'Head of IT',
        evidenceHash: 'b'.repeat(64),
        evidenceRef: 'dms://drp/q3',
        expiresAt: new Date('2027-01-01T00:00:00Z'),
        note: null,
      }),
      alice.privateKey,
      'alice (CISO)',
    );
    await withStore((s) =>
      recordAttestation(
        s,
        {
          checkId: 'drp-test',
          by: 'Head of IT',
          evidenceHash: 'b'.repeat(64),
          evidenceRef: 'dms://drp/q3',
          expiresAt: new Date('2027-01-01T00:00:00Z'),
          signature: att,
        },
        new Date('2026-10-04T00:00:00Z'),
      ),
    );
    const pack = path.join(tmp, 'pack');
    await withStore((s) => buildPack(s, { month: '2026-10', outDir: pack, now: NOW }));
    const html = readFileSync(path.join(pack, 'report.html'), 'utf8');
    expect(html).toContain(`<tr data-waiver="${waiver.id}" data-signed="valid" data-signer="alice (CISO)">`);
    expect(html).toMatch(/<tr data-attestation="\d+" data-signed="valid" data-signer="alice \(CISO\)">/);
    expect(html).toMatch(/<tr data-waiver="\d+" data-signed="no">/);
  }, 120_000);

  it('refuses a signing key that is not an operator key in the settings, and a signature that does not match', async () => {
    const mallory = generateKeyPairSync('ed25519');
    writeFileSync(path.join(tmp, 'mallory.key'), mallory.privateKey.export({ type: 'pkcs8', format: 'pem' }));
    const r = await cli([
      'waive',
      '--check',
      'api-tls',
      '--reason',
      'x',
      '--approver',
      'CISO',
      '--risk',
      'low',
      '--expires',
      '2027-01-01',
      '--sign-key',
      path.join(tmp, 'mallory.key'),
      '--config',
      config,
    ]);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /--sign-key .*mallory\.key: key sha256 [0-9a-f]{64} is not among the 1 operator keys in the settings \(evidence\.operatorKeys\)/,
    );
    const content = {
      checkId: 'api-tls',
      reason: 'x',
      approver: 'CISO',
      risk: 'low' as const,
      startsAt: new Date('2026-12-01T00:00:00Z'),
      expiresAt: new Date('2027-01-01T00:00:00Z'),
    };
    const sig = signStatement(
      {
        kind: 'pengawas-waiver/1',
        ...content,
        approver: 'someone else',
        findingId: null,
        startsAt: content.startsAt.toISOString(),
        expiresAt: content.expiresAt.toISOString(),
      },
      alice.privateKey,
      'alice (CISO)',
    );
    await expect(withStore((s) => addWaiver(s, { ...content, signature: sig }))).rejects.toThrow(
      /signature: the signature by alice \(CISO\) .* does not verify over the record/,
    );
  }, 60_000);

  it('finds a signed waiver rewritten with its whole chain recomputed: the chain verifies, the signature does not', async () => {
    await withStore(async (s) => {
      const rows = await s.db.query<{ seq: number; body: string; hash: string }>(
        `SELECT seq, body, hash FROM evidence_waivers WHERE stream = '#waivers' ORDER BY seq`,
      );
      let prev = rows[0]
        ? (
            await s.db.query<{ prev_hash: string }>(`SELECT prev_hash FROM evidence_waivers WHERE stream = '#waivers' AND seq = $1`, [
              rows[0].seq,
            ])
          )[0].prev_hash
        : '';
      let rewritten = 0;
      for (const r of rows) {
        const body = JSON.parse(r.body);
        if (body.signature && !rewritten) ((body.approver = 'mallory'), (rewritten = Number(r.seq)));
        const text = canonicalJson(body);
        const hash = linkHash(prev, '#waivers', Number(r.seq), text);
        await s.db.query(
          `UPDATE evidence_waivers SET body = $1, prev_hash = $2, hash = $3, approver = $4 WHERE stream = '#waivers' AND seq = $5`,
          [text, prev, hash, body.approver, Number(r.seq)],
        );
        prev = hash;
      }
      await s.db.query(`UPDATE evidence_chain_heads SET hash = $1 WHERE stream = '#waivers'`, [prev]);
      const v = await verifyStore(s.db, s.timezone);
      expect(v.problems.map((p) => `${p.where}: ${p.problem}`)).toEqual([
        expect.stringMatching(
          new RegExp(
            `^stream #waivers seq ${rewritten}: the signature by alice \\(CISO\\) \\(key sha256 [0-9a-f]{64}\\) does not verify over the record`,
          ),
        ),
      ]);
      await expect(buildPack(s, { month: '2026-10', outDir: path.join(tmp, 'refused'), now: NOW })).rejects.toThrow(
        `refusing to sign the 2026-10 pack: the store's hash chains do not verify: stream #waivers seq ${rewritten}: the signature by alice (CISO)`,
      );
    });
  }, 120_000);
});
