/**
 * Keycloak authentication flows as GET /admin/realms/{realm}/authentication/flows/{flowAlias}/executions returns them:
 * a depth-first list of AuthenticationExecutionInfoRepresentation (id, requirement, displayName, description,
 * requirementChoices, configurable, authenticationFlow, providerId, authenticationConfig, flowId, level, index; see
 * reference.json), and AuthenticatorConfigRepresentation {id, alias, config} for GET …/authentication/config/{id}.
 * Shapes follow Keycloak's own built-in "browser" and "direct grant" flows (DefaultAuthenticationFlows: Cookie,
 * Kerberos, Identity Provider Redirector, "forms" with "Browser - Conditional OTP" = "Condition - user configured" +
 * "OTP Form"); the variations are the ones an operator makes in the admin console. Config keys of
 * "Condition - user role" are ConditionalRoleAuthenticatorFactory's: condUserRole and negate ("Negate output").
 */
export interface ExecutionInfo {
  id: string;
  requirement: 'REQUIRED' | 'CONDITIONAL' | 'ALTERNATIVE' | 'DISABLED';
  displayName: string;
  description?: string;
  requirementChoices: string[];
  configurable: boolean;
  authenticationFlow?: boolean;
  providerId?: string;
  authenticationConfig?: string;
  flowId?: string;
  level: number;
  index: number;
}

export interface AuthenticatorConfig {
  id: string;
  alias: string;
  config: Record<string, string>;
}

const CHOICES_AUTH = ['REQUIRED', 'ALTERNATIVE', 'DISABLED'];
const CHOICES_FLOW = ['REQUIRED', 'ALTERNATIVE', 'DISABLED', 'CONDITIONAL'];
const CHOICES_CONDITION = ['REQUIRED', 'DISABLED'];

let seq = 0;
const uuid = () => `6f1c2b1e-0000-4000-8000-${String(++seq).padStart(12, '0')}`;

function step(level: number, index: number, requirement: ExecutionInfo['requirement'], displayName: string, providerId: string, extra: Partial<ExecutionInfo> = {}): ExecutionInfo {
  const choices = providerId.startsWith('conditional-') ? CHOICES_CONDITION : CHOICES_AUTH;
  return { id: uuid(), requirement, displayName, requirementChoices: choices, configurable: Boolean(extra.authenticationConfig), providerId, level, index, ...extra };
}

function subFlow(level: number, index: number, requirement: ExecutionInfo['requirement'], displayName: string): ExecutionInfo {
  return { id: uuid(), requirement, displayName, description: `${displayName} sub-flow`, requirementChoices: CHOICES_FLOW, configurable: false, authenticationFlow: true, flowId: uuid(), level, index };
}

/** The top of Keycloak's built-in browser flow, with `conditional` as the OTP sub-flow's members (level 2). */
function browser(otpRequirement: ExecutionInfo['requirement'], conditional: ExecutionInfo[]): ExecutionInfo[] {
  return [
    step(0, 0, 'ALTERNATIVE', 'Cookie', 'auth-cookie'),
    step(0, 1, 'DISABLED', 'Kerberos', 'auth-spnego'),
    step(0, 2, 'ALTERNATIVE', 'Identity Provider Redirector', 'identity-provider-redirector'),
    subFlow(0, 3, 'ALTERNATIVE', 'forms'),
    step(1, 0, 'REQUIRED', 'Username Password Form', 'auth-username-password-form'),
    subFlow(1, 1, otpRequirement, 'Browser - Conditional OTP'),
    ...conditional,
  ];
}

const otpForm = (index: number) => step(2, index, 'REQUIRED', 'OTP Form', 'auth-otp-form');
const roleCondition = (index: number, configId: string) => step(2, index, 'REQUIRED', 'Condition - user role', 'conditional-user-role', { authenticationConfig: configId });

/** Each case: the flow, the configs it points at, and the verdict Keycloak's evaluation gives. */
export const FLOW_CASES = {
  /** Keycloak's default: OTP only for users who configured one. */
  builtIn: { flow: browser('CONDITIONAL', [step(2, 0, 'REQUIRED', 'Condition - user configured', 'conditional-user-configured'), otpForm(1)]), configs: [] as AuthenticatorConfig[] },
  /** The OTP sub-flow made REQUIRED: everyone passes the OTP form. */
  required: { flow: browser('REQUIRED', [step(2, 0, 'DISABLED', 'Condition - user configured', 'conditional-user-configured'), otpForm(1)]), configs: [] },
  /** OTP for holders of realm-admin. */
  role: { flow: browser('CONDITIONAL', [roleCondition(0, 'cfg-role'), otpForm(1)]), configs: [{ id: 'cfg-role', alias: 'admins-otp', config: { condUserRole: 'realm-admin', negate: 'false' } }] },
  /** OTP for everyone *except* holders of realm-admin ("Negate output" on). */
  negated: { flow: browser('CONDITIONAL', [roleCondition(0, 'cfg-neg'), otpForm(1)]), configs: [{ id: 'cfg-neg', alias: 'not-admins-otp', config: { condUserRole: 'realm-admin', negate: 'true' } }] },
  /** A CONDITIONAL sub-flow whose only condition is DISABLED: Keycloak skips the sub-flow for everyone. */
  noCondition: { flow: browser('CONDITIONAL', [step(2, 0, 'DISABLED', 'Condition - user role', 'conditional-user-role', { authenticationConfig: 'cfg-off' }), otpForm(1)]), configs: [{ id: 'cfg-off', alias: 'off', config: { condUserRole: 'realm-admin', negate: 'false' } }] },
  /** Two role conditions in one sub-flow: only users holding both realm-admin AND auditor are asked. */
  bothRoles: {
    flow: browser('CONDITIONAL', [roleCondition(0, 'cfg-a'), roleCondition(1, 'cfg-b'), otpForm(2)]),
    configs: [
      { id: 'cfg-a', alias: 'admins', config: { condUserRole: 'realm-admin', negate: 'false' } },
      { id: 'cfg-b', alias: 'auditors', config: { condUserRole: 'auditor', negate: 'false' } },
    ],
  },
} satisfies Record<string, { flow: ExecutionInfo[]; configs: AuthenticatorConfig[] }>;

/** Keycloak's built-in direct grant flow with its conditional OTP sub-flow made REQUIRED. */
export const DIRECT_GRANT_REQUIRED: ExecutionInfo[] = [
  step(0, 0, 'REQUIRED', 'Username Validation', 'direct-grant-validate-username'),
  step(0, 1, 'REQUIRED', 'Password', 'direct-grant-validate-password'),
  subFlow(0, 2, 'REQUIRED', 'Direct Grant - Conditional OTP'),
  step(1, 0, 'DISABLED', 'Condition - user configured', 'conditional-user-configured'),
  step(1, 1, 'REQUIRED', 'OTP', 'direct-grant-validate-otp'),
];
