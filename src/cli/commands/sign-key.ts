/**
 * `--sign-key FILE` of `waive` and `attest`: the operator's Ed25519 private key signs the record's statement in
 * this process; only the public key, its SHA-256 and the signature go to the store. The key must be one of the
 * operator keys in the settings (evidence.operatorKeys), whose name becomes the signer shown in the report.
 */
import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import type { Settings } from '../../config/settings';
import { UsageError } from '../../errors';
import { fingerprintOf } from '../../evidence/pack/sign';
import { findTrusted, resolveKeys } from '../../evidence/pack/trust';
import { signStatement, type OperatorSignature } from '../../evidence/record-checks';

export function signRecord(file: string, statement: Record<string, unknown>, settings: Settings): OperatorSignature {
  let key: KeyObject;
  try {
    key = createPrivateKey(readFileSync(file));
  } catch (e) {
    throw new UsageError(`--sign-key ${file}: not a readable PEM private key (${(e as Error).message.split('\n')[0]})`);
  }
  if (key.asymmetricKeyType !== 'ed25519')
    throw new UsageError(`--sign-key ${file}: an Ed25519 key is required, got ${key.asymmetricKeyType}`);
  const operators = resolveKeys(settings.evidence.operatorKeys, 'evidence.operatorKeys', { fingerprintOnly: false });
  const fingerprint = fingerprintOf(createPublicKey(key));
  const trusted = findTrusted(operators, fingerprint);
  if (!trusted) {
    throw new UsageError(
      `--sign-key ${file}: key sha256 ${fingerprint} is not among the ${operators.length} operator keys in the settings (evidence.operatorKeys); add its public key there first`,
    );
  }
  return signStatement(statement, key, trusted.name);
}
