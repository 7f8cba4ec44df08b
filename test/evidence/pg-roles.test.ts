/**
 * PostgreSQL access control as docs/security.md prescribes it: a writer role for the recorder (owns and migrates
 * the tables) and a read-only role for auditors, with exactly the GRANTs the document lists (read from it here,
 * so the document cannot drift from what is tested). The auditor runs `evidence verify --store` and reads; its
 * `attest`, and raw INSERT/UPDATE/DELETE, are refused by the database. Needs `npm run build`.
 */
import { randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { Client } from 'pg';
import { EvidenceStore } from '../../src/evidence/store';
import { runCli, ROOT } from '../helpers/cli';
import { CHECKS_YAML } from '../e2e/attestation/helpers';
import { makeEnv, PG_ADMIN, result, type TestEnv } from './helpers';

/** The SQL blocks of the "Evidence store access control" section, with the example names replaced. */
function documentedSql(names: Record<string, string>): string[] {
  const doc = readFileSync(path.join(ROOT, 'docs', 'security.md'), 'utf8');
  const section = doc.slice(doc.indexOf('## Evidence store access control'));
  const blocks = [...section.matchAll(/```sql\n([\s\S]*?)```/g)].map((m) => m[1]);
  return blocks.map((b) => Object.entries(names).reduce((s, [from, to]) => s.replaceAll(from, to), b));
}

describe('PostgreSQL roles for the evidence store', () => {
  let env: TestEnv;
  const tag = randomBytes(3).toString('hex');
  const names = { pengawas_recorder: `pengawas_rec_${tag}`, pengawas_auditor: `pengawas_aud_${tag}`, 'DATABASE pengawas': '' };
  const urlAs = (role: string) => {
    const u = new URL(env.databaseUrl!);
    u.username = role;
    return u.toString();
  };
  const admin = async (sql: string, db?: string) => {
    const u = new URL(PG_ADMIN);
    if (db) u.pathname = `/${db}`;
    const c = new Client(u.toString());
    await c.connect();
    try {
      await c.query(sql);
    } finally {
      await c.end();
    }
  };

  beforeAll(async () => {
    env = await makeEnv('postgres');
    const db = new URL(env.databaseUrl!).pathname.slice(1);
    names['DATABASE pengawas'] = `DATABASE ${db}`;
    const [setup, afterSchema] = documentedSql(names);
    await admin(setup, db);
    // The recorder creates the schema on its first start, then the auditor's grants apply to what exists.
    const rec = await EvidenceStore.open({ dataDir: env.dataDir, databaseUrl: urlAs(names.pengawas_recorder) });
    await rec.writeResults(
      [1, 2, 3].map((i) => ({ result: result('api', 'security', new Date(Date.UTC(2026, 9, 1, i)), i === 2 ? 'fail' : 'pass') })),
    );
    await rec.close();
    await admin(afterSchema, db);
  }, 60_000);

  afterAll(async () => {
    await env.cleanup();
    for (const r of [names.pengawas_auditor, names.pengawas_recorder]) await admin(`DROP ROLE IF EXISTS ${r}`);
  });

  it('the auditor verifies the store and reads it', async () => {
    const r = await runCli(['evidence', 'verify', '--store'], {
      env: { PENGAWAS_DATA_DIR: env.dataDir, DATABASE_URL: urlAs(names.pengawas_auditor), PENGAWAS_LOG_LEVEL: 'silent' },
    });
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    expect(r.stdout).toMatch(/^ok: 1 chains, 3 records, 0 sealed rollups verified \(postgres\)/);
    const s = await EvidenceStore.open({ dataDir: env.dataDir, databaseUrl: urlAs(names.pengawas_auditor) });
    try {
      expect((await s.db.query(`SELECT result_id FROM evidence_results`)).length).toBe(3);
    } finally {
      await s.close();
    }
  }, 60_000);

  it('the auditor cannot write: attest and raw statements are refused by the database', async () => {
    const checks = path.join(env.dataDir, 'checks');
    mkdirSync(checks, { recursive: true });
    writeFileSync(path.join(checks, 'checks.yaml'), CHECKS_YAML);
    const r = await runCli(
      [
        'attest',
        '--checks',
        checks,
        '--check',
        'tabletop-drill',
        '--by',
        'Mallory',
        '--evidence',
        'https://example.invalid/x.pdf',
        '--evidence-sha256',
        'a'.repeat(64),
        '--expires',
        '2099-01-01',
      ],
      {
        env: { PENGAWAS_DATA_DIR: env.dataDir, DATABASE_URL: urlAs(names.pengawas_auditor), PENGAWAS_LOG_LEVEL: 'silent' },
      },
    );
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(
      /PENGAWAS_EVIDENCE_STORE: evidence database postgres:\/\/pengawas_aud_\w+@.*: permission denied for table evidence_\w+; this database role may not do that/,
    );
    const s = await EvidenceStore.open({ dataDir: env.dataDir, databaseUrl: urlAs(names.pengawas_auditor) });
    try {
      for (const sql of [
        `INSERT INTO evidence_attestations (id, stream, seq, body, prev_hash, hash, check_id, evidence_hash) VALUES (9, '#attestations', 9, '{}', 'x', 'y', 'x', 'z')`,
        `UPDATE evidence_results SET status = 'pass'`,
        `DELETE FROM evidence_results`,
        `UPDATE evidence_chain_heads SET seq = 0`,
      ])
        await expect(s.db.run(sql)).rejects.toThrow(/permission denied for table/);
    } finally {
      await s.close();
    }
    const rec = await EvidenceStore.open({ dataDir: env.dataDir, databaseUrl: urlAs(names.pengawas_recorder) });
    try {
      expect((await rec.db.query(`SELECT result_id FROM evidence_results WHERE status = 'fail'`)).length).toBe(1);
    } finally {
      await rec.close();
    }
  }, 60_000);
});
