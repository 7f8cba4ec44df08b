/**
 * Realm data in Keycloak's shapes, shared by the demo and the probe's tests: the built-in flows as Keycloak ships
 * them (browser with "Browser - Conditional OTP", direct grant with "Direct Grant - Conditional OTP", both guarded
 * by "Condition - user configured"), their hardened variants with the OTP step REQUIRED, and two demo realms.
 */
import type { KcExecution, KcRealm } from './server';

/** Keycloak's default browser flow: OTP only for users who already configured one. */
export function defaultBrowserFlow(): KcExecution[] {
  return [
    { requirement: 'ALTERNATIVE', displayName: 'Cookie', providerId: 'auth-cookie', level: 0, index: 0 },
    { requirement: 'DISABLED', displayName: 'Kerberos', providerId: 'auth-spnego', level: 0, index: 1 },
    {
      requirement: 'ALTERNATIVE',
      displayName: 'Identity Provider Redirector',
      providerId: 'identity-provider-redirector',
      level: 0,
      index: 2,
    },
    { requirement: 'ALTERNATIVE', displayName: 'forms', authenticationFlow: true, level: 0, index: 3 },
    { requirement: 'REQUIRED', displayName: 'Username Password Form', providerId: 'auth-username-password-form', level: 1, index: 0 },
    { requirement: 'CONDITIONAL', displayName: 'Browser - Conditional OTP', authenticationFlow: true, level: 1, index: 1 },
    { requirement: 'REQUIRED', displayName: 'Condition - user configured', providerId: 'conditional-user-configured', level: 2, index: 0 },
    { requirement: 'REQUIRED', displayName: 'OTP Form', providerId: 'auth-otp-form', level: 2, index: 1 },
  ];
}

/** The browser flow with the OTP form REQUIRED for everyone. */
export function enforcedBrowserFlow(): KcExecution[] {
  return [
    { requirement: 'ALTERNATIVE', displayName: 'Cookie', providerId: 'auth-cookie', level: 0, index: 0 },
    {
      requirement: 'ALTERNATIVE',
      displayName: 'Identity Provider Redirector',
      providerId: 'identity-provider-redirector',
      level: 0,
      index: 1,
    },
    { requirement: 'ALTERNATIVE', displayName: 'forms', authenticationFlow: true, level: 0, index: 2 },
    { requirement: 'REQUIRED', displayName: 'Username Password Form', providerId: 'auth-username-password-form', level: 1, index: 0 },
    { requirement: 'REQUIRED', displayName: 'OTP Form', providerId: 'auth-otp-form', level: 1, index: 1 },
  ];
}

/** A browser flow whose OTP sub-flow runs only for holders of one role (conditional-user-role). */
export function roleConditionalBrowserFlow(configId: string): KcExecution[] {
  return [
    { requirement: 'ALTERNATIVE', displayName: 'Cookie', providerId: 'auth-cookie', level: 0, index: 0 },
    { requirement: 'ALTERNATIVE', displayName: 'forms', authenticationFlow: true, level: 0, index: 1 },
    { requirement: 'REQUIRED', displayName: 'Username Password Form', providerId: 'auth-username-password-form', level: 1, index: 0 },
    { requirement: 'CONDITIONAL', displayName: 'Admin OTP', authenticationFlow: true, level: 1, index: 1 },
    {
      requirement: 'REQUIRED',
      displayName: 'Condition - user role',
      providerId: 'conditional-user-role',
      authenticationConfig: configId,
      level: 2,
      index: 0,
    },
    { requirement: 'REQUIRED', displayName: 'OTP Form', providerId: 'auth-otp-form', level: 2, index: 1 },
  ];
}

export function defaultDirectGrantFlow(): KcExecution[] {
  return [
    { requirement: 'REQUIRED', displayName: 'Username Validation', providerId: 'direct-grant-validate-username', level: 0, index: 0 },
    { requirement: 'REQUIRED', displayName: 'Password', providerId: 'direct-grant-validate-password', level: 0, index: 1 },
    { requirement: 'CONDITIONAL', displayName: 'Direct Grant - Conditional OTP', authenticationFlow: true, level: 0, index: 2 },
    { requirement: 'REQUIRED', displayName: 'Condition - user configured', providerId: 'conditional-user-configured', level: 1, index: 0 },
    { requirement: 'REQUIRED', displayName: 'OTP', providerId: 'direct-grant-validate-otp', level: 1, index: 1 },
  ];
}

