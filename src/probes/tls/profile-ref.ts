/**
 * The `profile` option of a tls check: a built-in name or the path of a profile YAML. A word that is neither a
 * built-in name nor clearly a path (no "/", no .yaml/.yml) is a misspelt name: rejected at load with the nearest
 * name suggested, instead of being read as a file and failing with ENOENT at run time.
 */
import { z } from 'zod';
import { nearest } from '../../util/nearest';

/** Built-in names; the `mozilla-` spellings follow Mozilla's Server Side TLS guidelines the profiles come from. */
export const PROFILE_NAMES: Record<string, 'intermediate' | 'modern' | 'none'> = {
  intermediate: 'intermediate',
  modern: 'modern',
  none: 'none',
  'mozilla-intermediate': 'intermediate',
  'mozilla-modern': 'modern',
};

export function looksLikePath(ref: string): boolean {
  return /[\\/]/.test(ref) || /\.(ya?ml|json)$/i.test(ref);
}

export const profileRef = z
  .string()
  .min(1)
  .transform((ref, ctx) => {
    const name = PROFILE_NAMES[ref.toLowerCase()];
    if (name) return name;
    if (looksLikePath(ref)) return ref;
    const names = Object.keys(PROFILE_NAMES);
    const near = nearest(ref, names);
    const hint = near ? `did you mean "${near}"? ` : '';
    ctx.addIssue({
      code: 'custom',
      message: `unknown TLS profile "${ref}"; ${hint}expected one of ${names.join(', ')}, or the path of a profile YAML (with a "/" or ending in .yaml)`,
    });
    return z.NEVER;
  });
