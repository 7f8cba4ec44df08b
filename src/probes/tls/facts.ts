/** What a scan established about a target; findings and profile checks are pure functions of it. */
import type { CertificateReport } from './cert/analyze';
import type { CipherSuite } from './ciphers';
import type { AcceptedSuite } from './enumerate';
import type { Hsts } from './hsts';
import type { Revocation } from './revocation';
import type { IntermediateRevocation } from './revocation/chain';
import type { Protocol } from './wire/constants';

export interface ScanFacts {
  tested: Protocol[];
  protocols: Partial<Record<Protocol, boolean>>;
  suites: Array<AcceptedSuite & { suite: CipherSuite }>;
  serverPreference: Partial<Record<Protocol, boolean>>;
  /** Group ids the server accepts. */
  groups: number[];
  /** `revocation` is the leaf's; `chainRevocation` the sent intermediates' (leaf-to-root order). */
  certificate?: CertificateReport & { ocspStapled: boolean; revocation?: Revocation; chainRevocation?: IntermediateRevocation[] };
  certificateError?: string;
  hsts?: Hsts;
  hstsError?: string;
  expiryWarnDays: number;
  checkRevocation: boolean;
}
