/**
 * Okta conformance: the schema properties, enum values and query parameters the mfa probe uses exist in the Okta
 * management OpenAPI (reference.json), the org fixtures are shaped as its schemas, and the probe's verdicts on an org
 * whose lists span three pages (Link rel="next" for policies and rules, `_links.next` for role assignees) are right.
 */
import fs from 'node:fs';
import path from 'node:path';
import { WEAK_AUTHENTICATORS } from '../../../../src/probes/mfa/okta';
import { startHttp } from '../../../helpers/net';
import { failing, finding, m, runMfa } from '../../../probes/mfa/helpers';
import { conformance, loadReference, propertiesOf, type Reference } from '../../../probes/mfa/reference-shape';
import { accessRule, ADMIN_CONSOLE, enrollment, factor, oktaOrg, policy, signOnRule, user, type Org } from './fixtures';

interface OktaReference extends Reference {
  enums: Record<string, string[]>;
  operations: Record<string, string[]>;
}
const ref = loadReference<OktaReference>('okta');
const SOURCE = fs.readFileSync(path.join(__dirname, '../../../../src/probes/mfa/okta.ts'), 'utf8');

/** Schema.property pairs the probe reads (each must also appear in its source, so this list cannot drift). */
const READS: Array<[string, string]> = [
  ['Policy', 'id'], ['Policy', 'name'], ['Policy', 'status'], ['Policy', 'type'], ['AuthenticatorEnrollmentPolicy', 'settings'], ['AuthenticatorEnrollmentPolicySettings', 'authenticators'],
  ['AuthenticatorEnrollmentPolicyAuthenticatorSettings', 'key'], ['AuthenticatorEnrollmentPolicyAuthenticatorSettings', 'enroll'], ['AuthenticatorEnrollmentPolicyAuthenticatorSettings.enroll', 'self'],
  ['PolicyRule', 'name'], ['PolicyRule', 'status'], ['OktaSignOnPolicyRule', 'actions'], ['OktaSignOnPolicyRuleActions', 'signon'], ['OktaSignOnPolicyRuleSignonActions', 'access'], ['OktaSignOnPolicyRuleSignonActions', 'requireFactor'],
  ['AccessPolicyRule', 'actions'], ['AccessPolicyRuleActions', 'appSignOn'], ['AccessPolicyRuleApplicationSignOn', 'access'], ['AccessPolicyRuleApplicationSignOn', 'verificationMethod'],
  ['AssuranceMethod', 'type'], ['AssuranceMethod', 'factorMode'], ['AssuranceMethod', 'constraints'], ['AccessPolicyConstraints', 'possession'],
  ['Application', 'id'], ['Application', 'label'], ['Application', '_links'], ['ApplicationLinks', 'accessPolicy'], ['AccessPolicyLink', 'href'],
  ['RoleAssignedUsers', 'value'], ['RoleAssignedUsers', '_links'], ['LinksNextForRoleAssignments', 'next'], ['RoleAssignedUser', 'id'],
  ['User', 'id'], ['User', 'status'], ['User', 'profile'], ['UserProfile', 'login'], ['UserFactor', 'factorType'], ['UserFactor', 'status'],
];

describe('names the probe reads are Okta\'s', () => {
  test.each(READS)('%s.%s is defined in the management spec and read by the probe', (type, prop) => {
    expect(Object.keys(propertiesOf(ref, type) ?? {})).toContain(prop);
    expect(SOURCE).toContain(prop);
  });

  test('RoleAssignedUser has no status: the probe must read it from the User', () => {
    expect(Object.keys(propertiesOf(ref, 'RoleAssignedUser')!)).not.toContain('status');
    expect(ref.enums.UserStatus).toEqual(expect.arrayContaining(['ACTIVE', 'SUSPENDED', 'DEPROVISIONED']));
  });

  test('enum values the probe compares against are the spec\'s', () => {
    for (const k of WEAK_AUTHENTICATORS) expect(ref.enums.AuthenticatorEnrollmentPolicyAuthenticatorType).toContain(k);
    expect(ref.enums.AuthenticatorEnrollmentPolicyAuthenticatorStatus).toContain('REQUIRED');
    expect(ref.enums.AssuranceMethodFactorMode).toEqual(['1FA', '2FA']);
    expect(ref.enums.LifecycleStatus).toContain('ACTIVE');
    expect(ref.enums['OktaSignOnPolicyRuleSignonActions.access']).toContain('DENY');
    expect(ref.enums.AccessPolicyRuleApplicationSignOnAccess).toContain('DENY');
    for (const t of ['MFA_ENROLL', 'OKTA_SIGN_ON']) expect(ref.enums.PolicyType).toContain(t);
    expect(ref.enums.UserFactorStatus).toContain('ACTIVE');
    // The default weakFactorTypes option names UserFactorType members.
    for (const t of ['question', 'email']) expect(ref.enums.UserFactorType).toContain(t);
  });

  test('the fixtures are shaped as the spec\'s schemas; the check rejects what it does not define', () => {
    expect(conformance(ref, 'Policy[]', [enrollment('e', ['okta_verify']), policy('s', 'OKTA_SIGN_ON', 'S'), policy('a', 'ACCESS_POLICY', 'A')])).toEqual([]);
    expect(conformance(ref, 'PolicyRule[]', [signOnRule('r1', 'R', true), accessRule('r2', 'A', '2FA'), accessRule('r3', 'B', '1FA', 'DENY')])).toEqual([]);
    expect(conformance(ref, 'User', user('00u1', 'a@b.example', 'SUSPENDED'))).toEqual([]);
    expect(conformance(ref, 'UserFactor[]', [factor('token:software:totp'), factor('push', 'PENDING_ACTIVATION')])).toEqual([]);
    // `name` lives on the Application subtypes, none of which models the Admin Console ("saasure"); the probe only
    // filters on it, which GET /api/v1/apps documents.
    const { name: _name, ...withoutName } = ADMIN_CONSOLE;
    expect(conformance(ref, 'Application', withoutName)).toEqual([]);
    expect((ref as unknown as { _source: { quotes: Record<string, string> } })._source.quotes['filter (GET /api/v1/apps)']).toMatch(/or `name`/);
    expect(conformance(ref, 'AssuranceMethod', { type: 'ASSURANCE', factorMode: '3FA' })).toEqual(['$.factorMode: "3FA" is not a member of AssuranceMethodFactorMode (1FA, 2FA)']);
  });
});

