/**
 * The recorder's side of the evidence channel: serves requests from processes that cannot open the embedded
 * store while this process holds it (`pengawas attest|waive|evidence build`, workers in other processes running
 * `attestation` checks). One request at a time, in arrival order: PGlite has a single connection anyway.
 */
import { writeFileSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Redis } from 'ioredis';
import { PengawasError } from '../../errors';
import { connect } from '../../queue/connection';
import { logger } from '../../util/logger';
import type { EvidenceStore } from '../store';
import { runOp } from './operations';
import { HEARTBEAT_EVERY_MS, HEARTBEAT_TTL_MS, keys, MAX_REQUEST_BYTES, REPLY_TTL_SECONDS, requestSchema, type Reply, type ServerBeacon } from './protocol';

/** Tells a CLI on this host which Redis and prefix serve the store in this folder (written next to the lock). */
export const CHANNEL_FILE = '.pengawas.channel.json';

export interface ChannelInfo {
  pid: number;
  prefix: string;
  /** Absent when the URL carries a password: that stays out of files. */
  redisUrl?: string;
}

export interface ChannelServerOptions {
  store: EvidenceStore;
  redisUrl: string;
  prefix: string;
  /** How long one BRPOP blocks; bounds how long stop() waits. */
  pollSeconds?: number;
}

export class EvidenceChannelServer {
  private readonly blocking: Redis;
  private readonly replies: Redis;
  private readonly k: ReturnType<typeof keys>;
  private running = true;
  private loop: Promise<void> | undefined;
  private beat: NodeJS.Timeout | undefined;
  private channelFile: string | undefined;

  constructor(private readonly o: ChannelServerOptions) {
    this.k = keys(o.prefix);
    this.blocking = connect(o.redisUrl, 'evidence-channel');
    this.replies = connect(o.redisUrl, 'evidence-replies');
    for (const c of [this.blocking, this.replies]) c.on('error', (err) => logger().warn({ err: err.message }, 'evidence channel: redis connection error'));
  }

  async start(): Promise<void> {
    await this.heartbeat();
    this.beat = setInterval(() => void this.heartbeat().catch(() => undefined), HEARTBEAT_EVERY_MS);
    this.beat.unref();
    if (this.o.store.kind === 'pglite') {
      const info: ChannelInfo = { pid: process.pid, prefix: this.o.prefix, ...(hasPassword(this.o.redisUrl) ? {} : { redisUrl: this.o.redisUrl }) };
      this.channelFile = path.join(path.resolve(this.o.store.dataDir), 'evidence', CHANNEL_FILE);
      writeFileSync(this.channelFile, `${JSON.stringify(info)}\n`, { mode: 0o600 });
    }
    this.loop = this.serve();
  }

  private async heartbeat(): Promise<void> {
    const beacon: ServerBeacon = { pid: process.pid, host: os.hostname(), backend: this.o.store.kind, since: new Date().toISOString() };
    await this.replies.set(this.k.server, JSON.stringify(beacon), 'PX', HEARTBEAT_TTL_MS);
  }

  private async serve(): Promise<void> {
    const poll = this.o.pollSeconds ?? 1;
    while (this.running) {
      let popped: [string, string] | null;
      try {
        popped = await this.blocking.brpop(this.k.requests, poll);
      } catch (err) {
        if (!this.running) return;
        logger().warn({ err: (err as Error).message }, 'evidence channel: cannot read requests; retrying');
        await new Promise((r) => setTimeout(r, 1000));
        continue;
      }
      if (popped) await this.handle(popped[1]);
    }
  }

  private async handle(raw: string): Promise<void> {
    if (Buffer.byteLength(raw) > MAX_REQUEST_BYTES) {
      logger().warn({ bytes: Buffer.byteLength(raw) }, 'evidence channel: oversized request dropped');
      return;
    }
    let json: unknown;
    try {
      json = JSON.parse(raw);
    } catch {
      logger().warn('evidence channel: request is not JSON; dropped');
      return;
    }
    const parsed = requestSchema.safeParse(json);
    if (!parsed.success) {
      // Without a valid id there is nobody to answer.
      logger().warn({ problems: parsed.error.issues.map((i) => i.path.join('.')).join(',') }, 'evidence channel: malformed request dropped');
      return;
    }
    const req = parsed.data;
    if (req.deadline < Date.now()) {
      logger().info({ op: req.op, from: req.from }, 'evidence channel: request past its deadline dropped unexecuted');
      return;
    }
    const replyKey = this.k.reply(req.id);
    const reply = async (r: Reply) => {
      await this.replies.multi().rpush(replyKey, JSON.stringify(r)).expire(replyKey, REPLY_TTL_SECONDS).exec();
    };
    try {
      await reply({ state: 'claimed' });
      const value = await runOp(this.o.store, req.op, req.args);
      logger().info({ op: req.op, from: req.from }, 'evidence channel: request served');
      await reply({ state: 'done', value });
    } catch (err) {
      const e = err as Error;
      const known = e instanceof PengawasError;
      if (!known) logger().error({ op: req.op, from: req.from, err: e }, 'evidence channel: request failed unexpectedly');
      else logger().info({ op: req.op, from: req.from, code: e.code }, 'evidence channel: request refused');
      await reply({ state: 'failed', code: known ? e.code : 'PENGAWAS_EVIDENCE_STORE', message: known ? e.message : "the monitor could not complete the request (see the monitor's log)" }).catch(() => undefined);
    }
  }

  async stop(): Promise<void> {
    this.running = false;
    if (this.beat) clearInterval(this.beat);
    if (this.channelFile) rmSync(this.channelFile, { force: true });
    // Bounded: with Redis gone the command would wait for a reconnect forever and hold up shutdown.
    await Promise.race([this.replies.del(this.k.server).catch(() => undefined), new Promise((r) => setTimeout(r, 1000).unref())]);
    // The blocked BRPOP returns within pollSeconds; disconnecting makes it return now.
    this.blocking.disconnect();
    await this.loop?.catch(() => undefined);
    this.replies.disconnect();
  }
}

function hasPassword(url: string): boolean {
  try {
    return Boolean(new URL(url).password);
  } catch {
    return true;
  }
}
