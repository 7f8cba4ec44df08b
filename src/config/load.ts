/**
 * Loads and validates every `*.yaml`/`*.yml` file directly inside a checks folder. Every problem is collected
 * (file, line, check id, field, what was expected) and reported together, never only the first.
 */
import { createHash } from 'node:crypto';
import { LineCounter, parseDocument, type Document } from 'yaml';
import type { z } from 'zod';
import { ConfigError, type ConfigProblem } from '../errors';
import { getProbe, probeTypes } from '../probes/registry';
import type { Severity } from '../results/contract';
import type { Check, CheckSet } from './check';
import { DEFAULT_LIMITS, listChecksFiles, readChecksFile, type ConfigLimits } from './files';
import { checkSchema, checksFileSchema } from './schema';
import { intervalSeconds, type Schedule } from './schedule';
import { didYouMean, issueMessage } from './messages';
import { findRefs, refProblem, shortRefProblem } from './secrets';
import { localFileProblems, targetProblem } from './targets';

export interface LoadOptions {
  /** Also require every ${env:..}/${file:..} reference to resolve here (roles that run probes). */
  checkSecrets?: boolean;
  env?: NodeJS.ProcessEnv;
  /** Size, count and alias bounds (defaults: DEFAULT_LIMITS). */
  limits?: Partial<ConfigLimits>;
}

interface RawId {
  id: string;
  file: string;
  line?: number;
}

