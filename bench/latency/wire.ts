/**
 * The wire as the kernel saw it: `tcpdump` on loopback, filtered to the benchmark server's port, and per request
 * (found by the `id=` in its request line) the capture times of the handshake, the request and the response's
 * first and last data. These are what each tool's phases are compared with, independent of any tool's clock.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { readPcap, type TcpPacket } from './pcap';

export interface WireMarks {
  /** Client's SYN. */
  syn: number;
  /** Client's ACK that completes the handshake: the connection is open. */
  established: number;
  /** Last request data packet before the response began. */
  requestSent: number;
  /** First and last response data packets. */
  firstByte: number;
  lastByte: number;
}

export interface Capture {
  stop(): Promise<Map<string, WireMarks>>;
}

/** Starts tcpdump on `lo` for TCP to/from `port`; resolves once it is listening. */
export async function captureLoopback(port: number, file: string): Promise<Capture> {
  const child = spawn('tcpdump', ['-i', 'lo', '-nn', '-U', '-B', '32768', '--time-stamp-precision=nano', '-w', file, `tcp port ${port}`], {
    stdio: ['ignore', 'ignore', 'pipe'],
  });
  let stderr = '';
  await new Promise<void>((resolve, reject) => {
    child.stderr!.on('data', (d: Buffer) => {
      stderr += d.toString();
      if (/listening on/.test(stderr)) resolve();
    });
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`tcpdump exited with ${code}: ${stderr.trim()}`)));
  });
  return {
    async stop() {
      // Not in immediate mode (a wake-up per packet would compete with the tools being measured): the kernel
      // hands packets over in blocks, a block at the latest after libpcap's 1 s timeout; wait for the last one.
      await new Promise((r) => setTimeout(r, 1500));
      await stopChild(child);
      const dropped = /(\d+) packets? dropped by kernel/.exec(stderr);
      if (dropped && Number(dropped[1]) > 0) throw new Error(`tcpdump dropped ${dropped[1]} packets: the wire reference is incomplete`);
      return marksById(readPcap(readFileSync(file)), port);
    },
  };
}

function stopChild(child: ChildProcess): Promise<void> {
  return new Promise((resolve) => {
    if (child.exitCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGINT');
  });
}

/** Groups packets by client port and reads each connection's marks; keyed by the request's `id` parameter. */
export function marksById(packets: TcpPacket[], serverPort: number): Map<string, WireMarks> {
  const open = new Map<number, TcpPacket[]>();
  const conns: TcpPacket[][] = [];
  for (const p of packets) {
    const client = p.dstPort === serverPort ? p.srcPort : p.srcPort === serverPort ? p.dstPort : undefined;
    if (client === undefined) continue;
    // A client port can be reused by a later connection: each SYN starts a new one.
    if (p.syn && !p.ack && p.dstPort === serverPort) {
      const list: TcpPacket[] = [];
      open.set(client, list);
      conns.push(list);
    }
    open.get(client)?.push(p);
  }
  const out = new Map<string, WireMarks>();
  for (const list of conns) {
    const toServer = (p: TcpPacket) => p.dstPort === serverPort;
    const syn = list[0];
    const established = list.find((p) => toServer(p) && p.ack && !p.syn);
    const firstByte = list.find((p) => !toServer(p) && p.payload.length > 0);
    const request = list.filter((p) => toServer(p) && p.payload.length > 0 && (!firstByte || p.t <= firstByte.t));
    const lastByte = [...list].reverse().find((p) => !toServer(p) && p.payload.length > 0);
    if (!established || !firstByte || !lastByte || request.length === 0) continue;
    const id = /[?&]id=([\w-]+)/.exec(
      Buffer.concat(request.map((p) => p.payload))
        .toString('latin1')
        .split('\r\n')[0],
    )?.[1];
    if (!id) continue;
    out.set(id, {
      syn: syn.t,
      established: established.t,
      requestSent: request[request.length - 1].t,
      firstByte: firstByte.t,
      lastByte: lastByte.t,
    });
  }
  return out;
}
