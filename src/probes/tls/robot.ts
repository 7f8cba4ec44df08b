/**
 * The ROBOT check: only when the server accepts an RSA key-exchange suite (TLS_RSA_*, not EXPORT) below TLS 1.3.
 * The five ClientKeyExchange variants (wire/robot.ts), each on its own connection side by side, followed by
 * ChangeCipherSpec and Finished; if all five got the same answer, the five again without them (testssl.sh's two
 * flows). Identical answers within each flow: not vulnerable (10 connections). A flow whose answers differ is sent
 * again (5 more, a longer wait when a silence was among the answers); the same answers again: vulnerable;
 * anything else: undecided (null), never a pass.
 */
import { cipherByCode, suitesFor } from './ciphers';
import type { ProtocolResult } from './enumerate';
import type { Limiter } from './limiter';
import { VERSION_CODE, type Protocol } from './wire/constants';
import { openHello, type Endpoint, type HandshakeLimits } from './wire/handshake';
import { ROBOT_VARIANTS, robotVariant, rsaKeyOf, type RobotAnswer } from './wire/robot';

export interface RobotRound {
  flow: 'cke+ccs+finished' | 'cke only';
  waitMs: number;
  /** One answer signature per variant (ROBOT_VARIANTS order). */
  answers: string[];
  /** The slowest answer's time (a silence counts as the wait). */
  slowestMs: number;
}

export interface RobotCheck {
  /** The server accepts an RSA key-exchange suite below TLS 1.3 (false: nothing to test, not vulnerable). */
  applicable: boolean;
  vulnerable: boolean | null;
  /** strong: the wrongly padded variants (1-3) are told apart from each other; weak: only from the correct one. */
  oracle?: 'strong' | 'weak';
  protocol?: Protocol;
  /** The suites offered (the server's own RSA key-exchange suites for that version). */
  suites?: string[];
  rounds: RobotRound[];
  /** Connections the check opened. */
  handshakes: number;
  note?: string;
}

const isRsaKex = (code: number) => {
  const s = cipherByCode(code);
  return s?.kx === 'RSA' && !s.export;
};

export async function checkRobot(
  ep: Endpoint,
  results: ProtocolResult[],
  o: { limiter: Limiter; limits: HandshakeLimits; waitMs: number; enumerated: boolean },
): Promise<RobotCheck> {
  const legacy = results.filter((r) => r.supported && r.protocol !== 'TLSv1.3').map((r) => r.protocol);
  // The newest version with an accepted RSA key-exchange suite (testssl.sh too prefers TLS 1.2, then older).
  const withRsa = [...legacy].reverse().find((p) => results.find((r) => r.protocol === p)?.suites.some((s) => isRsaKex(s.code)));
  // Without a full enumeration the suites seen are one per version: offer the registry's RSA suites instead.
  const protocol = withRsa ?? (o.enumerated ? undefined : legacy[legacy.length - 1]);
  if (!protocol)
    return {
      applicable: false,
      vulnerable: false,
      rounds: [],
      handshakes: 0,
      note: legacy.length ? 'no RSA key-exchange suite accepted' : 'no TLS 1.0-1.2 or SSLv3 version accepted',
    };
  const found =
    results
      .find((r) => r.protocol === protocol)
      ?.suites.map((s) => s.code)
      .filter(isRsaKex) ?? [];
  const ciphers = found.length
    ? found
    : suitesFor(protocol)
        .map((s) => s.code)
        .filter(isRsaKex);
  const suites = ciphers.map((c) => cipherByCode(c)!.name);
  let handshakes = 0;
  const version = VERSION_CODE[protocol];

  /** One variant on its own connection; a string when the hello itself did not lead to an RSA key exchange. */
  const one = (variant: number, ccsFinished: boolean, waitMs: number) =>
    o.limiter.run(async () => {
      handshakes++;
      const { conn, outcome } = await openHello(ep, { protocol, ciphers }, o.limits);
      try {
        if (!outcome.accepted) return { refused: outcome.alert ?? 'refused' };
        if (outcome.version !== version || !isRsaKex(outcome.cipher)) return { refused: `answered 0x${outcome.cipher.toString(16)}` };
        const key = outcome.certificates?.[0] ? rsaKeyOf(outcome.certificates[0]) : undefined;
        if (!key) return { refused: 'no RSA certificate in the answer' };
        return await robotVariant(conn, { variant, version, key, ccsFinished, waitMs });
      } finally {
        conn.close();
      }
    });
  const round = async (flow: RobotRound['flow'], waitMs: number): Promise<RobotRound | string> => {
    const got = await Promise.all(ROBOT_VARIANTS.map((_, v) => one(v, flow === 'cke+ccs+finished', waitMs)));
    const refused = got.find((g): g is { refused: string } => 'refused' in g);
    if (refused) return refused.refused;
    const answered = got.filter((g): g is RobotAnswer => 'signature' in g);
    return { flow, waitMs, answers: answered.map((g) => g.signature), slowestMs: Math.max(...answered.map((g) => g.ms)) };
  };
  const base = { protocol, suites, applicable: true };
  const rounds: RobotRound[] = [];
  const first = await round('cke+ccs+finished', o.waitMs);
  if (typeof first === 'string') {
    // Refused and the RSA suites were only guessed (no enumeration): the server has no RSA key exchange.
    if (!withRsa) return { applicable: false, vulnerable: false, rounds, handshakes, note: `RSA key-exchange hello refused (${first})` };
    return { ...base, vulnerable: null, rounds, handshakes, note: `a variant's hello was not answered with RSA key exchange: ${first}` };
  }
  rounds.push(first);
  let differing = new Set(first.answers).size > 1 ? first : undefined;
  if (!differing) {
    // The key exchange alone: a fixed server waits for the rest of the flight, so silence is the usual answer. The
    // wait follows how fast the server answered the full flight (as testssl.sh adapts its own), within 100 ms-waitMs.
    const wait = Math.min(o.waitMs, Math.max(100, 4 * first.slowestMs));
    const second = await round('cke only', wait);
    if (typeof second === 'string')
      return { ...base, vulnerable: null, rounds, handshakes, note: `the key-exchange-only round: ${second}` };
    rounds.push(second);
    if (new Set(second.answers).size > 1) differing = second;
  }
  if (!differing) return { ...base, vulnerable: false, rounds, handshakes };

  // Repeat the differing flow; a silence may be our wait, so the repeat waits longer.
  const silence = differing.answers.some((a) => a.endsWith('silence'));
  const longer = silence ? Math.max(o.waitMs, Math.floor(o.limits.timeoutMs * 0.6)) : differing.waitMs;
  const again = await round(differing.flow, longer);
  if (typeof again === 'string') return { ...base, vulnerable: null, rounds, handshakes, note: `the repeat was not answered: ${again}` };
  rounds.push(again);
  const same = again.answers.every((a, i) => a === differing.answers[i]);
  if (same) {
    const [, a1, a2, a3] = again.answers;
    return { ...base, vulnerable: true, oracle: a1 === a2 && a2 === a3 ? 'weak' : 'strong', rounds, handshakes };
  }
  // Only the short wait made the difference: with time to answer, every variant got the same answer (not silence).
  if (silence && new Set(again.answers).size === 1 && !again.answers[0].endsWith('silence'))
    return { ...base, vulnerable: false, rounds, handshakes, note: 'the first round differed only by silences within the short wait' };
  return { ...base, vulnerable: null, rounds, handshakes, note: 'answers differed, but not the same way twice (noise?)' };
}
