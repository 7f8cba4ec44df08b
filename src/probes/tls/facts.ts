/** What a scan established about a target; findings and profile checks are pure functions of it. */
import type { CertificateReport } from './cert/analyze';
import type { CipherSuite } from './ciphers';
import type { AcceptedSuite } from './enumerate';
import type { Hsts } from './hsts';
import type { Revocation } from './revocation';
import type { IntermediateRevocation } from './revocation/chain';
import type { AnyProtocol, Protocol } from './wire/constants';
import type { Sslv2Result } from './wire/sslv2';
import type { SessionChecks } from './session';
import type { Transparency } from './cert/transparency';
import type { VulnChecks } from './vulns';

export interface ScanFacts {
  tested: AnyProtocol[];
  /** true accepted, false refused, null undecided (the hello got no answer: never counted as off). */
  protocols: Partial<Record<AnyProtocol, boolean | null>>;
  /** Per undecided version, the error its first hello met. */
  undecided?: Partial<Record<AnyProtocol, string>>;
  /**
   * Enumerations that stopped at an unanswered hello (a version's suites or groups; the certificates per key type):
   * what was found so far stands, more may exist.
   */
  incomplete?: Array<{ protocol: Protocol; what: 'suites' | 'groups' | 'certificates'; found: number; error: string }>;
  /** The SSLv2 probe's answer (absent when SSLv2 was not tested). */
  sslv2?: Sslv2Result;
  suites: Array<AcceptedSuite & { suite: CipherSuite }>;
  serverPreference: Partial<Record<Protocol, boolean>>;
  /** Group ids the server accepts (any version). */
  groups: number[];
  /** Group ids per version (enumerate.ts). */
  groupsByProtocol: Partial<Record<Protocol, number[]>>;
  /** `revocation` is the leaf's; `chainRevocation` the sent intermediates' (leaf-to-root order). */
  certificate?: CertificateReport & { ocspStapled: boolean; revocation?: Revocation; chainRevocation?: IntermediateRevocation[] };
  /** Further certificates the server presents (another key type: dual RSA/ECDSA setups), each judged alone. */
  otherCertificates?: CertificateReport[];
  certificateError?: string;
  /** Whether the server asks for a client certificate: `required` when a handshake without one was refused. */
  clientCertificate?: 'required' | 'requested' | 'not requested';
  hsts?: Hsts;
  hstsError?: string;
  /** Renegotiation, compression and fallback-SCSV handshakes (absent when no TLS <= 1.2 version was tested). */
  vulns?: VulnChecks;
  /** Resumption, 0-RTT and client renegotiation (absent when `sessions` is off). */
  sessions?: SessionChecks;
  /** Certificate transparency and must-staple of the leaf (absent without a certificate). */
  transparency?: Transparency;
  expiryWarnDays: number;
  checkRevocation: boolean;
}
