/** The ACL lines in README.md and docs/security.md are the ones src/queue/redis-acl.ts (which the e2e test enforces) produces. */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { aclRules, commandsFor, type AclRole } from '../../src/queue/redis-acl';

const ROOT = path.join(__dirname, '..', '..');

test.each(['README.md', 'docs/security.md'])('%s shows the enforced ACL of every role', (file) => {
  const text = readFileSync(path.join(ROOT, file), 'utf8');
  for (const role of ['scheduler', 'worker', 'recorder', 'cli'] as AclRole[]) {
    const shown = new RegExp(`^ACL SETUSER pengawas-${role} on >… (.*)$`, 'm').exec(text)?.[1];
    expect([role, shown]).toEqual([role, aclRules([role]).join(' ')]);
  }
});

test('rules: keys under the prefix only, no channels, nothing but the listed commands; globs in a prefix are escaped', () => {
  expect(aclRules(['cli'], '{pgw}').slice(0, 4)).toEqual(['resetkeys', '~{pgw}:*', 'resetchannels', '-@all']);
  expect(aclRules(['cli'], 'a*b')[1]).toBe('~a\\*b:*');
  expect(commandsFor(['scheduler', 'worker', 'recorder'])).toEqual(expect.arrayContaining(['xreadgroup', 'bzpopmin', 'incr']));
  expect(commandsFor(['scheduler', 'worker', 'recorder', 'cli']).some((c) => /^(flushall|flushdb|config|keys|acl|debug|shutdown)/.test(c))).toBe(false);
});
