/**
 * The evidence channel: how a process that cannot open the embedded (PGlite, single-process) evidence store asks
 * the recorder that holds it to do one of a fixed set of operations.
 *
 *   client  LPUSH ${prefix}:evidence:requests  {v, id, op, args, deadline, from}
 *   server  BRPOP the list, then RPUSH ${prefix}:evidence:reply:<id>  {state:'claimed'}  and later the outcome
 *   client  BLPOP its reply key (bounded waits); if nobody claimed the request in time it LREMs it, so a request
 *           the client gave up on is never executed later.
 *   server  keeps ${prefix}:evidence:server (a heartbeat with a short TTL) while it serves.
 *
 * Requests carry only the operation's arguments (ids, names, hashes, dates, paths), never credentials or file
 * contents; replies carry the stored record. Arguments are validated here on both sides.
 */
import path from 'node:path';
import { z } from 'zod';
import { RISKS } from '../waivers';

export const PROTOCOL_VERSION = 1;
/**
 * Larger requests are refused unread: no legitimate operation needs more. The largest is compareAnchors with
 * MAX_ANCHORED_HEADS heads of at most ~320 bytes each.
 */
export const MAX_REQUEST_BYTES = 4 * 1024 * 1024;
/** The most stream heads one pack can anchor for `evidence verify DIR --store` (one stream per check, plus a few). */
export const MAX_ANCHORED_HEADS = 10_000;
/** Reply keys outlive a slow client a little, then Redis drops them. */
export const REPLY_TTL_SECONDS = 120;
export const HEARTBEAT_TTL_MS = 10_000;
export const HEARTBEAT_EVERY_MS = 3_000;

export const keys = (prefix: string) => ({
  requests: `${prefix}:evidence:requests`,
  reply: (id: string) => `${prefix}:evidence:reply:${id}`,
  server: `${prefix}:evidence:server`,
});

const text = (max: number) => z.string().trim().min(1).max(max);
const isoTime = z.iso.datetime({ offset: true });
const hex64 = z.string().regex(/^[0-9a-f]{64}$/, 'must be 64 lower-case hex digits');
/** A chain stream: a check id, or an internal stream such as #config; ASCII, so its size is bounded. */
const streamName = z.string().regex(/^#?[A-Za-z0-9][A-Za-z0-9._-]{0,199}$/, 'must be a check id or an internal stream name');
const absolutePath = z.string().min(1).max(4096).refine((p) => path.isAbsolute(p) && !p.includes('\0'), 'must be an absolute path');

/** An operator's signature over a waiver or attestation (src/evidence/record-checks.ts); checked by the store. */
const operatorSignature = z
  .object({ algorithm: z.literal('ed25519'), keySha256: hex64, publicKey: z.string().min(1).max(1000), value: z.string().min(1).max(200), signer: text(200) })
  .strict();

/** Each operation's arguments. */
export const OPS = {
  info: z.object({}).strict(),
  recordAttestation: z
    .object({
      checkId: text(200),
      by: text(200),
      evidenceHash: hex64,
      evidenceRef: text(2000),
      expiresAt: isoTime.nullable(),
      note: z.string().max(2000).optional(),
      signature: operatorSignature.optional(),
    })
    .strict(),
  latestAttestation: z.object({ checkId: text(200) }).strict(),
  recordWaiver: z
    .object({
      checkId: text(200),
      findingId: text(200).optional(),
      reason: text(2000),
      approver: text(200),
      risk: z.enum(RISKS),
      expiresAt: isoTime,
      startsAt: isoTime.optional(),
      createdBy: text(200).optional(),
      signature: operatorSignature.optional(),
    })
    .strict(),
  buildPack: z
    .object({
      month: z.string().regex(/^\d{4}-\d{2}$/),
      outDir: absolutePath,
      lang: z.enum(['en', 'id']),
      keyFile: absolutePath.optional(),
      overwrite: z.boolean().optional(),
      pdf: z.boolean().optional(),
    })
    .strict(),
  /** `evidence verify --store`: every chain recomputed, in the store's own timezone. */
  verifyStore: z.object({}).strict(),
  /** `evidence verify DIR --store`: the heads the pack anchored (chains.json), compared with the store. */
  compareAnchors: z
    .object({
      heads: z
        .array(z.object({ stream: streamName, seq: z.number().int().nonnegative(), hash: hex64 }).strict())
        .max(MAX_ANCHORED_HEADS),
    })
    .strict(),
  /** `evidence verify DIR --store`: anchors, signer and recounted figures of the pack in DIR (pack/check-store.ts). */
  checkPack: z.object({ dir: absolutePath }).strict(),
  /** `evidence signers`: every key the store recorded as a pack signer. */
  listSigners: z.object({}).strict(),
} as const;

export type Op = keyof typeof OPS;
export type OpArgs<O extends Op> = z.infer<(typeof OPS)[O]>;

/** How long a client waits for the outcome once its request is claimed (a pack with a PDF takes a while). */
export const OP_TIMEOUT_MS: Record<Op, number> = {
  info: 10_000,
  recordAttestation: 15_000,
  latestAttestation: 10_000,
  recordWaiver: 15_000,
  buildPack: 180_000,
  // Recomputing every chain of a large store takes a while.
  verifyStore: 1_800_000,
  compareAnchors: 1_800_000,
  checkPack: 1_800_000,
  listSigners: 10_000,
};

export const requestSchema = z
  .object({
    v: z.literal(PROTOCOL_VERSION),
    id: z.string().regex(/^[0-9a-f]{32}$/),
    op: z.enum(Object.keys(OPS) as [Op, ...Op[]]),
    args: z.unknown(),
    /** Epoch ms after which the client no longer waits: the server drops it unexecuted. */
    deadline: z.number().int().positive(),
    /** Who asked, for the recorder's log. */
    from: z.object({ pid: z.number().int(), host: z.string().max(255), user: z.string().max(100).optional() }).strict(),
  })
  .strict();

export type Request = z.infer<typeof requestSchema>;

export type Reply = { state: 'claimed' } | { state: 'done'; value: unknown } | { state: 'failed'; code: string; message: string };

export interface ServerBeacon {
  pid: number;
  host: string;
  backend: string;
  since: string;
}
