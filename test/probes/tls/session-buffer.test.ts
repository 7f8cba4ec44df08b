/**
 * The session buffer Node's tls hands a client is read for TLS 1.3 0-RTT (max_early_data, SSL_SESSION_ASN1 field
 * [15]). Node 26 wraps OpenSSL's DER in an envelope of its own; reading it as bare DER made every scan of a TLS 1.3
 * server that issues tickets end in `error` on Node 26. The fixtures are real buffers from both Node lines
 * (fixtures/README.md), not buffers built from this reader's idea of the format.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { maxEarlyData, sessionDer } from '../../../src/probes/tls/session';

const fixture = (name: string) => Buffer.from(readFileSync(path.join(__dirname, 'fixtures', `${name}.hex`), 'utf8').trim(), 'hex');

describe.each(['20.20.2', '26.12.1'])('a TLS 1.3 session from Node %s', (version) => {
  it('shows the max_early_data the server put in its ticket (s_server -max_early_data 16384)', () => {
    expect(maxEarlyData(fixture(`session-node${version}-early16384`))).toBe(16384);
  });

  it('shows 0 for a server that allows no early data', () => {
    expect(maxEarlyData(fixture(`session-node${version}-no-early`))).toBe(0);
  });
});

describe('sessionDer', () => {
  it('finds the DER at the start (Node 20) and after the envelope (Node 26)', () => {
    const bare = fixture('session-node20.20.2-no-early');
    expect(sessionDer(bare)).toEqual(bare);
    const wrapped = fixture('session-node26.12.1-no-early');
    expect(wrapped.subarray(0, 20).toString('latin1')).toBe('\0nodejs:tls:session:');
    const der = sessionDer(wrapped)!;
    expect(der[0]).toBe(0x30);
    expect(wrapped.length - der.length).toBe(33); // the envelope: magic, version, host name "127.0.0.1"
  });

  it('gives no verdict for a buffer that holds no SSL_SESSION (a format it does not know, or a cut buffer)', () => {
    const wrapped = fixture('session-node26.12.1-early16384');
    expect(maxEarlyData(wrapped.subarray(0, wrapped.length - 1))).toBeUndefined();
    expect(maxEarlyData(Buffer.from('\0nodejs:tls:session:2\0something else entirely', 'latin1'))).toBeUndefined();
    expect(maxEarlyData(Buffer.alloc(0))).toBeUndefined();
  });
});
