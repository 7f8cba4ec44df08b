/**
 * What each probe type accepts as `target`, checked at load with the very parser the probe runs, so
 * `validate` rejects a target the probe would reject at run time. A probe type without an entry here is
 * caught by a test, not silently left unchecked.
 */
import { readFileSync } from 'node:fs';
import YAML from 'yaml';
import { UsageError } from '../errors';
import { parseWebUrl } from '../net/target';
import { TARGET as ATTESTATION_TARGET } from '../probes/attestation/index';
import { parseSourceTarget } from '../probes/freshness/target';
import { parseTlsTarget } from '../probes/tls/options';
import { looksLikePath } from '../probes/tls/profile-ref';
import { profileSchema } from '../probes/tls/profiles/profile';

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
    if (!ATTESTATION_TARGET.test(t.trim()))
      throw new UsageError(`target "${t}" is not a check or control id (letters, digits, "_", ".", ":", "/", "-"; at most 200)`);
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

function readProblem(file: string): string | undefined {
  try {
    readFileSync(file);
    return undefined;
  } catch (e) {
    return `${JSON.stringify(file)} cannot be read here (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`;
  }
}

/**
 * Files the probe reads when it runs (caFile, a TLS profile YAML), checked on the machine that will run it (the
 * same condition as secret references: `checkSecrets`). A profile YAML is also validated as the probe would.
 */
export function localFileProblems(type: string, options: Record<string, unknown>): Array<{ field: string; message: string }> {
  const out: Array<{ field: string; message: string }> = [];
  const caFile = options.caFile;
  if (typeof caFile === 'string' && !caFile.includes('${')) {
    const why = readProblem(caFile);
    if (why) out.push({ field: 'options.caFile', message: `caFile ${why}` });
  }
  const profile = options.profile;
  if (type === 'tls' && typeof profile === 'string' && looksLikePath(profile)) {
    const why = readProblem(profile);
    if (why) out.push({ field: 'options.profile', message: `TLS profile ${why}` });
    else {
      let parsed: ReturnType<typeof profileSchema.safeParse> | undefined;
      try {
        parsed = profileSchema.safeParse(YAML.parse(readFileSync(profile, 'utf8')));
      } catch (e) {
        out.push({
          field: 'options.profile',
          message: `TLS profile ${JSON.stringify(profile)} is not valid YAML: ${(e as Error).message.split('\n')[0]}`,
        });
      }
      if (parsed && !parsed.success) {
        out.push({
          field: 'options.profile',
          message: `TLS profile ${JSON.stringify(profile)} is invalid: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`,
        });
      }
    }
  }
  return out;
}
