/**
 * The requesting side of the evidence channel. Waits are bounded: a short one for the recorder to claim the
 * request (no claim → the request is withdrawn, so it is never executed after we gave up), then the operation's
 * own limit for the outcome.
 */
import { randomBytes } from 'node:crypto';
import os from 'node:os';
import type { Redis } from 'ioredis';
import { EvidenceStoreError, EvidenceUnavailableError, PengawasError } from '../../errors';
import { client, redact } from '../../queue/connection';
import type { OpResults } from './operations';
import { keys, OP_TIMEOUT_MS, PROTOCOL_VERSION, type Op, type OpArgs, type Reply, type Request, type ServerBeacon } from './protocol';

export interface ChannelClientOptions {
  redisUrl: string;
  prefix: string;
  /** How long the recorder has to pick a request up (default 5 s). */
  claimTimeoutMs?: number;
  connectTimeoutMs?: number;
}

/** Why the channel could not be used: no Redis, no monitor, or it did not answer in time. */
export class ChannelUnansweredError extends EvidenceUnavailableError {}

export class EvidenceChannelClient {
  private redis: Redis | undefined;
  private readonly k: ReturnType<typeof keys>;

  constructor(private readonly o: ChannelClientOptions) {
    this.k = keys(o.prefix);
  }

  private where(): string {
    return `Redis ${redact(this.o.redisUrl)} prefix "${this.o.prefix}"`;
  }

  private async conn(): Promise<Redis> {
    if (this.redis) return this.redis;
    const r = client(this.o.redisUrl, { lazyConnect: true, maxRetriesPerRequest: 1, connectTimeout: this.o.connectTimeoutMs ?? 3000, retryStrategy: () => null, enableOfflineQueue: false, connectionName: 'pengawas-evidence-client' });
    r.on('error', () => undefined);
    try {
      await r.connect();
    } catch (e) {
      r.disconnect();
      throw new ChannelUnansweredError(`cannot reach ${this.where()}: ${(e as Error).message}`, { cause: e });
    }
    return (this.redis = r);
  }

  /** The serving recorder's heartbeat, or undefined when none is serving on this prefix. */
  async server(): Promise<ServerBeacon | undefined> {
    const raw = await (await this.conn()).get(this.k.server);
    return raw ? (JSON.parse(raw) as ServerBeacon) : undefined;
  }

  async call<O extends Op>(op: O, args: OpArgs<O>): Promise<OpResults[O]> {
    const r = await this.conn();
    if (!(await this.server())) throw new ChannelUnansweredError(`no monitor serves the evidence channel on ${this.where()}`);
    const claimMs = this.o.claimTimeoutMs ?? 5000;
    const opMs = OP_TIMEOUT_MS[op];
    const req: Request = {
      v: PROTOCOL_VERSION,
      id: randomBytes(16).toString('hex'),
      op,
      args,
      deadline: Date.now() + claimMs,
      from: { pid: process.pid, host: os.hostname(), user: os.userInfo().username },
    };
    const raw = JSON.stringify(req);
    const replyKey = this.k.reply(req.id);
    await r.lpush(this.k.requests, raw);
    try {
      let first = await this.next(replyKey, claimMs);
      if (!first) {
        // Withdraw it; if it is already gone the recorder took it just now, so wait for its answer after all.
        const withdrawn = await r.lrem(this.k.requests, 1, raw);
        if (withdrawn) throw new ChannelUnansweredError(`no monitor picked up the request within ${claimMs} ms on ${this.where()}`);
        first = await this.next(replyKey, 2000);
        if (!first) throw new ChannelUnansweredError(`the monitor took the request but did not confirm it on ${this.where()}`);
      }
      const outcome = first.state === 'claimed' ? await this.next(replyKey, opMs) : first;
      if (!outcome) throw new EvidenceStoreError(`the monitor did not finish "${op}" within ${opMs / 1000} s; it may still complete (check the monitor's log)`);
      if (outcome.state === 'failed') throw new PengawasError(outcome.code, outcome.message);
      if (outcome.state !== 'done') throw new EvidenceStoreError(`unexpected reply "${outcome.state}" from the monitor`);
      return outcome.value as OpResults[O];
    } finally {
      await r.del(replyKey).catch(() => undefined);
    }
  }

  /** The next reply on our key within `ms`, on a connection of its own (BLPOP blocks it). */
  private async next(replyKey: string, ms: number): Promise<Reply | undefined> {
    const r = await this.conn();
    const b = r.duplicate({ lazyConnect: true });
    b.on('error', () => undefined);
    try {
      await b.connect();
      const got = await b.blpop(replyKey, Math.max(ms, 10) / 1000);
      return got ? (JSON.parse(got[1]) as Reply) : undefined;
    } finally {
      b.disconnect();
    }
  }

  async close(): Promise<void> {
    this.redis?.disconnect();
    this.redis = undefined;
  }
}
