/**
 * Does a Keycloak authentication flow guarantee a second factor, and for whom?
 * Input: the flat list from GET /admin/realms/{realm}/authentication/flows/{flowAlias}/executions
 * (AuthenticationExecutionInfoRepresentation: requirement, providerId, authenticationFlow, level, index, …),
 * which lists sub-flow members depth-first with their `level`.
 * Keycloak's rules (Server Administration Guide, "Authentication flows"): within one flow, REQUIRED and
 * CONDITIONAL elements must all pass and ALTERNATIVE elements are then ignored; with only ALTERNATIVE elements one
 * of them must pass; a CONDITIONAL sub-flow runs only when every enabled condition in it holds, and not at all when
 * it has none (DefaultAuthenticationFlow.isConditionalSubflowDisabled).
 */

export interface Execution {
  id?: string;
  requirement?: string;
  displayName?: string;
  providerId?: string;
  authenticationFlow?: boolean;
  authenticationConfig?: string;
  level?: number;
  index?: number;
}

/**
 * Who the flow forces through a second factor: everyone; the holders of every role in at least one clause (a
 * CONDITIONAL sub-flow runs only when all its conditions hold, so its role conditions form one AND-clause, and
 * sibling sub-flows add clauses); or nobody for certain.
 */
export type Guarantee = { kind: 'all' } | { kind: 'roles'; clauses: string[][] } | { kind: 'none'; reason: string };

/**
 * Config keys of the conditional-user-role authenticator (ConditionalRoleAuthenticatorFactory: CONDITIONAL_USER_ROLE
 * "condUserRole", CONF_NEGATE "negate", label "Negate output"); Keycloak reads `negate` with Boolean.parseBoolean.
 */
export const ROLE_CONDITION = { providerId: 'conditional-user-role', roleKey: 'condUserRole', negateKey: 'negate' } as const;

/** Role conditions by config id, parsed from an AuthenticatorConfigRepresentation's `config` map. */
export function parseRoleCondition(config: Record<string, string> | undefined): { role?: string; negate: boolean } {
  const role = config?.[ROLE_CONDITION.roleKey];
  return {
    role: typeof role === 'string' && role.trim() ? role : undefined,
    negate: /^true$/i.test(config?.[ROLE_CONDITION.negateKey] ?? ''),
  };
}

/** Authenticators that are a second factor by themselves. */
export const SECOND_FACTOR = new Set([
  'auth-otp-form',
  'direct-grant-validate-otp',
  'webauthn-authenticator',
  'webauthn-authenticator-passwordless',
]);
/** Alternatives that do not take a password here: an existing session (after an earlier full login) or another IdP. */
export const NOT_A_PASSWORD_PATH = new Set([
  'auth-cookie',
  'identity-provider-redirector',
  'auth-spnego',
  'idp-auto-link',
  'idp-confirm-link',
]);

interface Node {
  e: Execution;
  children: Node[];
}

export function buildTree(executions: Execution[]): Node[] {
  const root: Node = { e: {}, children: [] };
  const stack: Node[] = [root];
  for (const e of executions) {
    const level = Math.max(0, e.level ?? 0);
    stack.length = Math.min(stack.length, level + 1);
    const parent = stack[stack.length - 1] ?? root;
    const node: Node = { e, children: [] };
    parent.children.push(node);
    if (e.authenticationFlow) stack[level + 1] = node;
  }
  return root.children;
}

/** Role names required by a conditional-user-role execution, by its config id (fetched by the caller). */
export type RoleConditions = Map<string, { role?: string; negate: boolean }>;

export function analyseFlow(executions: Execution[], roleConditions: RoleConditions): Guarantee {
  return analyseLevel(buildTree(executions), roleConditions);
}

function analyseLevel(nodes: Node[], rc: RoleConditions): Guarantee {
  const active = nodes.filter((n) => n.e.requirement && n.e.requirement !== 'DISABLED');
  const mandatory = active.filter((n) => n.e.requirement === 'REQUIRED' || n.e.requirement === 'CONDITIONAL');
  if (mandatory.length > 0) {
    let clauses: string[][] = [];
    const reasons: string[] = [];
    for (const n of mandatory) {
      const g = n.e.requirement === 'CONDITIONAL' ? analyseConditional(n, rc) : analyseNode(n, rc);
      if (g.kind === 'all') return g;
      if (g.kind === 'roles') clauses = unionClauses(clauses, g.clauses);
      else if (g.reason) reasons.push(g.reason);
    }
    if (clauses.length) return { kind: 'roles', clauses };
    return { kind: 'none', reason: reasons[0] ?? 'no REQUIRED one-time-password or WebAuthn step' };
  }
  const paths = active.filter((n) => n.e.requirement === 'ALTERNATIVE' && !NOT_A_PASSWORD_PATH.has(n.e.providerId ?? ''));
  if (paths.length === 0) return { kind: 'none', reason: 'the flow has no step that takes a password here' };
  // Only alternatives: the user picks, so the weakest path decides.
  let weakest: Guarantee = { kind: 'all' };
  for (const n of paths) {
    const g = analyseNode(n, rc);
    if (g.kind === 'none')
      return {
        kind: 'none',
        reason: `alternative "${n.e.displayName ?? n.e.providerId}" lets users in without a second factor${g.reason ? ` (${g.reason})` : ''}`,
      };
    // Users covered on every path: only clauses both paths share are kept (a safe under-estimate).
    if (g.kind === 'roles')
      weakest =
        weakest.kind === 'roles' ? { kind: 'roles', clauses: weakest.clauses.filter((c) => g.clauses.some((d) => key(d) === key(c))) } : g;
  }
  return weakest.kind === 'roles' && weakest.clauses.length === 0
    ? { kind: 'none', reason: 'alternatives demand a second factor for different roles only' }
    : weakest;
}

