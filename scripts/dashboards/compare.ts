/**
 * Compares the committed dashboards with those of a git revision, value by value:
 * `npx tsx scripts/dashboards/compare.ts [REV]` (default main). Panels are matched by id (and must keep their
 * title), queries by refId, variables by name. A value that was removed or changed fails (exit 1) unless ACCEPTED
 * below says why; values only added are listed, grouped by panel type, for review. Run it when the Grafana
 * Foundation SDK is upgraded (pre-1.0: its defaults may move) or the generator is reworked.
 */
import { execFileSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..');
const DIR = 'grafana/dashboards';

/**
 * Removed or changed values accepted on purpose. Keys are generic paths (panel ids replaced by the panel type).
 * Each says why the meaning of the board is unchanged.
 */
export const ACCEPTED: Record<string, string> = {
  schemaVersion:
    'the SDK writes 42, the schema version its types model; 39 was the hand-written value. Grafana runs its schema ' +
    'migrations only on boards older than its own schema and leaves a newer board as it is; every other value of every ' +
    'panel, query and variable compares equal here',
  'templating.datasource.refresh':
    'the SDK datasource variable has no refresh field; Grafana refreshes datasource variables on dashboard load ' +
    '(its default, and the value 1 written before)',
  'panels[gauge].options.displayMode': 'a bar-gauge option written on the gauge panel too before; the gauge panel has no such option',
  'panels[gauge].options.showUnfilled': 'as above: a bar-gauge option, ignored by the gauge panel',
};

type Flat = Map<string, unknown>;
interface Json {
  [k: string]: unknown;
}

const isObj = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Leaf paths of `node`; panels keyed by id, targets by refId, variables by name, other arrays by index. */
function flatten(node: unknown, at: string, out: Flat, types: Map<string, string>): Flat {
  if (Array.isArray(node)) {
    if (node.length === 0) out.set(at, '[]');
    node.forEach((item, i) => {
      let key = String(i);
      if (isObj(item)) {
        if (at === 'panels' && typeof item.id === 'number') {
          key = String(item.id);
          types.set(`panels.${key}`, String(item.type));
        } else if (at.endsWith('.targets') && typeof item.refId === 'string') key = item.refId;
        else if (at === 'templating.list' && typeof item.name === 'string') key = item.name;
      }
      flatten(item, at === 'templating.list' ? `templating.${key}` : `${at}.${key}`, out, types);
    });
  } else if (isObj(node)) {
    const keys = Object.keys(node);
    if (keys.length === 0) out.set(at, '{}');
    for (const k of keys) flatten(node[k], at ? `${at}.${k}` : k, out, types);
  } else out.set(at, node);
  return out;
}

/** `panels.7.options.x` → `panels[stat].options.x`, so one SDK default is reported once per panel type. */
function generic(p: string, types: Map<string, string>): string {
  const m = /^panels\.(\d+)(\.|$)/.exec(p);
  return m ? p.replace(`panels.${m[1]}`, `panels[${types.get(`panels.${m[1]}`) ?? '?'}]`) : p;
}

export interface Report {
  broken: string[];
  accepted: Map<string, number>;
  added: Map<string, number>;
}

export function compareBoards(oldBoard: unknown, newBoard: unknown, file: string, report: Report): void {
  const oldTypes = new Map<string, string>();
  const newTypes = new Map<string, string>();
  const before = flatten(oldBoard, '', new Map(), oldTypes);
  const after = flatten(newBoard, '', new Map(), newTypes);
  for (const [p, v] of before) {
    const g = generic(p, oldTypes);
    const now = after.get(p);
    // An empty list or object that now has entries: what it gained is reported as added below.
    if ((v === '[]' || v === '{}') && now === undefined && [...after.keys()].some((k) => k.startsWith(`${p}.`))) continue;
    if (now === undefined || JSON.stringify(now) !== JSON.stringify(v)) {
      if (g in ACCEPTED) report.accepted.set(g, (report.accepted.get(g) ?? 0) + 1);
      else report.broken.push(`${file} ${p}: ${JSON.stringify(v)} → ${now === undefined ? '(removed)' : JSON.stringify(now)}`);
    }
  }
  for (const [p, v] of after) {
    if (before.has(p)) continue;
    const g = `${generic(p, newTypes)} = ${JSON.stringify(v)}`;
    report.added.set(g, (report.added.get(g) ?? 0) + 1);
  }
  for (const [p, t] of oldTypes) if (newTypes.get(p) !== t) report.broken.push(`${file} ${p}: panel type ${t} → ${newTypes.get(p)}`);
}

if (require.main === module) {
  const rev = process.argv[2] ?? 'main';
  const report: Report = { broken: [], accepted: new Map(), added: new Map() };
  const files = readdirSync(path.join(ROOT, DIR)).filter((f) => f.endsWith('.json'));
  for (const f of files) {
    const old = execFileSync('git', ['show', `${rev}:${DIR}/${f}`], { cwd: ROOT, encoding: 'utf8' });
    compareBoards(JSON.parse(old), JSON.parse(readFileSync(path.join(ROOT, DIR, f), 'utf8')), f, report);
  }
  const out = (s: string) => process.stdout.write(`${s}\n`);
  out(`compared ${files.length} boards with ${rev}`);
  out(`\nadded (${report.added.size} distinct):`);
  for (const [g, n] of [...report.added].sort()) out(`  ${g}  ×${n}`);
  out(`\nremoved or changed, accepted:`);
  for (const [g, n] of report.accepted) out(`  ${g}  ×${n}: ${ACCEPTED[g]}`);
  out(`\nremoved or changed, NOT accepted: ${report.broken.length}`);
  for (const b of report.broken) out(`  ${b}`);
  process.exitCode = report.broken.length ? 1 : 0;
}
