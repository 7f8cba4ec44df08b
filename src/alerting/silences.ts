/**
 * Alertmanager v2 silences for maintenance windows (`pengawas maintenance add|end` with
 * `maintenance.alertmanager` in the settings): the matchers a window's scope needs, `POST /api/v2/silences` to make
 * one and `DELETE /api/v2/silence/{id}` to expire it, with a bounded wait and errors that name the Alertmanager and
 * what it answered. pengawas alerts carry `check` (the check id; `*` on element- and pipeline-wide alerts) and
 * `element`; a check's own `labels:` sit on pengawas_check_info only, so a label scope is silenced by the ids of
 * the checks that carry the label.
 */

/** One matcher of an Alertmanager v2 silence (its API's own field names). */
export interface SilenceMatcher {
  name: string;
  value: string;
  isRegex: boolean;
  isEqual: boolean;
}

export interface AlertmanagerTarget {
  /** Base URL, e.g. http://alertmanager:9093 (a path prefix such as /alertmanager is kept). */
  url: string;
  /** Authorization and similar, secrets already resolved; never printed. */
  headers: Record<string, string>;
  timeoutMs: number;
}

export class AlertmanagerError extends Error {}

const eq = (name: string, value: string): SilenceMatcher => ({ name, value, isRegex: false, isEqual: true });
/** Check alerts only: element- and pipeline-wide alerts carry check="*" and are not the window's. */
const NOT_WIDE: SilenceMatcher = { name: 'check', value: '*', isRegex: false, isEqual: false };
const escapeRe = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * The matchers silencing the alerts of a window's checks, or why there are none. `covered`: the checks of the
 * configuration in force the scope covers (null when no configuration is recorded), needed for a label scope.
 */
export function silenceMatchers(
  scope: { kind: 'check' | 'element' | 'label' | 'all'; value: string | null },
  covered: Array<{ id: string }> | null,
): { matchers: SilenceMatcher[] } | { none: string } {
  if (scope.kind === 'check') return { matchers: [eq('check', scope.value ?? '')] };
  if (scope.kind === 'element') return { matchers: [eq('element', scope.value ?? ''), NOT_WIDE] };
  if (scope.kind === 'all') return { matchers: [{ name: 'check', value: '.+', isRegex: true, isEqual: true }, NOT_WIDE] };
  if (!covered) return { none: `no configuration is recorded in the evidence store, so the checks labelled ${scope.value} are unknown` };
  if (!covered.length) return { none: `no check of the configuration in force carries the label ${scope.value}` };
  const ids = [...new Set(covered.map((c) => c.id))].sort();
  return { matchers: [{ name: 'check', value: ids.map(escapeRe).join('|'), isRegex: true, isEqual: true }] };
}

async function call(am: AlertmanagerTarget, method: string, apiPath: string, body?: unknown): Promise<string> {
  const url = `${am.url.replace(/\/+$/, '')}${apiPath}`;
  let res: Response;
  try {
    res = await fetch(url, {
      method,
      headers: { ...am.headers, ...(body ? { 'content-type': 'application/json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
      signal: AbortSignal.timeout(am.timeoutMs),
      redirect: 'error',
    });
  } catch (e) {
    const err = e as Error & { cause?: { code?: string; message?: string } };
    const why =
      err.name === 'TimeoutError' ? `no answer within ${am.timeoutMs} ms` : (err.cause?.code ?? err.cause?.message ?? err.message);
    throw new AlertmanagerError(`cannot reach Alertmanager at ${am.url} (${method} ${apiPath}): ${why}`);
  }
  const text = await res.text();
  if (!res.ok)
    throw new AlertmanagerError(
      `Alertmanager at ${am.url} answered ${method} ${apiPath} with HTTP ${res.status}: ${text.replace(/\s+/g, ' ').trim().slice(0, 300)}`,
    );
  return text;
}

/** Makes the silence; returns its id. */
export async function createSilence(
  am: AlertmanagerTarget,
  s: { matchers: SilenceMatcher[]; startsAt: string; endsAt: string; createdBy: string; comment: string },
): Promise<string> {
  const text = await call(am, 'POST', '/api/v2/silences', s);
  let id: unknown;
  try {
    id = (JSON.parse(text) as { silenceID?: unknown }).silenceID;
  } catch {
    id = undefined;
  }
  if (typeof id !== 'string' || !/^[A-Za-z0-9-]{1,100}$/.test(id))
    throw new AlertmanagerError(`Alertmanager at ${am.url} answered POST /api/v2/silences without a silence id: ${text.slice(0, 200)}`);
  return id;
}

/** Expires the silence now. */
export async function expireSilence(am: AlertmanagerTarget, id: string): Promise<void> {
  await call(am, 'DELETE', `/api/v2/silence/${encodeURIComponent(id)}`);
}
