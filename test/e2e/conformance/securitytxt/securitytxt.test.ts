/**
 * RFC 9116 conformance of the securitytxt probe: every case of the table (two published validators' test suites
 * and the RFCs' own examples and grammar, cited row by row) is served over HTTPS and judged by the real probe.
 * A case agrees when pengawas gives the source's verdict and, for an invalid file, raises the named finding.
 * Rows marked `deliberate` are the documented disagreements; they assert pengawas's own verdict.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createCa, issue } from '../../../../src/demo/pki';
import type { ProbeResult } from '../../../../src/results/contract';
import { probe } from '../../../probes/freshness/helpers';
import type { Case } from './case';
import { RFC_CASES } from './cases-rfc';
import { VALIDATOR_CASES } from './cases-validators';

const DAY = 86_400_000;
const CASES: Case[] = [...VALIDATOR_CASES, ...RFC_CASES];
// A real OpenPGP signature packet (spaze/security-txt's signed-file test), for rows that need valid framing.
const SIGDATA = 'iJIEARYKADoWIQSvbhd14xH/eOkR59x/h5ABqcj1CgUCaH7y/xwcc3RpbGwudGVz\ndHNAbGlicmFyeS5leGFtcGxlAAoJEH+HkAGpyPUKRvEA/2cVGZs54ieQ7s1nSTla\n6O+JHJNaLOf3llvGRi55gW+BAQCDVLTj2q7cbHPS78lD/uvsgFI3NVWwZx8m72sx\nSmjCCQ==\n=bZYA';
const LINE_SCOPE_IGNORED = ['securitytxt.contact.missing', 'securitytxt.expires.missing'];

function fill(text: string, now: number): string {
  const iso = (ms: number) => new Date(now + ms).toISOString().replace(/\.\d+Z$/, 'Z');
  const d = new Date(now + 90 * DAY);
  const dd = (n: number) => String(n).padStart(2, '0');
  const days = ['Sunday', 'Monday', 'Tuesday', 'Wednesday', 'Thursday', 'Friday', 'Saturday'];
  const mons = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
  const ymd = `${d.getUTCFullYear()}-${dd(d.getUTCMonth() + 1)}-${dd(d.getUTCDate())}`;
  const hms = `${dd(d.getUTCHours())}:${dd(d.getUTCMinutes())}:${dd(d.getUTCSeconds())}`;
  const values: Record<string, string> = {
    FUT: iso(90 * DAY),
    FUT2: iso(120 * DAY),
    SOON: iso(10 * DAY).replace('Z', 'z'),
    PAST: iso(-5 * DAY),
    FAR: iso(730 * DAY),
    FUT_OFFSET: `${ymd}T${hms}+00:00`,
    FUT_MS: `${ymd}T${hms}.000+00:00`,
    RFC2822: `${days[d.getUTCDay()].slice(0, 3)}, ${dd(d.getUTCDate())} ${mons[d.getUTCMonth()]} ${d.getUTCFullYear()} ${hms} +0000`,
    RFC850: `${days[d.getUTCDay()]}, ${dd(d.getUTCDate())}-${mons[d.getUTCMonth()]}-${String(d.getUTCFullYear()).slice(2)} ${hms} UTC`,
    SPACED: `${ymd} ${hms}`,
    SIGDATA,
    SIGDATA_FLIPPED: SIGDATA.replace('iJIE', 'iJJE'),
  };
  return text.replace(/\{(FUT2|FUT_OFFSET|FUT_MS|FUT|SOON|PAST|FAR|RFC2822|RFC850|SPACED|SIGDATA_FLIPPED|SIGDATA)\}/g, (_m, k: string) => values[k]);
}

let server: https.Server;
let base: string;
let dir: string;
let caFile: string;
const now = Date.now();
const results = new Map<number, { verdict: Case['theirs']; fails: string[] }>();

beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'pengawas-sectxt-conf-'));
  const ca = createCa();
  caFile = path.join(dir, 'ca.pem');
  writeFileSync(caFile, ca.certPem);
  const cert = issue({ commonName: 'localhost', hosts: ['127.0.0.1'] }, ca);
  server = https.createServer({ cert: cert.certPem, key: cert.keyPem }, (req, res) => {
    const c = CASES[Number((req.url ?? '').split('/')[2])];
    res.writeHead(c ? 200 : 404, { 'content-type': 'text/plain; charset=utf-8' });
    res.end(c ? fill(c.text, now) : 'not found');
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  base = `https://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  const agree = CASES.filter((c, i) => agrees(c, results.get(i))).length;
  const verdicts = CASES.filter((c, i) => results.get(i)?.verdict === c.theirs).length;
  process.stderr.write(`security.txt conformance: ${verdicts} of ${CASES.length} verdicts agree with their source, ${agree} also with the named finding (${CASES.filter((c) => c.deliberate).length} deliberate disagreement)\n`);
  server.closeAllConnections();
  await new Promise((r) => server.close(r));
  rmSync(dir, { recursive: true, force: true });
});

function agrees(c: Case, r: { verdict: Case['theirs']; fails: string[] } | undefined): boolean {
  return !!r && r.verdict === c.theirs && (c.theirs === 'valid' || !c.ours || r.fails.includes(c.ours));
}

function judge(c: Case, r: ProbeResult): { verdict: Case['theirs']; fails: string[] } {
  const ignored = [...(c.scope === 'line' ? LINE_SCOPE_IGNORED : []), ...(c.ignore ?? [])];
  const fails = r.findings.filter((f) => f.status === 'fail' && !ignored.includes(f.id)).map((f) => f.id);
  return { verdict: fails.length ? 'invalid' : 'valid', fails };
}

describe.each(CASES.map((c, i) => [i, c.origin, c] as const))('case %i: %s', (i, _origin, c) => {
  it(c.deliberate ? `pengawas says ${c.theirs === 'valid' ? 'invalid' : 'valid'} (deliberate)` : `is ${c.theirs}`, async () => {
    const r = await probe('securitytxt', `${base}/case/${i}`, { caFile });
    expect(r.status).not.toBe('error');
    const got = judge(c, r);
    results.set(i, got);
    if (process.env.SECTXT_DEBUG) process.stderr.write(`${i} ${got.verdict} ${got.fails.join(",")}\n`);
    const want = c.deliberate ? (c.theirs === 'valid' ? 'invalid' : 'valid') : c.theirs;
    expect({ verdict: got.verdict, raised: c.ours && want === 'invalid' ? got.fails.includes(c.ours) : true, fails: got.fails }).toEqual({ verdict: want, raised: true, fails: got.fails });
  });
});
