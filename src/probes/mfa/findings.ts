/**
 * What each provider's posture check returns, and small builders for mfa findings. Finding ids are stable:
 * dashboards, alerts and evidence packs key on them.
 */
import type { Finding, Severity } from '../../results/contract';

export interface PostureOutput {
  findings: Finding[];
  /** Scope (bounded name from the provider or config) → 1 when a second factor is enforced there, else 0. */
  enforced: Record<string, 0 | 1>;
  /** Scope → second-factor enrolment of its users. */
  coverage: Record<string, { enrolled: number; total: number }>;
  unenrolledPrivileged: number;
  /** Provider facts for measurements (policy names, flow requirements); never secrets or tokens. */
  details: Record<string, unknown>;
}

export function emptyPosture(): PostureOutput {
  return { findings: [], enforced: {}, coverage: {}, unenrolledPrivileged: 0, details: {} };
}

export function fail(id: string, severity: Severity, message: string, evidence?: Record<string, unknown>): Finding {
  return { id, severity, status: 'fail', message, ...(evidence ? { evidence } : {}) };
}

export function warn(id: string, severity: Severity, message: string, evidence?: Record<string, unknown>): Finding {
  return { id, severity, status: 'warn', message, ...(evidence ? { evidence } : {}) };
}

export function pass(id: string, message: string, evidence?: Record<string, unknown>): Finding {
  return { id, severity: 'info', status: 'pass', message, ...(evidence ? { evidence } : {}) };
}

/** Evidence lists at most this many users (ids and login names only): enough to act on, small enough to store. */
export const MAX_LISTED_USERS = 50;

export interface UserRef {
  id: string;
  username?: string;
}

/** The unenrolled-privileged-users finding shared by all providers. */
export function enrolmentFinding(provider: string, scope: string, unenrolled: UserRef[], total: number): Finding {
  if (total === 0) {
    // An empty admin group is more often a wrong group name or a sync gap than a realm without admins.
    return warn(
      'mfa.privileged_scope_empty',
      'low',
      `no privileged ${provider} users were found where the check looks for them; enrolment coverage cannot be measured`,
      { scope },
    );
  }
  if (unenrolled.length === 0) {
    return pass('mfa.user_not_enrolled', `all ${total} privileged ${provider} users have a second factor enrolled`, { scope, total });
  }
  return fail(
    'mfa.user_not_enrolled',
    'high',
    `${unenrolled.length} of ${total} privileged ${provider} users have no second factor enrolled`,
    {
      scope,
      total,
      unenrolledCount: unenrolled.length,
      users: unenrolled.slice(0, MAX_LISTED_USERS),
      listTruncated: unenrolled.length > MAX_LISTED_USERS,
    },
  );
}
