/**
 * The least-privilege Redis ACL of each pengawas role: the commands it sends, all keys under its prefix, no
 * pub/sub channels. The lists were recorded with scripts/record-redis-commands.ts (MONITOR, then ACL LOG for what
 * MONITOR does not show, such as CLIENT LIST), against BullMQ 6 and ioredis 5; entries marked "from the code" are
 * paths the recording cannot reach on demand. test/e2e/redis-tls-acl.test.ts runs every role under these rules
 * and requires an empty ACL LOG.
 */
export type AclRole = 'scheduler' | 'worker' | 'recorder' | 'cli';

/** Sent by every connection: authentication, ioredis's ready check (INFO), connection names, BullMQ's worker count. */
const CONNECTION = ['auth', 'client|setname', 'info', 'ping', 'client|list'];
/** BullMQ runs its queue operations as Lua scripts: EVALSHA, and EVAL when the script is not cached yet. */
const SCRIPTS = ['eval', 'evalsha'];
/** Queue counts for /metrics (every role opens the queue to report its depth). */
const QUEUE_READ = ['exists', 'hget', 'hmget', 'lindex', 'llen', 'zcard'];

export const ROLE_COMMANDS: Record<AclRole, string[]> = {
  // Claims a slot (SET NX) and adds the job (BullMQ addJob script: HMSET, INCR, LPUSH, ZADD, XADD to the events stream).
  scheduler: [...CONNECTION, ...SCRIPTS, ...QUEUE_READ, 'set', 'hmset', 'hset', 'incr', 'lpush', 'zadd', 'xadd'],
  // BullMQ Worker: blocking wait on the marker (BZPOPMIN), job locks, moves between states, stalled-job checks,
  // retries with backoff; then XADD of the result to the results stream.
  worker: [
    ...CONNECTION, ...SCRIPTS, ...QUEUE_READ,
    'bzpopmin', 'del', 'get', 'hgetall', 'hincrby', 'hmset', 'hset', 'lpush', 'lrange', 'lrem', 'rpoplpush', 'rpush',
    'sadd', 'scard', 'set', 'smembers', 'srem', 'xadd', 'xtrim', 'zadd', 'zpopmin', 'zrange', 'zrangebyscore', 'zrem',
    'zremrangebyrank', 'zrevrange', 'zrevrangebyscore',
  ],
  // Results consumer group (XGROUP CREATE, XREADGROUP, XACK, XAUTOCLAIM, XPENDING), idempotency marks (SET, MGET),
  // dead letters (XADD, from the code: only a malformed entry reaches it), and the evidence channel server
  // (BRPOP requests, MULTI/RPUSH/EXPIRE/EXEC replies, SET/DEL heartbeat).
  recorder: [
    ...CONNECTION, ...SCRIPTS, ...QUEUE_READ,
    'brpop', 'del', 'exec', 'expire', 'hset', 'mget', 'multi', 'rpush', 'set', 'xack', 'xadd', 'xautoclaim', 'xgroup|create',
    'xpending', 'xreadgroup',
  ],
  // The evidence channel client of `pengawas attest | waive | evidence`: LPUSH a request, BLPOP the reply, GET the
  // server heartbeat, DEL the reply key; LREM withdraws a request nobody claimed in time (from the code).
  cli: ['auth', 'client|setname', 'info', 'blpop', 'del', 'get', 'lpush', 'lrem'],
};

/** Commands for a process running several roles (`pengawas run` = scheduler + worker + recorder). */
export function commandsFor(roles: AclRole[]): string[] {
  return [...new Set(roles.flatMap((r) => ROLE_COMMANDS[r]))].sort();
}

/**
 * The ACL SETUSER rule list (without the user name and password): every key under the prefix, no channels, only
 * the role's commands. A `{hash-tag}` prefix (Redis Cluster) is written as is; `*`, `?`, `[` and `\` are escaped.
 */
export function aclRules(roles: AclRole[], prefix = 'pengawas'): string[] {
  const glob = prefix.replace(/([*?[\]\\])/g, '\\$1');
  return ['resetkeys', `~${glob}:*`, 'resetchannels', '-@all', ...commandsFor(roles).map((c) => `+${c}`)];
}
