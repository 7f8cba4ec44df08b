/**
 * Named error classes with stable codes (searchable in docs and logs). The one rule: every error class lives here,
 * shared or used by one part alone, so its code is defined once and found in one place (docs/architecture.md). A probe throws a ProbeError when it
 * could not decide; the runner turns it into an `error` result. A target that breaks a rule is never an error:
 * it is a finding with status `fail`.
 */
import { didYouMean } from './util/nearest';

export class PengawasError extends Error {
  constructor(
    readonly code: string,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = new.target.name;
  }
}

/** An error as evidence: its code (a PengawasError's, or a socket's errno code; else `error`) and its message. */
export function describeError(e: unknown): string {
  return `${(e as { code?: string }).code ?? 'error'}: ${(e as Error).message}`;
}

/** One problem found in the configuration, located by file, check and field. */
export interface ConfigProblem {
  file: string;
  line?: number;
  checkId?: string;
  field: string;
  message: string;
}

export class ConfigError extends PengawasError {
  constructor(readonly problems: ConfigProblem[]) {
    super('PENGAWAS_CONFIG_INVALID', `configuration has ${problems.length} problem(s):\n${formatProblems(problems)}`);
  }
}

export function formatProblems(problems: ConfigProblem[]): string {
  return problems
    .map((p) => {
      const where = `${p.file}${p.line ? `:${p.line}` : ''}`;
      const check = p.checkId ? ` check "${p.checkId}"` : '';
      return `  ${where}${check} ${p.field}: ${p.message}`;
    })
    .join('\n');
}

export class UsageError extends PengawasError {
  constructor(message: string) {
    super('PENGAWAS_USAGE', message);
  }
}

export class SecretError extends PengawasError {
  constructor(message: string) {
    super('PENGAWAS_SECRET_UNRESOLVED', message);
  }
}

/** The probe could not decide. Subclasses say why; `code` is stable. */
export class ProbeError extends PengawasError {}

export class ProbeTimeoutError extends ProbeError {
  constructor(timeoutMs: number, phase?: string) {
    super('PROBE_TIMEOUT', `no answer within ${timeoutMs} ms${phase ? ` (during ${phase})` : ''}`);
  }
}

export class ProbeAbortedError extends ProbeError {
  constructor(reason = 'the probe was cancelled') {
    super('PROBE_ABORTED', reason);
  }
}

export class TargetUnreachableError extends ProbeError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('PROBE_TARGET_UNREACHABLE', message, options);
  }
}

export class DnsError extends ProbeError {
  constructor(host: string, detail: string) {
    super('PROBE_DNS', `cannot resolve ${host}: ${detail}`);
  }
}

export class TlsHandshakeError extends ProbeError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('PROBE_TLS_HANDSHAKE', message, options);
  }
}

export class ResponseTooLargeError extends ProbeError {
  constructor(limitBytes: number) {
    super('PROBE_RESPONSE_TOO_LARGE', `response body exceeds the ${limitBytes}-byte cap`);
  }
}

export class ProtocolError extends ProbeError {
  constructor(message: string) {
    super('PROBE_PROTOCOL', message);
  }
}

export class CredentialsError extends ProbeError {
  constructor(message: string) {
    super('PROBE_CREDENTIALS', message);
  }
}

export class UnknownCheckError extends PengawasError {
  /** `known`: the ids that do exist, for "did you mean". */
  constructor(checkId: string, known: readonly string[] = []) {
    super('PENGAWAS_UNKNOWN_CHECK', `no check with id "${checkId}" in the loaded configuration${didYouMean(checkId, known)}`);
  }
}

export class RedisUnavailableError extends PengawasError {
  constructor(message: string) {
    super('PENGAWAS_REDIS_UNAVAILABLE', message);
  }
}

/** A document source (file, git history, URL) could not be read; freshness and document probes cannot decide. */
export class SourceUnreadableError extends ProbeError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('PROBE_SOURCE_UNREADABLE', message, options);
  }
}

/** A transaction-flow template referenced a variable that has no value at that point of the flow. */
export class TemplateVariableError extends ProbeError {
  constructor(readonly variable: string) {
    super('PROBE_TEMPLATE_VARIABLE', `template variable {{${variable}}} has no value`);
  }
}

/**
 * A step of a transaction flow could not run (DNS, refused, TLS, timeout). Keeps the cause's stable code so
 * users search the same code as for a single request, and names the step in the message.
 */
export class TransactionStepError extends ProbeError {
  constructor(
    readonly step: string,
    cause: ProbeError,
  ) {
    super(cause.code, `step "${step}": ${cause.message}`, { cause });
  }
}

/** The evidence store cannot be opened, migrated or written (the recorder retries; the result stays unacknowledged). */
export class EvidenceStoreError extends PengawasError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('PENGAWAS_EVIDENCE_STORE', message, options);
  }
}

/**
 * The evidence store is there but cannot be used right now: database unreachable, disk full, file read-only,
 * locked too long. Not the fault of any one result: the recorder keeps results pending and retries.
 */
export class EvidenceStoreDownError extends EvidenceStoreError {}

/** An evidence pack cannot be built (bad month, unreadable signing key, output folder not writable). */
export class EvidencePackError extends PengawasError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('PENGAWAS_EVIDENCE_PACK', message, options);
  }
}

/** The server would not switch to TLS (STARTTLS / SSLRequest refused); the scan turns it into a finding. */
export class StartTlsRefusedError extends ProbeError {
  constructor(message: string) {
    super('PROBE_TLS_STARTTLS_REFUSED', message);
  }
}

/** An `attestation` check could not read the evidence store (locked too long, unreadable, database down). */
export class AttestationStoreUnreachableError extends ProbeError {
  constructor(message: string, options?: { cause?: unknown }) {
    super('PROBE_ATTESTATION_STORE_UNREACHABLE', message, options);
  }
}

// Identity-provider admin APIs (the mfa probe's clients).

/** The API answered 403: the monitor's service account lacks a permission (the reason names which, if the API says). */
export class PermissionDeniedError extends ProbeError {
  constructor(message: string) {
    super('PROBE_PERMISSION_DENIED', message);
  }
}

/** The API kept answering 429, or asked us to wait longer than the check's time allows. */
export class RateLimitedError extends ProbeError {
  constructor(message: string) {
    super('PROBE_RATE_LIMITED', message);
  }
}

/** The API answered with an unexpected status (5xx, 404 of a configured object, ...). */
export class ProviderApiError extends ProbeError {
  constructor(message: string) {
    super('PROBE_PROVIDER_API', message);
  }
}
