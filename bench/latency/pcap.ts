/**
 * A reader for what `tcpdump -w --time-stamp-precision=nano` writes on Linux loopback: classic pcap (nanosecond
 * magic 0xa1b23c4d or microsecond 0xa1b2c3d4, either byte order), Ethernet link type (what `-i lo` gives), IPv4
 * or IPv6, TCP only. Enough to time a benchmark's packets; not a general packet parser.
 */
export interface TcpPacket {
  /** Kernel capture time, ms (only differences between packets are meaningful). */
  t: number;
  srcPort: number;
  dstPort: number;
  syn: boolean;
  ack: boolean;
  fin: boolean;
  payload: Buffer;
}

const LINKTYPE_ETHERNET = 1;

export function readPcap(buf: Buffer): TcpPacket[] {
  if (buf.length < 24) throw new Error(`pcap too short (${buf.length} bytes)`);
  const magicLe = buf.readUInt32LE(0);
  let le: boolean;
  let nano: boolean;
  if (magicLe === 0xa1b23c4d || magicLe === 0xa1b2c3d4) {
    le = true;
    nano = magicLe === 0xa1b23c4d;
  } else {
    const magicBe = buf.readUInt32BE(0);
    if (magicBe !== 0xa1b23c4d && magicBe !== 0xa1b2c3d4) throw new Error(`not a pcap file (magic ${magicLe.toString(16)})`);
    le = false;
    nano = magicBe === 0xa1b23c4d;
  }
  const u32 = (o: number) => (le ? buf.readUInt32LE(o) : buf.readUInt32BE(o));
  const linkType = u32(20);
  if (linkType !== LINKTYPE_ETHERNET) throw new Error(`pcap link type ${linkType} is not Ethernet`);

  const out: TcpPacket[] = [];
  let off = 24;
  while (off + 16 <= buf.length) {
    const sec = u32(off);
    const frac = u32(off + 4);
    const incl = u32(off + 8);
    const frame = buf.subarray(off + 16, off + 16 + incl);
    off += 16 + incl;
    if (frame.length < incl) break; // a record cut short by the capture's end
    const packet = tcp(frame);
    if (packet) out.push({ t: sec * 1000 + frac / (nano ? 1e6 : 1e3), ...packet });
  }
  return out;
}

function tcp(frame: Buffer): Omit<TcpPacket, 't'> | undefined {
  if (frame.length < 14) return undefined;
  const etherType = frame.readUInt16BE(12);
  let ip = 14;
  let proto: number;
  let ipEnd: number;
  if (etherType === 0x0800) {
    const ihl = (frame[ip] & 0x0f) * 4;
    proto = frame[ip + 9];
    ipEnd = ip + frame.readUInt16BE(ip + 2);
    ip += ihl;
  } else if (etherType === 0x86dd) {
    proto = frame[ip + 6];
    ipEnd = ip + 40 + frame.readUInt16BE(ip + 4);
    ip += 40;
  } else return undefined;
  if (proto !== 6 || frame.length < ip + 20) return undefined;
  const flags = frame[ip + 13];
  const dataOff = (frame[ip + 12] >> 4) * 4;
  return {
    srcPort: frame.readUInt16BE(ip),
    dstPort: frame.readUInt16BE(ip + 2),
    syn: (flags & 0x02) !== 0,
    ack: (flags & 0x10) !== 0,
    fin: (flags & 0x01) !== 0,
    payload: frame.subarray(ip + dataOff, Math.min(ipEnd, frame.length)),
  };
}
