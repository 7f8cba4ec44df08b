/** The `options:` block of a `tls` check, and the `host:port` target syntax. */
import { isIP } from 'node:net';
import { z } from 'zod';
import { UsageError } from '../../errors';
import { profileRef } from './profile-ref';
import { ALL_PROTOCOLS } from './wire/constants';

export const tlsOptions = z
  .object({
    /** Speak a plaintext protocol first, then upgrade: SMTP STARTTLS, IMAP STARTTLS, PostgreSQL SSLRequest. */
    starttls: z.enum(['smtp', 'imap', 'postgres']).optional(),
    /** `intermediate` (default), `modern`, `none` (or `mozilla-…`), or the path of a custom profile YAML. */
    profile: profileRef.default('intermediate'),
    /** SNI name and the name the certificate must match (default: the target host). */
    servername: z.string().min(1).optional(),
    /** PEM bundle of extra trust anchors (private PKI); the system store is always used as well. */
    caFile: z.string().optional(),
    /**
     * Check revocation: for the leaf, the stapled OCSP answer, else its OCSP responder, else its CRL; for each
     * intermediate of the served chain, in parallel, its OCSP responder, else its CRL.
     */
    checkRevocation: z.boolean().default(true),
    /** Fetch `hstsPath` over HTTPS and assess Strict-Transport-Security. */
    hsts: z.boolean().default(false),
    hstsPath: z.string().startsWith('/').default('/'),
    /** Warn when the certificate expires within this many days (the operator's own threshold). */
    expiryWarnDays: z.number().int().min(0).max(3650).default(30),
    /** Protocols to test (default all: SSLv2 .. TLSv1.3). */
    protocols: z.array(z.enum(ALL_PROTOCOLS)).min(1).optional(),
    /**
     * Vulnerability checks: extra handshakes (secure renegotiation, TLS compression, TLS_FALLBACK_SCSV, CCS
     * injection, Heartbleed when the heartbeat extension is on) and the inferences from the enumeration (POODLE,
     * BEAST, SWEET32, FREAK, Logjam, DROWN, Lucky Thirteen).
     */
    vulnerabilities: z.boolean().default(true),
    /** Session checks (src/probes/tls/session.ts): resumption by id and by ticket, 0-RTT, client renegotiation. */
    sessions: z.boolean().default(true),
    /** Enumerate every accepted suite (false: only detect protocols and the negotiated suite). */
    enumerateCiphers: z.boolean().default(true),
    /**
     * The host name is resolved once per scan and every connection goes to one address (SNI and the certificate
     * name stay the host name). `first`: scan the first resolved address that accepts a connection. `all`: scan every resolved address one
     * after another (the check timeout bounds the whole run), merge their failing findings and compare them
     * (`tls.addresses.inconsistent`).
     */
    addresses: z.enum(['first', 'all']).default('first'),
    /** Handshakes in flight at once against the target. */
    concurrency: z.number().int().min(1).max(32).default(6),
    /** Deadline of one handshake attempt in milliseconds (the check timeout still bounds the whole scan). */
    handshakeTimeoutMs: z.number().int().min(100).max(60_000).default(5000),
    /** Bytes read from the server per handshake before giving up on it (hostile or huge chains). */
    maxHandshakeBytes: z
      .number()
      .int()
      .min(4096)
      .max(4 * 1024 * 1024)
      .default(256 * 1024),
  })
  .strict();

export type TlsOptions = z.infer<typeof tlsOptions>;

export interface TlsTarget {
  host: string;
  port: number;
}

const DEFAULT_PORTS: Record<string, number> = { smtp: 587, imap: 143, postgres: 5432 };

/** `host:port`, `[v6]:port`, or a bare host (port 443, or the STARTTLS protocol's usual port). */
export function parseTlsTarget(target: string, starttls?: string): TlsTarget {
  const t = target.trim().replace(/^tls:\/\//, '');
  let host = t;
  let portText: string | undefined;
  const v6 = /^\[([^\]]+)\](?::(\d+))?$/.exec(t);
  if (v6) {
    host = v6[1];
    portText = v6[2];
  } else if (!isIP(t) && t.includes(':')) {
    const i = t.lastIndexOf(':');
    host = t.slice(0, i);
    portText = t.slice(i + 1);
  }
  const port = portText === undefined ? (starttls ? DEFAULT_PORTS[starttls] : 443) : Number(portText);
  if (!host || /[\s/]/.test(host) || !Number.isInteger(port) || port < 1 || port > 65535) {
    throw new UsageError(`target "${target}" is not host:port`);
  }
  return { host, port };
}
