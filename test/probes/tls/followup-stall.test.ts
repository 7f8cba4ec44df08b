/**
 * A short follow-up wait (ROBOT's key-exchange-only round: 100 ms on a fast server) must not call an answer that
 * arrived "silence" because this process was stalled (a major GC, a busy worker) when the wait ran out. After a
 * stall Node runs due timers before the poll that delivers bytes which came in meanwhile, so a plain timer race
 * loses the answer: in ROBOT a real alert read as silence can make five differing answers look alike, a false pass.
 *
 * The peer is a separate process (an in-process peer would be stalled too and answer only after the stall): it
 * answers any bytes 20 ms later with a TLS alert record (RFC 5246 6.2.1 header + 7.2 alert: fatal, handshake_failure).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';
import readline from 'node:readline';
import { Conn } from '../../../src/probes/tls/transport';
import { readRecords } from '../../../src/probes/tls/wire/followup';
import { openHello } from '../../../src/probes/tls/wire/handshake';
import { ROBOT_VARIANTS, robotVariant, rsaKeyOf } from '../../../src/probes/tls/wire/robot';
import { Pki } from './helpers';

const PEER = `
const net = require('node:net');
const answer = process.argv[1] === 'answer';
const srv = net.createServer((s) => {
  s.on('error', () => {});
  s.on('data', () => { if (answer) setTimeout(() => s.write(Buffer.from([21, 3, 3, 0, 2, 2, 40])), 20); });
});
srv.listen(0, '127.0.0.1', () => console.log(srv.address().port));
`;

async function peer(mode: 'answer' | 'silent'): Promise<{ port: number; child: ChildProcess }> {
  return started(spawn(process.execPath, ['-e', PEER, mode], { stdio: ['ignore', 'pipe', 'inherit'] }));
}

async function started(child: ChildProcess): Promise<{ port: number; child: ChildProcess }> {
  children.push(child);
  const line = await new Promise<string>((resolve) => readline.createInterface({ input: child.stdout! }).once('line', resolve));
  return { port: Number(line), child };
}

function stall(ms: number): void {
  const until = Date.now() + ms;
  while (Date.now() < until) {
    // a synchronous stall, as a major collection or a long task in a busy worker
  }
}

const children: ChildProcess[] = [];
afterAll(() => children.forEach((c) => c.kill()));

const limits = () => ({ signal: new AbortController().signal, timeoutMs: 5000, phase: 'test' });
const isAlert = (rs: Array<{ type: number }>) => rs.some((r) => r.type === 21);

test('an answer that arrived while the process was stalled past the wait is read, not taken for silence', async () => {
  const { port } = await peer('answer');
  for (let i = 0; i < 3; i++) {
    const conn = await Conn.open('127.0.0.1', port, limits());
    try {
      conn.write(Buffer.from([22, 3, 3, 0, 0]));
      const got = readRecords(conn, 80, 4096, isAlert);
      stall(300); // the peer answers at ~20 ms, inside the stall; the 80 ms wait ends inside it too
      const out = await got;
      expect(out.end).toBe('enough');
      expect(out.records[0]).toMatchObject({ type: 21, length: 2 });
      expect([...out.records[0].payload]).toEqual([2, 40]);
    } finally {
      conn.close();
    }
  }
});

test('without a stall the answer is read as before', async () => {
  const { port } = await peer('answer');
  const conn = await Conn.open('127.0.0.1', port, limits());
  try {
    conn.write(Buffer.from([22, 3, 3, 0, 0]));
    const out = await readRecords(conn, 1000, 4096, isAlert);
    expect(out.end).toBe('enough');
  } finally {
    conn.close();
  }
});

test('a peer that never answers is still silence, stalled or not', async () => {
  const { port } = await peer('silent');
  for (const ms of [0, 300]) {
    const conn = await Conn.open('127.0.0.1', port, limits());
    try {
      conn.write(Buffer.from([22, 3, 3, 0, 0]));
      const got = readRecords(conn, 80, 4096, isAlert);
      if (ms) stall(ms);
      const out = await got;
      expect(out).toEqual({ records: [], end: 'silent' });
    } finally {
      conn.close();
    }
  }
});

test('ROBOT, key exchange alone, process stalled past the 100 ms wait: the oracle is still seen (was: five silences, a pass)', async () => {
  // The purpose-built oracle of robot-peer.ts in `flight` mode, in its own process: a wrong padding is refused at
  // once (decrypt_error), a correct one waits for Finished (silence).
  const pki = new Pki();
  try {
    const leaf = pki.leaf({ name: 'robot-stall' });
    const runner = path.join(__dirname, 'robot-peer-main.ts');
    const { port } = await started(
      spawn(process.execPath, ['--import', 'tsx', runner, 'flight', leaf.cert, leaf.key], { stdio: ['ignore', 'pipe', 'inherit'] }),
    );
    const hl = { signal: new AbortController().signal, timeoutMs: 5000, maxBytes: 65_536 };
    const answers: string[] = [];
    for (let variant = 0; variant < ROBOT_VARIANTS.length; variant++) {
      const { conn, outcome } = await openHello({ host: '127.0.0.1', port }, { protocol: 'TLSv1.2', ciphers: [0x009c] }, hl);
      try {
        if (!outcome.accepted) throw new Error(`hello refused: ${outcome.alert}`);
        const key = rsaKeyOf(outcome.certificates![0])!;
        const answer = robotVariant(conn, { variant, version: 0x0303, key, ccsFinished: false, waitMs: 100 });
        stall(300);
        answers.push((await answer).signature);
      } finally {
        conn.close();
      }
    }
    expect(answers).toEqual(['silence', 'alert 51, close', 'alert 51, close', 'alert 51, close', 'alert 51, close']);
  } finally {
    pki.cleanup();
  }
});

test("the connection's own deadline during a wait is no answer: it rejects (PROBE_TIMEOUT), never reads as the peer closing", async () => {
  const { port } = await peer('silent');
  const conn = await Conn.open('127.0.0.1', port, { signal: new AbortController().signal, timeoutMs: 300, phase: 'test' });
  try {
    conn.write(Buffer.from([22, 3, 3, 0, 0]));
    await expect(readRecords(conn, 2000, 4096, isAlert)).rejects.toMatchObject({ code: 'PROBE_TIMEOUT' });
  } finally {
    conn.close();
  }
});
