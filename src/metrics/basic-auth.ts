/**
 * HTTP basic authentication against bcrypt hashes, as exporter-toolkit does it: one bcrypt comparison at a time
 * (it is CPU-heavy by design), unknown users compared against a decoy hash so timing does not reveal which users
 * exist, and each (user, password) verdict cached so a scrape every 15 s costs a hash lookup, not a bcrypt run.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import bcrypt from 'bcryptjs';

const CACHE_MAX = 256;

export class BasicAuth {
  private readonly cache = new Map<string, boolean>();
  private queue: Promise<unknown> = Promise.resolve();
  /** bcrypt comparisons run so far (the test reads it to show that the cache works). */
  bcryptRuns = 0;

  /** A hash of a random secret at the configured users' cost: an unknown user costs as much as a known one. */
  private readonly decoy: string;

  constructor(private readonly users: Map<string, string>) {
    const first = users.values().next().value;
    this.decoy = first ? bcrypt.hashSync(randomBytes(16).toString('hex'), bcrypt.getRounds(first)) : '';
  }

  get enabled(): boolean {
    return this.users.size > 0;
  }

  /** True when the Authorization header names a configured user with the right password. */
  async check(header: string | undefined): Promise<boolean> {
    const creds = parseBasic(header);
    if (!creds) return false;
    const hash = this.lookup(creds.user);
    // The key holds a digest of the password, never the password itself; the hash is part of it, as in
    // exporter-toolkit, so a changed hash never reuses an old verdict.
    const key = createHash('sha256')
      .update(creds.user)
      .update('\0')
      .update(hash ?? this.decoy)
      .update('\0')
      .update(creds.pass)
      .digest('base64');
    const cached = this.cache.get(key);
    if (cached !== undefined) return cached && hash !== undefined;
    const ok = await this.serialised(() => bcrypt.compare(creds.pass, hash ?? this.decoy));
    this.remember(key, ok && hash !== undefined);
    return ok && hash !== undefined;
  }

  /** Finds the user's hash comparing every configured name in constant time (no early exit on a match). */
  private lookup(user: string): string | undefined {
    const want = createHash('sha256').update(user).digest();
    let found: string | undefined;
    for (const [name, hash] of this.users) {
      if (timingSafeEqual(createHash('sha256').update(name).digest(), want)) found = hash;
    }
    return found;
  }

  private serialised<T>(fn: () => Promise<T>): Promise<T> {
    this.bcryptRuns++;
    const run = this.queue.then(fn, fn);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private remember(key: string, ok: boolean): void {
    // Bounded: a client spraying passwords cannot grow the map; the oldest verdict leaves first.
    if (this.cache.size >= CACHE_MAX) this.cache.delete(this.cache.keys().next().value as string);
    this.cache.set(key, ok);
  }
}

function parseBasic(header: string | undefined): { user: string; pass: string } | undefined {
  const m = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header ?? '');
  if (!m) return undefined;
  const text = Buffer.from(m[1], 'base64').toString('utf8');
  const i = text.indexOf(':');
  return i < 0 ? undefined : { user: text.slice(0, i), pass: text.slice(i + 1) };
}