export function enforcedDirectGrantFlow(): KcExecution[] {
  return [
    { requirement: 'REQUIRED', displayName: 'Username Validation', providerId: 'direct-grant-validate-username', level: 0, index: 0 },
    { requirement: 'REQUIRED', displayName: 'Password', providerId: 'direct-grant-validate-password', level: 0, index: 1 },
    { requirement: 'REQUIRED', displayName: 'OTP', providerId: 'direct-grant-validate-otp', level: 0, index: 2 },
  ];
}

export function requiredActions(totpEnabled: boolean, totpDefault: boolean): KcRealm['requiredActions'] {
  return [
    {
      alias: 'CONFIGURE_TOTP',
      name: 'Configure OTP',
      providerId: 'CONFIGURE_TOTP',
      enabled: totpEnabled,
      defaultAction: totpDefault,
      priority: 10,
    },
    { alias: 'UPDATE_PASSWORD', name: 'Update Password', providerId: 'UPDATE_PASSWORD', enabled: true, defaultAction: false, priority: 30 },
    {
      alias: 'webauthn-register',
      name: 'Webauthn Register',
      providerId: 'webauthn-register',
      enabled: false,
      defaultAction: false,
      priority: 70,
    },
  ];
}

export interface DemoSecrets {
  clientSecret: string;
  monitorPassword: string;
  monitorTotpSeed: string;
  /** Seed of the admins' OTP credentials (the demo never signs them in). */
  adminSeed: string;
}

/** `pengawas-good`: OTP REQUIRED in both flows, strong OTP policy, brute-force detection on, admins enrolled. */
export function goodRealm(s: DemoSecrets): KcRealm {
  return {
    realm: {
      realm: 'pengawas-good',
      otpPolicyType: 'totp',
      otpPolicyAlgorithm: 'HmacSHA256',
      otpPolicyDigits: 6,
      otpPolicyPeriod: 30,
      otpPolicyLookAheadWindow: 1,
      otpPolicyCodeReusable: false,
      bruteForceProtected: true,
      failureFactor: 5,
      browserFlow: 'browser-mfa',
      directGrantFlow: 'direct-grant-mfa',
    },
    requiredActions: requiredActions(true, true),
    flows: { 'browser-mfa': enforcedBrowserFlow(), 'direct-grant-mfa': enforcedDirectGrantFlow() },
    configs: {},
    groups: [{ id: 'g-admins-good', name: 'admins', path: '/admins' }],
    users: [
      { id: 'u-good-1', username: 'ops.admin', password: randomish(s.clientSecret, 1), totpSeed: s.adminSeed, groups: ['/admins'] },
      { id: 'u-good-2', username: 'sec.admin', password: randomish(s.clientSecret, 2), credentialTypes: ['webauthn'], groups: ['/admins'] },
      { id: 'u-good-monitor', username: 'pengawas-monitor', password: s.monitorPassword, totpSeed: s.monitorTotpSeed },
    ],
    clients: [{ clientId: 'pengawas-audit', secret: s.clientSecret, serviceAccount: true }, { clientId: 'pengawas-login' }],
    directGrantOtp: 'required',
  };
}

/** `pengawas-weak`: Keycloak's defaults (OTP only if configured), a short OTP, no lockout, an admin without a factor. */
export function weakRealm(s: DemoSecrets): KcRealm {
  return {
    realm: {
      realm: 'pengawas-weak',
      otpPolicyType: 'totp',
      otpPolicyAlgorithm: 'HmacSHA1',
      otpPolicyDigits: 4,
      otpPolicyPeriod: 90,
      otpPolicyLookAheadWindow: 3,
      otpPolicyCodeReusable: true,
      bruteForceProtected: false,
      browserFlow: 'browser',
      directGrantFlow: 'direct grant',
    },
    requiredActions: requiredActions(true, false),
    flows: { browser: defaultBrowserFlow(), 'direct grant': defaultDirectGrantFlow() },
    configs: {},
    groups: [{ id: 'g-admins-weak', name: 'admins', path: '/admins' }],
    users: [
      { id: 'u-weak-1', username: 'ops.admin', password: randomish(s.clientSecret, 3), totpSeed: s.adminSeed, groups: ['/admins'] },
      { id: 'u-weak-2', username: 'legacy.admin', password: randomish(s.clientSecret, 4), groups: ['/admins'] },
      // The monitoring account never configured OTP, so the default flows let it in with the password alone.
      { id: 'u-weak-monitor', username: 'pengawas-monitor', password: s.monitorPassword },
    ],
    clients: [{ clientId: 'pengawas-audit', secret: s.clientSecret, serviceAccount: true }, { clientId: 'pengawas-login' }],
    directGrantOtp: 'if-configured',
  };
}

/** Distinct, unguessable-enough passwords for demo accounts nobody signs in as. */
function randomish(base: string, n: number): string {
  return `${base.slice(0, 12)}-${n}`;
}