/** What loadChecks threads through the files of one folder. */
interface InnerOptions extends LoadOptions {
  ids?: RawId[];
  seen?: { count: number };
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

/** Problems for zod issues; `root` is the value that was parsed (to quote the bad value), `schema` its schema. */
function zodProblems(
  ctx: FileContext,
  base: Array<string | number>,
  error: z.ZodError,
  root: unknown,
  schema: z.ZodType,
  checkId?: string,
  prefix: string[] = [],
): ConfigProblem[] {
  // One problem per unknown key, located at that key.
  const issues: Array<{ issue: z.core.$ZodIssue; at: PropertyKey[] }> = [];
  for (const i of error.issues) {
    if (i.code === 'unrecognized_keys') for (const k of i.keys) issues.push({ issue: { ...i, keys: [k] }, at: [...i.path, k] });
    else issues.push({ issue: i, at: i.path });
  }
  return issues.map(({ issue, at }) => {
    const p = [...prefix, ...(at as Array<string | number>)];
    return { file: ctx.file, line: lineOf(ctx, [...base, ...p]), checkId, field: fieldName(p), message: issueMessage(issue, root, schema) };
  });
}

function toSchedule(raw: unknown): { schedule: Schedule; text: string } {
  if (typeof raw === 'string') return { schedule: { kind: 'cron', expression: raw }, text: raw };
  const r = raw as { every?: number; cron?: string; timezone?: string };
  if (r.every !== undefined) return { schedule: { kind: 'every', intervalMs: r.every }, text: `every ${r.every / 1000}s` };
  return {
    schedule: { kind: 'cron', expression: r.cron!, timezone: r.timezone },
    text: `${r.cron}${r.timezone ? ` (${r.timezone})` : ''}`,
  };
}

function checkOne(ctx: FileContext, index: number, raw: unknown, opts: LoadOptions, problems: ConfigProblem[]): Check | undefined {
  const base: Array<string | number> = ['checks', index];
  const rawId = raw && typeof raw === 'object' ? (raw as { id?: unknown }).id : undefined;
  const checkId = typeof rawId === 'string' ? rawId : `#${index + 1}`;
  const parsed = checkSchema.safeParse(raw);
  if (!parsed.success) {
    for (const p of zodProblems(ctx, base, parsed.error, raw, checkSchema, checkId)) problems.push(p);
  }
  const type = raw && typeof raw === 'object' ? (raw as { type?: unknown }).type : undefined;
  const probe = typeof type === 'string' ? getProbe(type) : undefined;
  if (typeof type === 'string' && !probe) {
    problems.push({
      file: ctx.file,
      line: lineOf(ctx, [...base, 'type']),
      checkId,
      field: 'type',
      message: `unknown probe type "${type}"; known types: ${probeTypes().join(', ')}${didYouMean(type, probeTypes())}`,
    });
  }
  let options: Record<string, unknown> | undefined;
  if (probe) {
    const rawOptions = (raw as { options?: unknown }).options ?? {};
    const o = probe.options.safeParse(rawOptions);
    if (o.success) options = o.data as Record<string, unknown>;
    else for (const p of zodProblems(ctx, base, o.error, rawOptions, probe.options, checkId, ['options'])) problems.push(p);
  }
  // Secrets may only sit in options: anything else reaches labels, metrics or evidence.
  if (raw && typeof raw === 'object') {
    const { options: rawOptions, ...rest } = raw as Record<string, unknown>;
    for (const ref of findRefs(rest)) {
      problems.push({
        file: ctx.file,
        line: lineOf(ctx, [...base, ref.path.split('.')[0]]),
        checkId,
        field: ref.path,
        message: 'secret references are only allowed inside options (this field ends up in metrics and evidence)',
      });
    }
    if (opts.checkSecrets) {
      for (const f of probe && options ? localFileProblems(probe, options) : [])
        problems.push({ file: ctx.file, line: lineOf(ctx, [...base, ...f.field.split('.')]), checkId, ...f });
      for (const ref of findRefs(rawOptions, 'options')) {
        const why = refProblem(ref, opts.env);
        if (why)
          problems.push({
            file: ctx.file,
            line: lineOf(ctx, [...base, 'options']),
            checkId,
            field: ref.path,
            message: `missing secret reference \${${ref.kind}:${ref.name}}: ${why}`,
          });
        const short = why ? undefined : shortRefProblem(ref, opts.env);
        if (short) problems.push({ file: ctx.file, line: lineOf(ctx, [...base, 'options']), checkId, field: ref.path, message: short });
      }
    }
  }
  // The target, checked by the parser the probe itself runs (reported whatever else is wrong with the check).
  const rawTarget = raw && typeof raw === 'object' ? (raw as { target?: unknown }).target : undefined;
  const badTarget =
    probe && typeof rawTarget === 'string' && rawTarget
      ? targetProblem(probe, rawTarget, options ?? (raw as { options?: Record<string, unknown> }).options ?? {})
      : undefined;
  if (badTarget)
    problems.push({
      file: ctx.file,
      line: lineOf(ctx, [...base, 'target']),
      checkId,
      field: 'target',
      message: `${badTarget}; a ${probe!.type} check expects ${probe!.targetHelp}`,
    });
  if (!parsed.success || !options || badTarget) return undefined;
  const c = parsed.data;
  const { schedule, text } = toSchedule(c.schedule);
  const intervalMs = intervalSeconds(schedule) * 1000;
  if (c.timeout > intervalMs) {
    problems.push({
      file: ctx.file,
      line: lineOf(ctx, [...base, 'timeout']),
      checkId,
      field: 'timeout',
      message: `timeout ${c.timeout}ms is longer than the schedule interval (${intervalMs}ms); runs would overlap`,
    });
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
    ...(c.description !== undefined ? { description: c.description } : {}),
    ...(c.description_id !== undefined ? { descriptionId: c.description_id } : {}),
    runbook: c.runbook,
    labels: c.labels,
    retries: c.retries,
    enabled: c.enabled,
    source: { file: ctx.file, line: lineOf(ctx, base) },
  };
}

/** Parses one file's text; exported for tests and for `validate` on a single file. */
export function parseChecksFile(file: string, text: string, opts: InnerOptions, problems: ConfigProblem[]): Check[] {
  const lines = new LineCounter();
  const doc = parseDocument(text, { lineCounter: lines, prettyErrors: true, uniqueKeys: true });
  if (doc.errors.length > 0) {
    for (const e of doc.errors) {
      problems.push({ file, line: e.linePos?.[0]?.line, field: '(yaml)', message: `YAML syntax error: ${e.message.split('\n')[0]}` });
    }
    return [];
  }
  const ctx: FileContext = { file, doc, lines };
  const limits = { ...DEFAULT_LIMITS, ...opts.limits };
  let js: unknown;
  try {
    // maxAliasCount weighs each alias by the aliases inside it, so a nested "billion laughs" is caught early.
    js = doc.toJS({ maxAliasCount: limits.maxAliases });
  } catch (e) {
    const why =
      e instanceof ReferenceError && /alias/i.test(e.message)
        ? `too many YAML alias expansions (limit ${limits.maxAliases}); an alias bomb expands exponentially`
        : `cannot read the YAML: ${(e as Error).message}`;
    problems.push({ file, field: '(yaml)', message: why });
    return [];
  }
  const top = checksFileSchema.safeParse(js);
  if (!top.success) {
    for (const p of zodProblems(ctx, [], top.error, js, checksFileSchema))
      problems.push({ ...p, message: `${p.message} (a checks file has one top-level key, checks: a list)` });
    return [];
  }
  const raws = top.data.checks;
  const seen = opts.seen ?? { count: 0 };
  if (seen.count + raws.length > limits.maxChecks) {
    problems.push({
      file,
      line: lineOf(ctx, ['checks']),
      field: 'checks',
      message: `${seen.count + raws.length} checks in the folder so far, above the limit of ${limits.maxChecks}`,
    });
    return [];
  }
  seen.count += raws.length;
  const out: Check[] = [];
  for (let i = 0; i < raws.length; i++) {
    const raw = raws[i];
    const c = checkOne(ctx, i, raw, opts, problems);
    if (c) out.push(c);
    const id = raw && typeof raw === 'object' ? (raw as { id?: unknown }).id : undefined;
    if (typeof id === 'string') opts.ids?.push({ id, file, line: lineOf(ctx, ['checks', i]) });
  }
  return out;
}

export function hashChecks(checks: Check[]): string {
  const h = createHash('sha256');
  // Intl.Collator().compare orders exactly as localeCompare() without arguments (the hashes stay the same), faster.
  const order = new Intl.Collator().compare;
  for (const c of [...checks].sort((a, b) => order(a.id, b.id))) {
    // The source file and line are where a check is written, not what it is: moving it keeps its hash.
    h.update(JSON.stringify({ ...c, source: undefined }));
  }
  return h.digest('hex');
}

/** Loads a checks folder; throws ConfigError listing every problem. */
export function loadChecks(dir: string, opts: LoadOptions = {}): CheckSet {
  const problems: ConfigProblem[] = [];
  const limits = { ...DEFAULT_LIMITS, ...opts.limits };
  const files = listChecksFiles(dir, problems);
  if (files && files.length === 0 && problems.length === 0)
    problems.push({ file: dir, field: '(folder)', message: 'no *.yaml or *.yml files found' });
  const checks: Check[] = [];
  // Every check that names an id, valid or not: a duplicate is reported even when a copy has other errors.
  const ids: RawId[] = [];
  const inner: InnerOptions = { ...opts, limits, ids, seen: { count: 0 } };
  for (const file of files ?? []) {
    const text = readChecksFile(file, limits, problems);
    if (text === undefined) continue;
    // A loop, not push(...): 200,000 checks as call arguments overflow the stack.
    for (const c of parseChecksFile(file, text, inner, problems)) checks.push(c);
  }
  const firstAt = new Map<string, RawId>();
  for (const r of ids) {
    const prior = firstAt.get(r.id);
    if (prior)
      problems.push({
        file: r.file,
        line: r.line,
        checkId: r.id,
        field: 'id',
        message: `duplicate check id "${r.id}"; first defined at ${prior.file}:${prior.line ?? '?'}`,
      });
    else firstAt.set(r.id, r);
  }
  if (problems.length > 0) throw new ConfigError(problems);
  const byId = new Map<string, Check>();
  for (const c of checks) byId.set(c.id, c);
  return { checks, byId, hash: hashChecks(checks), loadedAt: new Date() };
}
