/**
 * Loads and validates every `*.yaml`/`*.yml` file directly inside a checks folder. Every problem is collected
 * (file, line, check id, field, what was expected) and reported together, never only the first.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { LineCounter, parseDocument, type Document } from 'yaml';
import type { z } from 'zod';
import { ConfigError, type ConfigProblem } from '../errors';
import { getProbe, probeTypes } from '../probes/registry';
import type { Severity } from '../results/contract';
import type { Check, CheckSet } from './check';
import { checkSchema, checksFileSchema } from './schema';
import { intervalSeconds, type Schedule } from './schedule';
import { findRefs, refProblem, shortRefProblem } from './secrets';

export interface LoadOptions {
  /** Also require every ${env:..}/${file:..} reference to resolve here (roles that run probes). */
  checkSecrets?: boolean;
  env?: NodeJS.ProcessEnv;
}

interface FileContext {
  file: string;
  doc: Document;
  lines: LineCounter;
}

function lineOf(ctx: FileContext, keyPath: Array<string | number>): number | undefined {
  for (let n = keyPath.length; n >= 0; n--) {
    const node = ctx.doc.getIn(keyPath.slice(0, n), true) as { range?: [number, number, number] } | undefined;
    if (node && node.range) return ctx.lines.linePos(node.range[0]).line;
  }
  return undefined;
}

function fieldName(p: ReadonlyArray<PropertyKey>): string {
  return p.reduce<string>((acc, k) => (typeof k === 'number' ? `${acc}[${k}]` : acc ? `${acc}.${String(k)}` : String(k)), '') || '(check)';
}

function zodProblems(ctx: FileContext, base: Array<string | number>, error: z.ZodError, checkId?: string, prefix: string[] = []): ConfigProblem[] {
  return error.issues.map((issue) => {
    const p = [...prefix, ...(issue.path as Array<string | number>)];
    return { file: ctx.file, line: lineOf(ctx, [...base, ...p]), checkId, field: fieldName(p), message: issue.message };
  });
}

function listFiles(dir: string): string[] {
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch (e) {
    throw new ConfigError([{ file: dir, field: '(folder)', message: `cannot read checks folder (${(e as NodeJS.ErrnoException).code})` }]);
  }
  return entries
    .filter((f) => /\.ya?ml$/i.test(f))
    .map((f) => path.join(dir, f))
    .filter((f) => statSync(f).isFile())
    .sort();
}

function toSchedule(raw: unknown): { schedule: Schedule; text: string } {
  if (typeof raw === 'string') return { schedule: { kind: 'cron', expression: raw }, text: raw };
  const r = raw as { every?: number; cron?: string; timezone?: string };
  if (r.every !== undefined) return { schedule: { kind: 'every', intervalMs: r.every }, text: `every ${r.every / 1000}s` };
  return { schedule: { kind: 'cron', expression: r.cron!, timezone: r.timezone }, text: `${r.cron}${r.timezone ? ` (${r.timezone})` : ''}` };
}

