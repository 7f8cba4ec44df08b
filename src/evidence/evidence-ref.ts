/**
 * What an attestation's evidence is: a file (hashed, SHA-256, at attest time) or a URL. A URL is recorded as a
 * reference; its document is fetched once (bounded time and size; redirects are not followed, so the link must
 * name the document itself) and hashed, unless the operator gives the hash of a copy they hold (a page behind SSO cannot be fetched from here).
 * Only the hash and the reference are stored, never the contents. URLs with credentials or a query string are
 * refused as references: those often carry tokens, and the reference lands in evidence packs.
 */
import { createHash } from 'node:crypto';
import { createReadStream, statSync } from 'node:fs';
import path from 'node:path';
import { UsageError } from '../errors';
import { timedRequest } from '../net/timed-request';

export interface EvidenceRef {
  evidenceHash: string;
  evidenceRef: string;
  kind: 'file' | 'url';
  /** How the hash was obtained. */
  hashedFrom: 'file' | 'download' | 'given';
  bytes?: number;
}

export interface EvidenceRefOptions {
  /** SHA-256 (hex) of the document, given by the operator instead of fetching a URL. */
  sha256?: string;
  fetchTimeoutMs?: number;
  maxBytes?: number;
  /** Extra CA (PEM) for an intranet URL. */
  ca?: string;
}

export const DEFAULT_FETCH_TIMEOUT_MS = 15_000;
export const DEFAULT_MAX_EVIDENCE_BYTES = 50 * 1024 * 1024;

export async function resolveEvidence(given: string, o: EvidenceRefOptions = {}): Promise<EvidenceRef> {
  const text = given.trim();
  if (!text) throw new UsageError('--evidence is required: a file or an http(s) URL');
  const sha = o.sha256?.trim().toLowerCase();
  if (sha !== undefined && !/^[0-9a-f]{64}$/.test(sha)) throw new UsageError('--evidence-sha256 must be 64 hexadecimal characters');
  if (/^https?:\/\//i.test(text)) return urlEvidence(text, sha, o);
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(text)) throw new UsageError(`--evidence must be a file or an http(s) URL, got "${text}"`);
  const file = path.resolve(text);
  let size: number;
  try {
    const st = statSync(file);
    if (!st.isFile()) throw new UsageError(`evidence ${file} is not a regular file`);
    size = st.size;
  } catch (e) {
    if (e instanceof UsageError) throw e;
    throw new UsageError(`cannot read the evidence file ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  }
  const hash = await hashFile(file).catch((e: unknown) => {
    throw new UsageError(`cannot read the evidence file ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`);
  });
  if (sha && sha !== hash) throw new UsageError(`the evidence file ${file} has SHA-256 ${hash}, not the ${sha} given`);
  return { evidenceHash: hash, evidenceRef: file, kind: 'file', hashedFrom: 'file', bytes: size };
}

function hashFile(file: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const h = createHash('sha256');
    createReadStream(file)
      .on('error', reject)
      .on('data', (d) => h.update(d))
      .on('end', () => resolve(h.digest('hex')));
  });
}

async function urlEvidence(text: string, sha: string | undefined, o: EvidenceRefOptions): Promise<EvidenceRef> {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    throw new UsageError(`--evidence "${text}" is not a valid URL`);
  }
  if (url.username || url.password)
    throw new UsageError('--evidence URL must not carry credentials; they would be stored with the attestation');
  if (url.search) throw new UsageError('--evidence URL must not carry a query string (it often holds tokens); link the document itself');
  url.hash = '';
  const ref = url.toString();
  if (sha) return { evidenceHash: sha, evidenceRef: ref, kind: 'url', hashedFrom: 'given' };
  const maxBytes = o.maxBytes ?? DEFAULT_MAX_EVIDENCE_BYTES;
  let res;
  try {
    res = await timedRequest({ url, timeoutMs: o.fetchTimeoutMs ?? DEFAULT_FETCH_TIMEOUT_MS, maxBodyBytes: maxBytes + 1, ca: o.ca });
  } catch (e) {
    throw new UsageError(
      `cannot fetch the evidence ${ref}: ${(e as Error).message}. If it cannot be reached from here, pass the SHA-256 of your copy with --evidence-sha256`,
    );
  }
  if (res.status < 200 || res.status > 299)
    throw new UsageError(`fetching the evidence ${ref} answered HTTP ${res.status}; link the document itself, or pass --evidence-sha256`);
  if (res.bodyTruncated || res.body.length > maxBytes)
    throw new UsageError(`the evidence ${ref} is larger than ${maxBytes} bytes; pass the SHA-256 of your copy with --evidence-sha256`);
  return {
    evidenceHash: createHash('sha256').update(res.body).digest('hex'),
    evidenceRef: ref,
    kind: 'url',
    hashedFrom: 'download',
    bytes: res.body.length,
  };
}
