/**
 * The `options:` block of an `mfa` check. Two parts, at least one required:
 * - `posture`: read the identity provider's admin API (Keycloak, Okta or Microsoft Entra ID);
 * - `login`: prove enforcement live with a dedicated monitoring account (OIDC direct grant or HTTP form login).
 * Every credential must be a ${env:NAME} / ${file:PATH} reference in the check file; thresholds are the operator's
 * own policy (defaults are the product's own, not a Bank Indonesia rule).
 */
import { z } from 'zod';
import { durationMs, regexText } from '../../util/schema';

const name = z.string().min(1).max(200);
/** Scope names become metric label values: keep them short and bounded. */
const scopeName = z.string().regex(/^[a-z][a-z0-9_]{0,39}$/, 'expected a short lower-case scope name like "admin_console"');

const otpThresholds = z
  .object({
    minDigits: z.number().int().min(4).max(10).default(6),
    /** Longest accepted TOTP period in seconds. */
    maxPeriod: z.number().int().min(15).max(300).default(60),
    /** Largest accepted look-around window (steps either side): a wide window widens guessing. */
    maxLookAround: z.number().int().min(0).max(10).default(1),
    algorithms: z
      .array(z.enum(['HmacSHA1', 'HmacSHA256', 'HmacSHA512']))
      .min(1)
      .default(['HmacSHA1', 'HmacSHA256', 'HmacSHA512']),
    /** Accept realms that let the same code be used twice within its period. */
    allowReusableCodes: z.boolean().default(false),
  })
  .strict();

const keycloak = z
  .object({
    provider: z.literal('keycloak'),
    realm: name,
    /** Realm that issues the monitor's service-account token (default: the audited realm). */
    tokenRealm: name.optional(),
    clientId: name,
    clientSecret: z.string().min(1),
    /** Group paths whose members, and members of their subgroups at any depth, are privileged, e.g. "/admins". */
    privilegedGroups: z.array(name).default([]),
    /**
     * Roles whose holders are privileged: a realm role ("payments-admin") or a client role as "client-id/role-name"
     * ("realm-management/realm-admin"; the part after the last "/" is the role). Holders are resolved as Keycloak
     * evaluates them: direct role mappings, members of groups (and their subgroups) the role is mapped to, and holders
     * of composite roles that contain it at any depth.
     */
    privilegedRoles: z
      .array(name.regex(/^(?:[^/]+|.*[^/]\/[^/]+)$/s, 'expected a realm role "name" or a client role "client-id/role-name"'))
      .default([]),
    flows: z
      .array(z.enum(['browser', 'directGrant']))
      .min(1)
      .default(['browser', 'directGrant']),
    /** Demand a second factor for every user of the flows, not only for privileged ones. */
    requireForAllUsers: z.boolean().default(true),
    otp: otpThresholds.prefault({}),
  })
  .strict();

const okta = z
  .object({
    provider: z.literal('okta'),
    /** Okta API token (sent as `SSWS <token>`). */
    apiToken: z.string().min(1).optional(),
    /** Or an OAuth 2.0 service app with private_key_jwt. */
    oauth: z
      .object({
        clientId: name,
        privateKey: z.string().min(1),
        keyId: z.string().optional(),
        scopes: z
          .array(z.string())
          .min(1)
          .default(['okta.policies.read', 'okta.users.read', 'okta.groups.read', 'okta.roles.read', 'okta.apps.read']),
      })
      .strict()
      .optional(),
    /** Group ids whose members are privileged (in addition to admin-role holders). */
    privilegedGroups: z.array(name).default([]),
    /** Treat every user with an admin role assignment as privileged (GET /api/v1/iam/assignees/users). */
    includeRoleAssignees: z.boolean().default(true),
    /** Check the Okta Admin Console's authentication policy. */
    checkAdminConsole: z.boolean().default(true),
    /** Further apps whose authentication policy must demand a second factor. */
    apps: z.array(z.object({ id: name, scope: scopeName }).strict()).default([]),
    /** Factor types that do not count as a second factor. */
    weakFactorTypes: z.array(z.string()).default(['question', 'email']),
  })
  .strict()
  .refine((o) => Boolean(o.apiToken) !== Boolean(o.oauth), 'give exactly one of apiToken or oauth');