function checkOne(ctx: FileContext, index: number, raw: unknown, opts: LoadOptions, problems: ConfigProblem[]): Check | undefined {
  const base: Array<string | number> = ['checks', index];
  const rawId = raw && typeof raw === 'object' ? (raw as { id?: unknown }).id : undefined;
  const checkId = typeof rawId === 'string' ? rawId : `#${index + 1}`;
  const parsed = checkSchema.safeParse(raw);
  if (!parsed.success) {
    problems.push(...zodProblems(ctx, base, parsed.error, checkId));
  }
  const type = raw && typeof raw === 'object' ? (raw as { type?: unknown }).type : undefined;
  const probe = typeof type === 'string' ? getProbe(type) : undefined;
  if (typeof type === 'string' && !probe) {
    problems.push({ file: ctx.file, line: lineOf(ctx, [...base, 'type']), checkId, field: 'type', message: `unknown probe type "${type}"; known types: ${probeTypes().join(', ')}` });
  }
  let options: Record<string, unknown> | undefined;
  if (probe) {
    const rawOptions = (raw as { options?: unknown }).options ?? {};
    const o = probe.options.safeParse(rawOptions);
    if (o.success) options = o.data as Record<string, unknown>;
    else problems.push(...zodProblems(ctx, base, o.error, checkId, ['options']));
  }
  // Secrets may only sit in options: anything else reaches labels, metrics or evidence.
  if (raw && typeof raw === 'object') {
    const { options: rawOptions, ...rest } = raw as Record<string, unknown>;
    for (const ref of findRefs(rest)) {
      problems.push({ file: ctx.file, line: lineOf(ctx, [...base, ref.path.split('.')[0]]), checkId, field: ref.path, message: 'secret references are only allowed inside options (this field ends up in metrics and evidence)' });
    }
    if (opts.checkSecrets) {
      for (const ref of findRefs(rawOptions, 'options')) {
        const why = refProblem(ref, opts.env);
        if (why) problems.push({ file: ctx.file, line: lineOf(ctx, [...base, 'options']), checkId, field: ref.path, message: `missing secret reference \${${ref.kind}:${ref.name}}: ${why}` });
        const short = why ? undefined : shortRefProblem(ref, opts.env);
        if (short) problems.push({ file: ctx.file, line: lineOf(ctx, [...base, 'options']), checkId, field: ref.path, message: short });
      }
    }
  }
  if (!parsed.success || !options) return undefined;
  const c = parsed.data;
  const { schedule, text } = toSchedule(c.schedule);
  const intervalMs = intervalSeconds(schedule) * 1000;
  if (c.timeout > intervalMs) {
    problems.push({ file: ctx.file, line: lineOf(ctx, [...base, 'timeout']), checkId, field: 'timeout', message: `timeout ${c.timeout}ms is longer than the schedule interval (${intervalMs}ms); runs would overlap` });
  }
  return {
    id: c.id,
    name: c.name ?? c.id,
    type: c.type,
    element: c.element,
    schedule,
    scheduleText: text,
    intervalMs,
    timeoutMs: c.timeout,
    target: c.target,
    options,
    severity: c.severity as Severity,
    owner: c.owner,
    runbook: c.runbook,
    labels: c.labels,
    retries: c.retries,
    enabled: c.enabled,
    source: { file: ctx.file, line: lineOf(ctx, base) },
  };
}

/** Parses one file's text; exported for tests and for `validate` on a single file. */
export function parseChecksFile(file: string, text: string, opts: LoadOptions, problems: ConfigProblem[]): Check[] {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    for (const e of doc.errors) {
      problems.push({ file, line: e.linePos?.[0]?.line, field: '(yaml)', message: `YAML syntax error: ${e.message.split('\n')[0]}` });
    }
    return [];
  }
  const ctx: FileContext = { file, doc, lines };
  const top = checksFileSchema.safeParse(doc.toJS());
  if (!top.success) {
    problems.push(...zodProblems(ctx, [], top.error).map((p) => ({ ...p, message: `${p.message} (a checks file has one top-level key, checks: a list)` })));
    return [];
  }
  const out: Check[] = [];
  top.data.checks.forEach((raw, i) => {
    const c = checkOne(ctx, i, raw, opts, problems);
    if (c) out.push(c);
  });
  return out;
}

export function hashChecks(checks: Check[]): string {
  const h = createHash('sha256');
  for (const c of [...checks].sort((a, b) => a.id.localeCompare(b.id))) {
    const { source: _source, ...def } = c;
    h.update(JSON.stringify(def));
  }
  return h.digest('hex');
}

/** Loads a checks folder; throws ConfigError listing every problem. */
export function loadChecks(dir: string, opts: LoadOptions = {}): CheckSet {
  const problems: ConfigProblem[] = [];
  const files = listFiles(dir);
  if (files.length === 0) problems.push({ file: dir, field: '(folder)', message: 'no *.yaml or *.yml files found' });
  const checks: Check[] = [];
  for (const file of files) checks.push(...parseChecksFile(file, readFileSync(file, 'utf8'), opts, problems));
  const byId = new Map<string, Check>();
  for (const c of checks) {
    const prior = byId.get(c.id);
    if (prior) {
      problems.push({ file: c.source.file, line: c.source.line, checkId: c.id, field: 'id', message: `duplicate check id; first defined at ${prior.source.file}:${prior.source.line ?? '?'}` });
    } else byId.set(c.id, c);
  }
  if (problems.length > 0) throw new ConfigError(problems);
  return { checks, byId, hash: hashChecks(checks), loadedAt: new Date() };
}
