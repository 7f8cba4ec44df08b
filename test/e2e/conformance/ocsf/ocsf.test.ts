/**
 * findings.ocsf.json of a real built pack against OCSF 1.1.0 Compliance Finding (class 2003). The JSON Schema
 * beside this file is generated from github.com/ocsf/ocsf-schema tag v1.1.0 (commit 8ea34523a316…, see its
 * $comment) by generate-schema.js; python-jsonschema (Draft 2020-12) judges the events, so neither the schema's
 * builder nor the events' builder is the validator. Required attributes, types, enum ids with their captions and
 * attributes unknown to the class are all checked.
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { buildPack } from '../../../../src/evidence/pack/build';
import { OCSF_VERSION } from '../../../../src/evidence/pack/ocsf';
import type { EvidenceStore } from '../../../../src/evidence/store';
import { makeEnv, octoberResults, septemberResults, writeAll, type TestEnv } from '../../../evidence/helpers';

const SCHEMA = path.join(__dirname, `compliance_finding-${OCSF_VERSION}.schema.json`);

interface Report {
  events: number;
  errors: Array<{ event: number; path: string; message: string }>;
}
function validate(events: unknown[]): Report {
  const out = execFileSync('python3', [path.join(__dirname, 'validate.py'), SCHEMA], { input: JSON.stringify(events) }).toString();
  return JSON.parse(out) as Report;
}

let env: TestEnv;
let store: EvidenceStore;
let dir: string;
let events: Array<Record<string, any>>;

beforeAll(async () => {
  env = await makeEnv('sqlite');
  store = await env.open();
  dir = mkdtempSync(path.join(os.tmpdir(), 'pengawas-ocsf-'));
  await writeAll(store, [...septemberResults(), ...octoberResults()]);
  await buildPack(store, { month: '2026-10', outDir: path.join(dir, 'pack'), now: new Date('2026-11-05T03:00:00Z') });
  events = JSON.parse(readFileSync(path.join(dir, 'pack', 'findings.ocsf.json'), 'utf8'));
}, 180_000);
afterAll(async () => {
  await store?.close();
  await env?.cleanup();
  rmSync(dir, { recursive: true, force: true });
});

describe(`OCSF ${OCSF_VERSION} Compliance Finding`, () => {
  it('declares the version the schema was generated for', () => {
    const schema = JSON.parse(readFileSync(SCHEMA, 'utf8'));
    expect(schema.$comment).toContain(`tag v${OCSF_VERSION} `);
    for (const e of events) expect(e.metadata.version).toBe(OCSF_VERSION);
  });

  it('every event of a built pack validates: required attributes, types, enum captions, no unknown attributes', () => {
    expect(validate(events)).toEqual({ events: events.length, errors: [] });
    // The month has a failing, a waived and a warn finding, so every status mapping is exercised.
    expect(new Set(events.map((e) => e.compliance.status_id))).toEqual(new Set([3, 99]));
  });

  it('maps warn to 99 Other with a source-defined caption, not 2 "Warning" (missing information)', () => {
    const warn = events.find((e) => e.finding_info.title === 'http.latency.slow')!;
    expect(warn.compliance).toMatchObject({ status_id: 99, status: 'Warn' });
    expect(warn).toMatchObject({ severity_id: 2, severity: 'Low', resource: { uid: 'pay-latency' } });
  });

  it('the schema rejects what earlier packs wrote (so the validation above can fail)', () => {
    const e = events[0];
    const bad = [
      { ...e, resources: [e.resource] }, // 1.1.0 has singular `resource`
      { ...e, severity: String(e.severity).toLowerCase() }, // caption must be the enum's
      { ...e, compliance: { ...e.compliance, status_id: 2, status: 'Fail' } }, // id and caption disagree
      { ...e, severity_id: '4' }, // type
      (({ finding_info: _f, ...rest }) => rest)(e), // required attribute missing
      { ...e, type_uid: 200302 }, // type_uid = class_uid * 100 + activity_id
    ];
    const r = validate(bad);
    expect([...new Set(r.errors.map((x) => x.event))].sort()).toEqual([0, 1, 2, 3, 4, 5]);
  });
});
