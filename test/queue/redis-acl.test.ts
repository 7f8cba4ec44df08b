/** The ACL lines in README.md and docs/security.md are the ones src/queue/redis-acl.ts (which the e2e test enforces) produces. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { aclRules, commandsFor, type AclRole } from '../../src/queue/redis-acl';

const ROOT = path.join(__dirname, '..', '..');

test.each(['README.md', 'docs/security.md'])('%s shows the enforced ACL of every role', (file) => {
  const text = readFileSync(path.join(ROOT, file), 'utf8');
  for (const role of ['scheduler', 'worker', 'recorder'] as AclRole[]) {
    const shown = new RegExp(`^ACL SETUSER pengawas-${role} on >… (.*)$`, 'm').exec(text)?.[1];
    expect([role, shown]).toEqual([role, aclRules([role]).join(' ')]);
  }
  // The CLI opens the evidence store directly: there is no CLI Redis user any more.
  expect(text).not.toMatch(/pengawas-cli/);
});

test('rules: keys under the prefix only, no channels, nothing but the listed commands; globs in a prefix are escaped', () => {
  expect(aclRules(['recorder'], '{pgw}').slice(0, 4)).toEqual(['resetkeys', '~{pgw}:*', 'resetchannels', '-@all']);
  expect(aclRules(['recorder'], 'a*b')[1]).toBe('~a\\*b:*');
  expect(commandsFor(['scheduler', 'worker', 'recorder'])).toEqual(expect.arrayContaining(['xreadgroup', 'bzpopmin', 'incr']));
  expect(commandsFor(['scheduler', 'worker', 'recorder']).some((c) => /^(flushall|flushdb|config|keys|acl|debug|shutdown)/.test(c))).toBe(
    false,
  );
});

test('no role has pub/sub, blocking list or channel commands; the results path is covered', () => {
  for (const role of ['scheduler', 'worker', 'recorder'] as AclRole[])
    expect([role, commandsFor([role]).filter((c) => /^(subscribe|psubscribe|publish|blpop|brpop)$/.test(c))]).toEqual([role, []]);
  expect(commandsFor(['recorder'])).toEqual(expect.arrayContaining(['hexists', 'pexpire', 'xinfo|groups', 'xtrim', 'xadd']));
  expect(commandsFor(['worker'])).toEqual(expect.arrayContaining(['pttl', 'xlen', 'xadd', 'eval']));
});