function analyseNode(n: Node, rc: RoleConditions): Guarantee {
  if (n.e.authenticationFlow) return analyseLevel(n.children, rc);
  if (SECOND_FACTOR.has(n.e.providerId ?? '')) return { kind: 'all' };
  return { kind: 'none', reason: '' }; // a password or username step: no second factor, nothing to explain
}

/**
 * A CONDITIONAL sub-flow: Keycloak (DefaultAuthenticationFlow.isConditionalSubflowDisabled) skips it when it has no
 * enabled condition or when any enabled condition does not match, so the second factor inside reaches only the users
 * every condition selects.
 */
function analyseConditional(n: Node, rc: RoleConditions): Guarantee {
  const label = n.e.displayName ?? n.e.providerId;
  if (!n.e.authenticationFlow) return { kind: 'none', reason: `CONDITIONAL step "${label}" outside a sub-flow` };
  const conditions = n.children.filter((c) => (c.e.providerId ?? '').startsWith('conditional-') && c.e.requirement !== 'DISABLED');
  const steps = n.children.filter((c) => !conditions.includes(c));
  const inner = analyseLevel(steps, rc);
  if (inner.kind === 'none') return inner;
  if (conditions.length === 0)
    return { kind: 'none', reason: `CONDITIONAL sub-flow "${label}" has no enabled condition, so Keycloak skips it for every user` };
  const roles: string[] = [];
  for (const c of conditions) {
    const pid = c.e.providerId;
    if (pid === 'conditional-user-configured') {
      return {
        kind: 'none',
        reason:
          'the second factor is CONDITIONAL on the user having configured one already ("Condition - user configured"), so unenrolled users pass with a password',
      };
    }
    if (pid === ROLE_CONDITION.providerId) {
      const cfg = c.e.authenticationConfig ? rc.get(c.e.authenticationConfig) : undefined;
      if (!cfg?.role) return { kind: 'none', reason: `role condition "${c.e.displayName ?? pid}" names no role, so it never matches` };
      if (cfg.negate)
        return {
          kind: 'none',
          reason: `the second factor is CONDITIONAL on NOT holding role "${cfg.role}" (negated role condition): holders of that role skip it`,
        };
      roles.push(cfg.role);
      continue;
    }
    return { kind: 'none', reason: `the second factor is CONDITIONAL on "${c.e.displayName ?? pid}"` };
  }
  // Keycloak checks every enabled condition: a user must hold all these roles to be asked.
  if (inner.kind === 'all') return { kind: 'roles', clauses: [[...new Set(roles)].sort()] };
  // A nested role guarantee narrows further: each inner clause also needs this sub-flow's roles.
  return { kind: 'roles', clauses: inner.clauses.map((c) => [...new Set([...c, ...roles])].sort()) };
}

const key = (clause: string[]) => JSON.stringify([...clause].sort());

function unionClauses(a: string[][], b: string[][]): string[][] {
  const out = [...a];
  for (const c of b) if (!out.some((d) => key(d) === key(c))) out.push(c);
  return out;
}

/** The config ids of role conditions, so the caller can fetch their settings. */
export function roleConditionConfigIds(executions: Execution[]): string[] {
  return executions
    .filter((e) => e.providerId === ROLE_CONDITION.providerId && e.authenticationConfig)
    .map((e) => e.authenticationConfig as string);
}

export function describe(g: Guarantee): string {
  if (g.kind === 'all') return 'REQUIRED for every user';
  if (g.kind === 'roles') return `REQUIRED only for role(s) ${describeClauses(g.clauses)}`;
  return `not enforced: ${g.reason}`;
}

/** "a, b and c": clauses joined with commas, the roles of one clause with " and ". */
export function describeClauses(clauses: string[][]): string {
  return clauses.map((c) => c.join(' and ')).join(', ');
}
