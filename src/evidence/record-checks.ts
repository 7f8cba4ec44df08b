/**
 * What every waiver and attestation carries besides its content, and the one validation run wherever either is
 * written:
 *  - `writtenBy`: who wrote the record as the store can tell (PostgreSQL: the database role, `current_user`;
 *    embedded stores: the OS user of the writing process), inside the hashed body;
 *  - optionally `signature`: an operator's Ed25519 signature over the record's statement (its content fields in
 *    canonical JSON), made with `--sign-key FILE` and checked here on write and by `evidence verify --store`.
 * The private key never reaches the store: only the public key, its SHA-256 and the signature do.
 */
import { createPublicKey, sign, verify, type KeyObject } from 'node:crypto';
import os from 'node:os';
import { EvidenceStoreError } from '../errors';
import type { AppliedCheck } from './config-log';
import { CONFIG_STREAM } from './config-log';
import type { Queryable } from './db/types';
import { canonicalJson, sha256Hex } from './hash';
import { hasStrings, isObject, textOf } from '../util/narrow';

export interface WrittenBy {
  kind: 'db-role' | 'os-user';
  name: string;
}

export interface OperatorSignature {
  algorithm: 'ed25519';
  /** SHA-256 of the public key (SPKI DER), hex. */
  keySha256: string;
  publicKey: string;
  /** Base64 Ed25519 signature over the statement's canonical JSON. */
  value: string;
  /** The operator key's name in the settings of whoever signed (evidence.operatorKeys). */
  signer: string;
}

/** Narrows a parsed value to an OperatorSignature as the store writes it. */
export function isSignature(s: unknown): s is OperatorSignature {
  return isObject(s) && s.algorithm === 'ed25519' && hasStrings(s, 'keySha256', 'publicKey', 'value', 'signer');
}

/** Narrows a parsed value to a WrittenBy as the store writes it. */
export function isWrittenBy(w: unknown): w is WrittenBy {
  return isObject(w) && (w.kind === 'db-role' || w.kind === 'os-user') && typeof w.name === 'string';
}

export async function writerOf(tx: Queryable, backend: string): Promise<WrittenBy> {
  if (backend === 'postgres') {
    const [row] = await tx.query<{ u: string }>(`SELECT current_user AS u`);
    return { kind: 'db-role', name: row.u };
  }
  let name: string;
  try {
    name = os.userInfo().username;
  } catch {
    name = `uid ${process.getuid?.() ?? 'unknown'}`;
  }
  return { kind: 'os-user', name };
}

export function statementBytes(statement: Record<string, unknown>): Buffer {
  return Buffer.from(canonicalJson(statement));
}

/** Signs a statement with an operator's Ed25519 private key (PEM). */
export function signStatement(statement: Record<string, unknown>, privateKey: KeyObject, signer: string): OperatorSignature {
  if (privateKey.asymmetricKeyType !== 'ed25519')
    throw new EvidenceStoreError(`--sign-key must be an Ed25519 private key, got ${privateKey.asymmetricKeyType}`);
  const pub = createPublicKey(privateKey);
  const der = pub.export({ type: 'spki', format: 'der' });
  return {
    algorithm: 'ed25519',
    keySha256: sha256Hex(der),
    publicKey: pub.export({ type: 'spki', format: 'pem' }).toString(),
    value: sign(null, statementBytes(statement), privateKey).toString('base64'),
    signer,
  };
}

/** Why a signature does not hold over the statement, or undefined when it does. */
export function signatureProblem(statement: Record<string, unknown>, s: OperatorSignature): string | undefined {
  if (s.algorithm !== 'ed25519') return `signature algorithm ${String(s.algorithm)} is not ed25519`;
  let key: KeyObject;
  try {
    key = createPublicKey(s.publicKey);
  } catch {
    return 'the signature carries no readable public key';
  }
  if (sha256Hex(key.export({ type: 'spki', format: 'der' })) !== s.keySha256) return 'the public key does not match its keySha256';
  let ok = false;
  try {
    ok = verify(null, statementBytes(statement), key, Buffer.from(s.value, 'base64'));
  } catch {
    ok = false;
  }
  return ok
    ? undefined
    : `the signature by ${s.signer} (key sha256 ${s.keySha256}) does not verify over the record (its fields changed after signing)`;
}

/** Field limits: every text a record keeps is bounded. */
export const LIMITS = {
  checkId: 200,
  findingId: 200,
  reason: 2000,
  approver: 200,
  by: 200,
  evidenceRef: 2000,
  note: 2000,
  createdBy: 200,
} as const;

/** Problems of one text field: required and non-blank, and within its limit. */
export function textProblems(field: keyof typeof LIMITS, value: unknown, required: boolean): string[] {
  if (value === undefined || value === null) return required ? [`${field} is required`] : [];
  if (typeof value !== 'string') return [`${field} must be text, got ${typeof value}`];
  if (required && !value.trim()) return [`${field} must not be blank`];
  if (value.length > LIMITS[field]) return [`${field} is ${value.length} characters long; at most ${LIMITS[field]}`];
  return [];
}

export function dateProblems(field: string, value: unknown, required: boolean): string[] {
  if (value === undefined || value === null) return required ? [`${field} is required`] : [];
  if (!(value instanceof Date) || Number.isNaN(value.getTime())) return [`${field} "${textOf(value)}" is not a valid date`];
  return [];
}

/** The checks of the configuration in force (the last #config record), or undefined when none was recorded. */
export async function checksInForce(tx: Queryable): Promise<AppliedCheck[] | undefined> {
  const [row] = await tx.query<{ body: string }>(`SELECT body FROM evidence_configs WHERE stream = $1 ORDER BY seq DESC LIMIT 1`, [
    CONFIG_STREAM,
  ]);
  return row ? (JSON.parse(row.body) as { checks: AppliedCheck[] }).checks : undefined;
}

/**
 * The check id must name a check of the configuration in force (or, for attestations, the target of an
 * `attestation` check). A store that has recorded no configuration yet has nothing to check against.
 */
export function unknownCheckProblem(checks: AppliedCheck[] | undefined, checkId: string, attestation: boolean): string | undefined {
  if (
    !checks ||
    checks.some((c) => c.id === checkId) ||
    (attestation && checks.some((c) => c.type === 'attestation' && c.target === checkId))
  )
    return undefined;
  return `checkId "${checkId}" is not a check of the configuration in force (${checks.length} checks)`;
}

export function invalid(what: string, problems: string[]): EvidenceStoreError {
  return new EvidenceStoreError(`invalid ${what}: ${problems.join('; ')}`);
}