describe('verdicts on an org whose lists span three pages', () => {
  const TOKEN = '00conformance-okta-token-7b1';
  function org(): Org {
    const sessions = Array.from({ length: 7 }, (_, i) => policy(`ses-${i}`, 'OKTA_SIGN_ON', `Session ${i}`));
    const rules: Org['rules'] = Object.fromEntries(sessions.map((s) => [s.id, [signOnRule(`${s.id}-r`, 'MFA', true)]]));
    rules['ses-6'] = Array.from({ length: 7 }, (_, i) => signOnRule(`ses-6-r${i}`, `Rule ${i}`, i !== 6)); // weak rule on page 3
    rules['rst-admin'] = [...Array.from({ length: 6 }, (_, i) => accessRule(`adm-${i}`, `Admins ${i}`, '2FA')), accessRule('adm-6', 'Kiosk', '1FA'), accessRule('adm-7', 'Catch-all Rule', '1FA', 'DENY')];
    const admins = Array.from({ length: 7 }, (_, i) => ({ user: user(`00u-${i}`, `admin${i}@bank.example`, 'ACTIVE'), factors: [factor('push')], roleAssigned: true }));
    admins.push({ user: user('00u-susp', 'suspended@bank.example', 'SUSPENDED'), factors: [], roleAssigned: true }); // page 3, not counted
    admins.push({ user: user('00u-new', 'new.admin@bank.example', 'ACTIVE'), factors: [factor('question')], roleAssigned: true }); // page 3, counted
    return { token: TOKEN, pageSize: 3, policies: [enrollment('enr-1', ['okta_password', 'okta_verify']), ...sessions, policy('rst-admin', 'ACCESS_POLICY', 'Admin Console')], rules, adminConsole: ADMIN_CONSOLE, users: admins };
  }

  test('weak session rule, 1FA Admin Console rule and unenrolled admin on page 3 are found; the suspended admin is not counted', async () => {
    const seen: string[] = [];
    const server = await startHttp(oktaOrg(org(), seen));
    try {
      const r = await runMfa(server.url, { posture: { provider: 'okta', apiToken: '${env:T}' } }, { env: { T: TOKEN } });
      expect(failing(r)).toEqual(['mfa.admin_not_enforced:fail', 'mfa.global_session_single_factor:warn', 'mfa.user_not_enrolled:fail']);
      expect(finding(r, 'mfa.global_session_single_factor')!.evidence).toEqual({ rules: ['Session 6 / Rule 6'] });
      expect(finding(r, 'mfa.admin_not_enforced')!.evidence).toEqual({ apps: [{ scope: 'admin_console', app: 'Okta Admin Console', enforced: false, rules: ['Kiosk'] }] });
      expect(m(r).coverage.privileged).toEqual({ enrolled: 7, total: 8, ratio: 0.875 });
      expect((finding(r, 'mfa.user_not_enrolled')!.evidence as { users: unknown }).users).toEqual([{ id: '00u-new', username: 'new.admin@bank.example' }]);
      expect(new Set(r.findings.map((f) => f.id)).size).toBe(r.findings.length);
      // Three pages each: OKTA_SIGN_ON policies, the rules of ses-6 and of the Admin Console, and role assignees.
      const pagesOf = (re: RegExp) => seen.filter((u) => re.test(u.split('?')[0]) && (!u.includes('type=') || u.includes('type=OKTA_SIGN_ON'))).length;
      expect([pagesOf(/^\/api\/v1\/policies$/), pagesOf(/\/ses-6\/rules$/), pagesOf(/\/rst-admin\/rules$/), pagesOf(/\/iam\/assignees\/users$/)]).toEqual([3, 3, 3, 3]);
      // Every request uses query parameters the spec defines for that operation.
      for (const u of seen) {
        const url = new URL(u, 'http://x');
        const op = Object.keys(ref.operations).find((k) => new RegExp(`^${k.slice(4).replace(/\{[^}]+\}/g, '[^/]+')}$`).test(url.pathname));
        expect({ u, op: op ?? 'none' }).not.toEqual({ u, op: 'none' });
        // The rules operation lists only `limit`; its `after` comes from the server's own next link.
        const extra = [...url.searchParams.keys()].filter((k) => !ref.operations[op!].includes(k) && !(k === 'after' && op === 'GET /api/v1/policies/{policyId}/rules'));
        expect({ u, extra }).toEqual({ u, extra: [] });
      }
    } finally {
      await server.close();
    }
  });
});
