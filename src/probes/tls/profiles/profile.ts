/**
 * Policy profiles: Mozilla server-side TLS guidelines 5.7 (`modern`, `intermediate`) and custom YAML profiles
 * (an operator's own minimums; they may `extends:` a built-in and override fields).
 */
import { readFile } from 'node:fs/promises';
import type * as Yaml from 'yaml';
import { z } from 'zod';
import { UsageError } from '../../../errors';
import { ALL_PROTOCOLS } from '../wire/constants';

export const profileSchema = z
  .object({
    name: z.string().min(1),
    extends: z.enum(['modern', 'intermediate']).optional(),
    /** Allowed protocol versions. */
    protocols: z.array(z.enum(ALL_PROTOCOLS)).optional(),
    /** Allowed TLS <= 1.2 suites (IANA or OpenSSL names). */
    ciphers: z.array(z.string()).optional(),
    /** Allowed TLS 1.3 suites. */
    tls13Ciphers: z.array(z.string()).optional(),
    /** Allowed key-exchange groups (X25519, prime256v1, secp384r1, ffdhe2048, ...). */
    groups: z.array(z.string()).optional(),
    /** Allowed certificate key types: RSA, EC, Ed25519. */
    certKeyTypes: z.array(z.string()).optional(),
    minRsaBits: z.number().int().positive().optional(),
    minEcBits: z.number().int().positive().optional(),
    minDhBits: z.number().int().positive().optional(),
    /** Allowed certificate signature algorithms (sha256WithRSAEncryption, ecdsa-with-SHA256, ...). */
    certSignatures: z.array(z.string()).optional(),
    maxCertLifetimeDays: z.number().int().positive().optional(),
    /** Minimum HSTS max-age in seconds (checked when the scan fetches HSTS). */
    hstsMinAge: z.number().int().nonnegative().optional(),
    /** Require a stapled OCSP answer (a warning, not a failure: many CAs are ending OCSP). */
    ocspStapling: z.boolean().optional(),
  })
  .strict();

export type Profile = z.infer<typeof profileSchema>;

const TLS13 = ['TLS_AES_128_GCM_SHA256', 'TLS_AES_256_GCM_SHA384', 'TLS_CHACHA20_POLY1305_SHA256'];
const GROUPS = ['X25519', 'prime256v1', 'secp384r1'];

/** Mozilla Server Side TLS 5.7, https://wiki.mozilla.org/Security/Server_Side_TLS (ssl-config.mozilla.org). */
export const BUILTIN_PROFILES: Record<'modern' | 'intermediate', Profile> = {
  intermediate: {
    name: 'mozilla-intermediate-5.7',
    protocols: ['TLSv1.2', 'TLSv1.3'],
    ciphers: [
      'ECDHE-ECDSA-AES128-GCM-SHA256',
      'ECDHE-RSA-AES128-GCM-SHA256',
      'ECDHE-ECDSA-AES256-GCM-SHA384',
      'ECDHE-RSA-AES256-GCM-SHA384',
      'ECDHE-ECDSA-CHACHA20-POLY1305',
      'ECDHE-RSA-CHACHA20-POLY1305',
      'DHE-RSA-AES128-GCM-SHA256',
      'DHE-RSA-AES256-GCM-SHA384',
      'DHE-RSA-CHACHA20-POLY1305',
    ],
    tls13Ciphers: TLS13,
    groups: GROUPS,
    certKeyTypes: ['RSA', 'EC'],
    minRsaBits: 2048,
    minEcBits: 256,
    minDhBits: 2048,
    certSignatures: ['sha256WithRSAEncryption', 'ecdsa-with-SHA256', 'ecdsa-with-SHA384', 'ecdsa-with-SHA512'],
    maxCertLifetimeDays: 366,
    hstsMinAge: 63072000,
    ocspStapling: true,
  },
  modern: {
    name: 'mozilla-modern-5.7',
    protocols: ['TLSv1.3'],
    ciphers: [],
    tls13Ciphers: TLS13,
    groups: GROUPS,
    certKeyTypes: ['EC'],
    minEcBits: 256,
    certSignatures: ['ecdsa-with-SHA256', 'ecdsa-with-SHA384', 'ecdsa-with-SHA512'],
    maxCertLifetimeDays: 90,
    hstsMinAge: 63072000,
    ocspStapling: true,
  },
};

/** `intermediate`, `modern`, `none` (no profile), or a YAML file path. */
export async function loadProfile(ref: string): Promise<Profile | undefined> {
  if (ref === 'none') return undefined;
  if (ref === 'modern' || ref === 'intermediate') return BUILTIN_PROFILES[ref];
  let text: string;
  try {
    text = await readFile(ref, 'utf8');
  } catch (e) {
    throw new UsageError(`cannot read TLS profile "${ref}": ${(e as Error).message}`);
  }
  // yaml is loaded for a profile file only: the built-in profiles need no parser.
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const { parse } = require('yaml') as typeof Yaml;
  const parsed = profileSchema.safeParse(parse(text));
  if (!parsed.success) {
    const why = parsed.error.issues.map((i) => `${i.path.join('.') || '(root)'}: ${i.message}`).join('; ');
    throw new UsageError(`TLS profile "${ref}" is invalid: ${why}`);
  }
  const p = parsed.data;
  return p.extends ? { ...BUILTIN_PROFILES[p.extends], ...p } : p;
}
