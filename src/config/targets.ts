/**
 * What each probe type accepts as `target`, checked at load with the very parser the probe runs, so
 * `validate` rejects a target the probe would reject at run time. A probe type without an entry here is
 * caught by a test, not silently left unchecked.
 */
import { UsageError } from '../errors';
import { parseWebUrl } from '../net/target';
import { TARGET as ATTESTATION_TARGET } from '../probes/attestation/index';
import { parseSourceTarget } from '../probes/freshness/target';
import { parseTlsTarget } from '../probes/tls/options';

type TargetCheck = (target: string, options: Record<string, unknown>) => void;

const webUrl: TargetCheck = (t) => {
  const url = parseWebUrl(t);
  if (!url.hostname) throw new UsageError(`target "${t}" has no host name`);
};

export const TARGET_CHECKS: Record<string, TargetCheck> = {
  http: webUrl,
  webpage: webUrl,
  securitytxt: webUrl,
  openapi: webUrl,
  transaction: webUrl,
  mfa: webUrl,
  tls: (t, o) => void parseTlsTarget(t, typeof o.starttls === 'string' ? o.starttls : undefined),
  freshness: (t) => void parseSourceTarget(t),
  attestation: (t) => {
    if (!ATTESTATION_TARGET.test(t.trim())) throw new UsageError(`target "${t}" is not a check or control id (letters, digits, "_", ".", ":", "/", "-"; at most 200)`);
  },
};

/** The problem with `target` for this probe type, or undefined when the probe would accept it. */
export function targetProblem(type: string, target: string, options: Record<string, unknown>): string | undefined {
  const check = TARGET_CHECKS[type];
  if (!check) return undefined;
  try {
    check(target, options);
    return undefined;
  } catch (e) {
    if (e instanceof UsageError) return e.message;
    throw e;
  }
}
