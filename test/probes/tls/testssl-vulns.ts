/**
 * testssl.sh's vulnerability and session verdicts (Debian package, flat JSON): the -U checks pengawas also makes
 * (each by its own flag, so ROBOT, Ticketbleed and BREACH, which pengawas does not judge, are not waited for) plus
 * -S for session resumption and must-staple. A verdict is "vulnerable" when testssl's severity is above OK/INFO.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';

/** testssl JSON id → pengawas `vulnerabilities` id (or `features` id, prefixed `feature:`). */
export const TESTSSL_IDS: Record<string, string> = {
  heartbleed: 'heartbleed',
  CCS: 'ccs_injection',
  secure_renego: 'insecure_renegotiation',
  secure_client_renego: 'client_renegotiation',
  CRIME_TLS: 'crime_compression',
  POODLE_SSL: 'poodle_sslv3',
  SWEET32: 'sweet32',
  FREAK: 'freak',
  LOGJAM: 'logjam',
  DROWN: 'drown',
  BEAST: 'beast',
  LUCKY13: 'lucky13',
  sessionresumption_ticket: 'feature:session_resumption_ticket',
  sessionresumption_ID: 'feature:session_resumption_id',
  cert_mustStapleExtension: 'feature:ocsp_must_staple',
};

/** pengawas id → testssl's verdict (true vulnerable / feature present). */
export function testsslVulns(target: string, jsonFile: string): Promise<Record<string, boolean>> {
  return new Promise((resolve, reject) => {
    const flags = ['-H', '-I', '-R', '-C', '-O', '-W', '-F', '-J', '-D', '-A', '-L', '-S'];
    execFile(
      'testssl',
      ['--quiet', '--color', '0', '--warnings', 'off', ...flags, '--jsonfile', jsonFile, target],
      { timeout: 1_800_000 },
      (err) => {
        let rows: Array<{ id: string; severity: string; finding: string }>;
        try {
          rows = JSON.parse(readFileSync(jsonFile, 'utf8'));
        } catch {
          return reject(err ?? new Error('testssl wrote no JSON'));
        }
        const out: Record<string, boolean> = {};
        for (const r of rows) {
          const id = TESTSSL_IDS[r.id];
          if (!id) continue;
          if (id.startsWith('feature:'))
            out[id] = id === 'feature:ocsp_must_staple' ? /^(supported|requires)/i.test(r.finding) : /^supported/i.test(r.finding);
          else out[id] = !['OK', 'INFO'].includes(r.severity);
        }
        resolve(out);
      },
    );
  });
}
