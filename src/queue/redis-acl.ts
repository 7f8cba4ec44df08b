/**
 * The least-privilege Redis ACL of each pengawas role: the commands it sends, all keys under its prefix, no
 * pub/sub channels. The lists were recorded with scripts/record-redis-commands.ts (MONITOR, then ACL LOG for what
 * MONITOR does not show, such as CLIENT LIST), against BullMQ 6 and ioredis 5; entries marked "from the code" are
 * paths the recording cannot reach on demand. test/e2e/redis-tls-acl.test.ts runs every role under these rules
 * and requires an empty ACL LOG.
 */
export type AclRole = 'scheduler' | 'worker' | 'recorder';

/** Sent by every connection: authentication, ioredis's ready check (INFO), connection names, BullMQ's worker count. */
const CONNECTION = ['auth', 'client|setname', 'info', 'ping', 'client|list'];
/** BullMQ runs its queue operations as Lua scripts: EVALSHA, and EVAL when the script is not cached yet. */
const SCRIPTS = ['eval', 'evalsha'];
/** /metrics in every role: queue depth (BullMQ's counts script: LINDEX, LLEN, ZCARD) and the results stream length (XLEN). */
const METRICS_READ = ['lindex', 'llen', 'xlen', 'zcard'];
/** Inside BullMQ's scripts of the roles that add or take jobs: queue meta (HGET, HMGET) and job existence checks. */
const QUEUE_META = ['exists', 'hget', 'hmget'];

export const ROLE_COMMANDS: Record<AclRole, string[]> = {
  // Claims a slot (SET NX) and adds the job (BullMQ addJob script: HMSET, INCR, LPUSH, ZADD, XADD to the events stream);
  // reads the wait list's length (LLEN) for scheduler.maxBacklog; a shed slot is claimed (SET NX) and listed in the
  // gaps stream (XADD) — from the code: only an overloaded queue takes that path.
  scheduler: [...CONNECTION, ...SCRIPTS, ...METRICS_READ, ...QUEUE_META, 'set', 'hmset', 'hset', 'incr', 'lpush', 'zadd', 'xadd'],
  // BullMQ Worker: blocking wait on the marker (BZPOPMIN), job locks, moves between states, stalled-job checks,
  // retries with backoff, XTRIM of BullMQ's events stream; hand-back of a job (moveToDelayed) after reading its slot
  // claim's PTTL; the result published by a script that checks XLEN against results.maxLength before its XADD; an
  // expired slot appended to the gaps stream (XADD). RPUSH is from the code: BullMQ's stalled-job recovery
  // (moveStalledJobsToWait) puts a dead worker's job back with it. INCR is from the code too: a slot split off a batch
  // job (scheduler.checksPerJob > 1) is added as a job of its own (BullMQ's addJob scripts count job ids with it).
  worker: [
    ...CONNECTION,
    ...SCRIPTS,
    ...METRICS_READ,
    ...QUEUE_META,
    'bzpopmin',
    'del',
    'get',
    'hgetall',
    'hincrby',
    'hmset',
    'hset',
    'incr',
    'lpush',
    'lrange',
    'lrem',
    'pttl',
    'rpoplpush',
    'rpush',
    'sadd',
    'scard',
    'set',
    'smembers',
    'srem',
    'xadd',
    'xtrim',
    'zadd',
    'zpopmin',
    'zrange',
    'zrangebyscore',
    'zrem',
    'zremrangebyrank',
    'zrevrange',
    'zrevrangebyscore',
  ],
  // Results consumer group (XGROUP CREATE, XREADGROUP, XACK, XAUTOCLAIM, XPENDING); "already recorded" markers
  // (HEXISTS, then HSET and PEXPIRE in a MULTI/EXEC with the XACK); trimming acknowledged entries (XINFO GROUPS,
  // XPENDING, XTRIM MINID, below every metrics follower's cursor: HGETALL, HDEL of stale ones); dead letters and gaps
  // (XADD); the metrics follower reading the whole stream (XREAD) and reporting its cursor (HSET; HDEL at stop); a
  // recorder that stores results marks the group (SET with PX), one that stores nothing reads that mark (GET) and
  // acknowledges in a script that checks it first (EXISTS, XACK).
  recorder: [
    ...CONNECTION,
    ...SCRIPTS,
    ...METRICS_READ,
    'exec',
    'exists',
    'get',
    'set',
    'hdel',
    'hexists',
    'hgetall',
    'hset',
    'multi',
    'pexpire',
    'xack',
    'xadd',
    'xautoclaim',
    'xgroup|create',
    'xinfo|groups',
    'xpending',
    'xread',
    'xreadgroup',
    'xtrim',
  ],
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
