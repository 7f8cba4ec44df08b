/**
 * Why an identity provider's API could not be read. Each is a ProbeError (→ `error` result, never `pass`), with a
 * stable code users can search for. Kept beside the mfa probe because only it speaks to admin APIs.
 */
import { ProbeError } from '../../errors';

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
