/**
 * The keys that authenticate results on the stream: a worker signs the exact bytes it XADDs (HMAC-SHA256, with a
 * key id), a recorder records an entry only when the MAC verifies under the key that id names. Keys come from
 * `${env:…}`/`${file:…}` references and live only in process memory: never in Redis, logs, metrics or evidence.
 */
import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Settings } from '../config/settings';
import { ConfigError, SecretError } from '../errors';
import { resolveSecrets } from '../config/secrets';
import { logger } from '../util/logger';

/** 256 bits: what `openssl rand -hex 32` gives, and HMAC-SHA256's own output size. */
export const MIN_KEY_BYTES = 32;

export type VerifyOutcome = 'ok' | 'unknown_key' | 'bad_mac';

export class Keyring {
  constructor(
    private readonly keys: ReadonlyMap<string, Buffer>,
    /** The key id this process signs with (a recorder: only its gap reports); undefined when it has none. */
    readonly signWith: string | undefined,
    /** True when the key was generated at start (all roles in one process, no key configured). */
    readonly ephemeral = false,
  ) {
    if (signWith !== undefined && !keys.has(signWith)) throw new Error(`signing key ${signWith} is not in the keyring`);
  }

  /** A one-process keyring with a random key that exists only in this process's memory. */
  static ephemeral(): Keyring {
    const kid = `ephemeral-${randomBytes(4).toString('hex')}`;
    return new Keyring(new Map([[kid, randomBytes(MIN_KEY_BYTES)]]), kid, true);
  }

  get keyIds(): string[] {
    return [...this.keys.keys()];
  }

  sign(raw: string): { kid: string; mac: string } {
    if (this.signWith === undefined) throw new Error('this process has no results signing key');
    return { kid: this.signWith, mac: mac(this.keys.get(this.signWith)!, this.signWith, raw) };
  }

  verify(kid: string, raw: string, macHex: string): VerifyOutcome {
    const key = this.keys.get(kid);
    if (!key) return 'unknown_key';
    const want = Buffer.from(mac(key, kid, raw), 'hex');
    const got = Buffer.from(macHex, 'hex');
    // Buffer.from(hex) stops at the first non-hex character: a length check first, then a constant-time compare.
    return got.length === want.length && timingSafeEqual(got, want) ? 'ok' : 'bad_mac';
  }
}

/** The MAC binds the key id to the bytes, so an entry cannot be re-labelled with another key's id. */
function mac(key: Buffer, kid: string, raw: string): string {
  return createHmac('sha256', key).update(`pengawas-result-v1\n${kid}\n`).update(raw, 'utf8').digest('hex');
}

/**
 * The keyring a process with these roles needs. Configured keys are resolved from their references; a bad or short
 * key is a ConfigError naming it. With no key: one process running both worker and recorder gets a random key;
 * a split worker or recorder refuses to start, since nothing it publishes or accepts could be authenticated.
 */
export function keyringFor(
  settings: Settings['results'],
  role: { signs: boolean; verifies: boolean },
  env: NodeJS.ProcessEnv = process.env,
): Keyring | undefined {
  const { signs, verifies } = role;
  if (!signs && !verifies) return undefined;
  const where = (field: string, message: string) => new ConfigError([{ file: '(settings)', field, message }]);
  const entries = Object.entries(settings.keys);
  if (entries.length === 0) {
    if (signs && verifies) {
      const ring = Keyring.ephemeral();
      logger().warn(
        { keyId: ring.signWith },
        'no results key configured: results are signed with a random key held in this process only; results from any other pengawas process on this prefix will be rejected (set results.keys to run roles apart)',
      );
      return ring;
    }
    throw where(
      'results.keys',
      `a separate ${signs ? 'worker' : 'recorder'} needs the results key shared with every ${signs ? 'recorder' : 'worker'} (results.keys: { main: "\${file:/etc/pengawas/results.key}" }, or PENGAWAS_RESULTS_KEY='\${file:…}'; create one with \`openssl rand -hex 32\`), or run every role in one process with \`pengawas run\``,
    );
  }
  const keys = new Map<string, Buffer>();
  for (const [kid, ref] of entries) {
    let value: string;
    try {
      value = resolveSecrets(ref, env).value;
    } catch (e) {
      throw where(`results.keys.${kid}`, e instanceof SecretError ? e.message : String(e));
    }
    const bytes = Buffer.from(value, 'utf8');
    if (bytes.length < MIN_KEY_BYTES)
      throw where(
        `results.keys.${kid}`,
        `the key from ${ref} is ${bytes.length} bytes; use at least ${MIN_KEY_BYTES} (e.g. \`openssl rand -hex 32\`)`,
      );
    keys.set(kid, bytes);
  }
  let signWith: string | undefined;
  if (!signs) {
    // A recorder signs only what it reports on the gaps stream (results it had to drop): with the key named by
    // results.signWith, or the only key listed. With several and none named it lists gaps unsigned.
    signWith = settings.signWith && keys.has(settings.signWith) ? settings.signWith : entries.length === 1 ? entries[0][0] : undefined;
  } else {
    signWith = settings.signWith ?? (entries.length === 1 ? entries[0][0] : undefined);
    if (signWith === undefined)
      throw where(
        'results.signWith',
        `${entries.length} keys are listed (${[...keys.keys()].join(', ')}); name the one this worker signs with`,
      );
    if (!keys.has(signWith)) throw where('results.signWith', `"${signWith}" is not one of results.keys (${[...keys.keys()].join(', ')})`);
  }
  return new Keyring(keys, signWith);
}
