/** Revocation status of the leaf: stapled OCSP first (no extra traffic), then the OCSP responder, then the CRL. */
import type { X509Certificate } from 'node:crypto';
import { ProbeError } from '../../../errors';
import { checkCrl, queryCrl } from './crl';
import type { FetchLimits } from './http';
import { parseOcspResponse, queryOcsp, type OcspAnswer } from './ocsp';

export { checkCrl };

export interface Revocation extends OcspAnswer {
  method: 'stapled-ocsp' | 'ocsp' | 'crl' | 'none';
  source?: string;
}

export async function checkRevocation(
  input: { leaf: Buffer; issuer?: X509Certificate; stapled?: Buffer; ocspUrls: string[]; crlUrls: string[] },
  limits: FetchLimits,
): Promise<Revocation> {
  if (!input.issuer) return { method: 'none', status: 'unknown', detail: 'issuer certificate not available' };
  const issuer = input.issuer;
  const attempts: string[] = [];
  if (input.stapled) {
    try {
      const a = parseOcspResponse(input.stapled, input.leaf, issuer);
      if (a.status !== 'unknown') return { method: 'stapled-ocsp', ...a };
      attempts.push(`stapled: ${a.detail}`);
    } catch (e) {
      attempts.push(`stapled: ${(e as Error).message}`);
    }
  }
  const tries: Array<[Revocation['method'], string, () => Promise<OcspAnswer>]> = [
    ...input.ocspUrls.map(
      (u) => ['ocsp', u, () => queryOcsp(u, input.leaf, issuer, limits)] as [Revocation['method'], string, () => Promise<OcspAnswer>],
    ),
    ...input.crlUrls.map(
      (u) => ['crl', u, () => queryCrl(u, input.leaf, issuer, limits)] as [Revocation['method'], string, () => Promise<OcspAnswer>],
    ),
  ];
  for (const [method, source, run] of tries) {
    try {
      const a = await run();
      if (a.status !== 'unknown') return { method, source, ...a };
      attempts.push(`${source}: ${a.detail}`);
    } catch (e) {
      if (limits.signal.aborted) throw e;
      attempts.push(`${source}: ${e instanceof ProbeError ? e.message : String(e)}`);
    }
  }
  if (!tries.length && !input.stapled)
    return { method: 'none', status: 'unknown', detail: 'the certificate names no OCSP responder or CRL' };
  return { method: tries[0]?.[0] ?? 'stapled-ocsp', status: 'unknown', detail: attempts.join('; ') };
}
