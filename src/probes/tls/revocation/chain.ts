/**
 * Revocation status of the intermediates the server sent: every certificate after the leaf that is not a
 * self-signed root, each checked against its own issuer (the next sent certificate that verifies it, else a trust
 * anchor) by its OCSP responder, then its CRL — as the leaf, without stapling (a server staples the leaf's answer
 * only). All intermediates are checked side by side, and side by side with the leaf.
 */
import { X509Certificate } from 'node:crypto';
import { dn, findIssuer } from '../cert/analyze';
import { issued, type TrustAnchors } from '../cert/anchors';
import { certParts, crlUrls, ocspUrls } from '../cert/asn1';
import type { FetchLimits } from './http';
import { checkRevocation, type Revocation } from './index';

export interface IntermediateRevocation extends Revocation {
  subject: string;
  serial: string;
}

/** Indexes of the sent certificates to check: not the leaf, not a self-signed root, each certificate once. */
export function intermediateIndexes(chain: Buffer[]): number[] {
  const seen = new Set<string>([new X509Certificate(chain[0]).fingerprint256]);
  const out: number[] = [];
  chain.forEach((der, i) => {
    const c = new X509Certificate(der);
    if (seen.has(c.fingerprint256) || issued(c, c)) return;
    seen.add(c.fingerprint256);
    out.push(i);
  });
  return out;
}

export async function checkChainRevocation(chain: Buffer[], anchors: TrustAnchors, limits: FetchLimits): Promise<IntermediateRevocation[]> {
  return Promise.all(
    intermediateIndexes(chain).map(async (i) => {
      const cert = new X509Certificate(chain[i]);
      const parts = certParts(chain[i]);
      const r = await checkRevocation(
        { leaf: chain[i], issuer: findIssuer(chain, anchors, i), ocspUrls: ocspUrls(parts), crlUrls: crlUrls(parts) },
        limits,
      );
      return { subject: dn(cert.subject), serial: cert.serialNumber, ...r };
    }),
  );
}