const entra = z
  .object({
    provider: z.literal('entra'),
    tenantId: name,
    clientId: name,
    clientSecret: z.string().min(1),
    /** Default https://login.microsoftonline.com/<tenantId>/oauth2/v2.0/token. */
    tokenUrl: z.url({ protocol: /^https?$/ }).optional(),
    /** Directory role template ids that count as privileged (default: the highest-impact admin roles). */
    privilegedRoleIds: z
      .array(z.string().regex(/^[0-9a-f-]{36}$/i))
      .min(1)
      .optional(),
    requireForAllUsers: z.boolean().default(true),
  })
  .strict();

export const postureOptions = z.discriminatedUnion('provider', [keycloak, okta, entra]);

const totpSettings = z
  .object({
    digits: z.union([z.literal(6), z.literal(7), z.literal(8)]).default(6),
    period: z.number().int().min(15).max(300).default(30),
    algorithm: z.enum(['sha1', 'sha256', 'sha512']).default('sha1'),
  })
  .strict();

const loginCommon = {
  username: z.string().min(1),
  password: z.string().min(1),
  /** Base32 TOTP seed of the monitoring account: proves the second step works, not only that it is demanded. */
  /** Usually a ${file:..} reference, so its base32 form is checked when the probe runs. */
  totpSeed: z.string().min(1).optional(),
  totp: totpSettings.prefault({}),
};

const oidcLogin = z
  .object({
    kind: z.literal('oidc-password'),
    /** Token endpoint, absolute or relative to the target. */
    tokenUrl: z.string().min(1),
    clientId: name,
    clientSecret: z.string().min(1).optional(),
    scope: z.string().default('openid'),
    /** Form parameter carrying the one-time code (Keycloak's direct grant uses `totp`). */
    totpParam: z.string().min(1).default('totp'),
    ...loginCommon,
  })
  .strict();

const formLogin = z
  .object({
    kind: z.literal('form'),
    /** Where the username/password form posts, absolute or relative to the target. */
    url: z.string().min(1),
    /** Where the one-time code posts (default: the same URL), with the cookies from the first step. */
    otpUrl: z.string().min(1).optional(),
    fields: z
      .object({ username: z.string().default('username'), password: z.string().default('password'), otp: z.string().default('otp') })
      .strict()
      .prefault({}),
    extraFields: z.record(z.string(), z.string()).default({}),
    /** What a logged-in answer looks like; any one that matches means "a session was issued". */
    success: z
      .object({ cookie: z.string().min(1).optional(), locationMatches: regexText.optional(), bodyMatches: regexText.optional() })
      .strict()
      .refine((s) => s.cookie || s.locationMatches || s.bodyMatches, 'give at least one of cookie, locationMatches, bodyMatches'),
    ...loginCommon,
  })
  .strict();

export const loginOptions = z.discriminatedUnion('kind', [oidcLogin, formLogin]);

export const mfaOptions = z
  .object({
    posture: postureOptions.optional(),
    login: loginOptions.optional(),
    /** PEM file with extra CA certificates (private PKI, the demo CA). */
    caFile: z.string().optional(),
    verifyTls: z.boolean().default(true),
    /** Per-request cap; the check's timeout bounds the whole run. */
    requestTimeout: durationMs.default(10_000),
    maxBodyBytes: z
      .number()
      .int()
      .positive()
      .max(64 * 1024 * 1024)
      .default(4 * 1024 * 1024),
    maxRetries: z.number().int().min(0).max(10).default(3),
    /** Longest Retry-After the probe waits out; longer → error (rate limited). */
    maxRetryWait: durationMs.default(10_000),
    maxPages: z.number().int().min(1).max(1000).default(50),
    /** More privileged users than this → error: coverage would be a guess. */
    maxPrivilegedUsers: z.number().int().min(1).max(20_000).default(1000),
  })
  .strict()
  .refine((o) => o.posture || o.login, 'give posture (admin API), login (live enforcement), or both');

export type MfaOptions = z.infer<typeof mfaOptions>;
export type KeycloakOptions = z.infer<typeof keycloak>;
export type OktaOptions = z.infer<typeof okta>;
export type EntraOptions = z.infer<typeof entra>;
export type LoginOptions = z.infer<typeof loginOptions>;
export type OidcLoginOptions = z.infer<typeof oidcLogin>;
export type FormLoginOptions = z.infer<typeof formLogin>;
export type OtpThresholds = z.infer<typeof otpThresholds>;
