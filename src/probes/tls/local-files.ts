/**
 * A `tls` check's profile given as a path: read and validated when checks load (on the machine that will run it,
 * like secret references), so `validate` reports an unreadable or invalid profile file before the probe meets it.
 * yaml is loaded only for a profile file: a cold `pengawas probe tls` does not load it.
 */
import { readFileSync } from 'node:fs';
import type * as Yaml from 'yaml';
import { looksLikePath } from './profile-ref';
import { profileSchema } from './profiles/profile';

export function profileFileProblems(options: Record<string, unknown>): Array<{ field: string; message: string }> {
  const profile = options.profile;
  if (typeof profile !== 'string' || !looksLikePath(profile)) return [];
  const problem = (message: string) => [{ field: 'options.profile', message: `TLS profile ${JSON.stringify(profile)} ${message}` }];
  let text: string;
  try {
    text = readFileSync(profile, 'utf8');
  } catch (e) {
    return problem(`cannot be read here (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
  let parsed: ReturnType<typeof profileSchema.safeParse>;
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const { parse } = require('yaml') as typeof Yaml;
    parsed = profileSchema.safeParse(parse(text));
  } catch (e) {
    return problem(`is not valid YAML: ${(e as Error).message.split('\n')[0]}`);
  }
  if (parsed.success) return [];
  return problem(`is invalid: ${parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ')}`);
}
