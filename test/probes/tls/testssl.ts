/** Runs testssl.sh (Debian package) with protocol and per-protocol cipher checks and reads its flat JSON file. */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';

const TESTSSL_PROTOCOLS: Record<string, string> = {
  SSLv2: 'SSLv2',
  SSLv3: 'SSLv3',
  TLS1: 'TLSv1',
  TLS1_1: 'TLSv1.1',
  TLS1_2: 'TLSv1.2',
  TLS1_3: 'TLSv1.3',
};
const CIPHER_PROTOCOLS: Record<string, string> = { ssl3: 'SSLv3', tls1: 'TLSv1', tls1_1: 'TLSv1.1', tls1_2: 'TLSv1.2', tls1_3: 'TLSv1.3' };

export interface TestsslView {
  protocols: Record<string, boolean>;
  /** "TLSv1.2 0xC02F" entries, sorted */
  suites: string[];
}

export function testssl(target: string, jsonFile: string): Promise<TestsslView> {
  return new Promise((resolve, reject) => {
    execFile(
      'testssl',
      ['--quiet', '--color', '0', '--warnings', 'off', '-p', '-E', '--jsonfile', jsonFile, target],
      { timeout: 600_000 },
      (err) => {
        let rows: Array<{ id: string; finding: string }>;
        try {
          rows = JSON.parse(readFileSync(jsonFile, 'utf8'));
        } catch {
          return reject(err ?? new Error('testssl wrote no JSON'));
        }
        const protocols: Record<string, boolean> = {};
        const suites: string[] = [];
        for (const r of rows) {
          if (TESTSSL_PROTOCOLS[r.id]) protocols[TESTSSL_PROTOCOLS[r.id]] = /^offered/.test(r.finding);
          const m = /^cipher-(ssl3|tls1(?:_\d)?)_x([0-9a-f]+)$/.exec(r.id);
          if (m) suites.push(`${CIPHER_PROTOCOLS[m[1]]} 0x${m[2].toUpperCase().padStart(4, '0')}`);
        }
        resolve({ protocols, suites: suites.sort() });
      },
    );
  });
}
