import IORedis from 'ioredis';
import { startHttp, waitFor, type Started } from '../../helpers/net';
import { sample, startTestMonitor, type TestMonitor } from '../../helpers/monitor';
import { REDIS_URL } from '../../helpers/redis';

const SECRET = 'pipeline-s3cret-token-value';

function checksYaml(base: string): string {
  return `checks:
  - id: good
    type: http
    element: efficiency
    schedule: { every: 1s }
    timeout: 900ms
    target: ${base}/ok
    options:
      headers: { Authorization: "Bearer \${env:PIPELINE_TEST_TOKEN}" }
  - id: failing
    type: http
    element: consumer_protection
    schedule: "* * * * * *"
    timeout: 900ms
    target: ${base}/down
  - id: unreachable
    type: http
    element: security
    schedule: { every: 1s }
    timeout: 900ms
    retries: 1
    target: http://127.0.0.1:1/
  - id: silent
    type: http
    element: sustainability
    schedule: { every: 1s }
    timeout: 300ms
    retries: 0
    target: ${base}/silent
  - id: endless
    type: http
    element: sustainability
    schedule: { every: 1s }
    timeout: 900ms
    target: ${base}/endless
    options: { maxBodyBytes: 100000 }
`;
}

describe('pipeline end to end (real Redis, in-process roles)', () => {
  let target: Started;
  let m: TestMonitor;
  let hits = { ok: 0, auth: '' };

  beforeAll(async () => {
    process.env.PIPELINE_TEST_TOKEN = SECRET;
    target = await startHttp((req, res) => {
      if (req.url === '/ok') {
        hits.ok += 1;
        hits.auth = String(req.headers.authorization);
        res.writeHead(200).end('ok');
      } else if (req.url === '/silent') {
        // never answers
      } else if (req.url === '/endless') {
        res.writeHead(200);
        const chunk = Buffer.alloc(32 * 1024, 97);
        const pump = () => {
          while (!res.destroyed && res.write(chunk));
          if (!res.destroyed) res.once('drain', pump);
        };
        pump();
      } else res.writeHead(503).end('down');
    });
    m = await startTestMonitor('pipeline', checksYaml(target.url));
  });

  afterAll(async () => {
    await m.stop();
    await target.close();
    delete process.env.PIPELINE_TEST_TOKEN;
  });

  it('records element-tagged results in /metrics: pass, fail with its finding, error (not fail)', async () => {
    const text = await waitFor(async () => {
      const t = await m.scrape();
      return ['good', 'failing', 'unreachable', 'silent', 'endless'].every((c) =>
        t.includes(`pengawas_check_last_run_timestamp_seconds{check="${c}"`),
      )
        ? t
        : undefined;
    }, 20_000);
    expect(sample(text, 'pengawas_check_status{check="good",element="efficiency",type="http"}')).toBe(1);
    expect(sample(text, 'pengawas_check_status{check="failing",element="consumer_protection",type="http"}')).toBe(0);
    expect(sample(text, 'pengawas_check_result{check="failing",element="consumer_protection",type="http",status="fail"}')).toBe(1);
    expect(
      sample(
        text,
        'pengawas_check_failing_finding_info{check="failing",element="consumer_protection",type="http",finding="http.status.unexpected",severity="high",status="fail",message="status 503, expected 2xx"}',
      ),
    ).toBe(1);
    expect(sample(text, 'pengawas_check_result{check="unreachable",element="security",type="http",status="error"}')).toBe(1);
    expect(sample(text, 'pengawas_check_result{check="unreachable",element="security",type="http",status="fail"}')).toBe(0);
    expect(sample(text, 'pengawas_check_result{check="silent",element="sustainability",type="http",status="error"}')).toBe(1);
    expect(sample(text, 'pengawas_check_result{check="endless",element="sustainability",type="http",status="fail"}')).toBe(1);
    // Errors are undecided: security has only an erroring check, so no ratio; consumer_protection is 0.
    expect(sample(text, 'pengawas_element_compliance_ratio{element="efficiency"}')).toBe(1);
    expect(sample(text, 'pengawas_element_compliance_ratio{element="consumer_protection"}')).toBe(0);
    expect(text).not.toContain('pengawas_element_compliance_ratio{element="security"}');
    expect(text).toMatch(/pengawas_schedule_lag_seconds_count\{type="http"\} \d+/);
    expect(text).toMatch(
      /pengawas_check_duration_seconds_bucket\{le="0.005",check="good",element="efficiency",type="http",target="http:\/\/127\.0\.0\.1:\d+\/ok"\}/,
    );
    expect(text).toMatch(/^process_resident_memory_bytes /m);
    expect(sample(text, 'pengawas_config_last_reload_success')).toBe(1);
    expect(hits.auth).toBe(`Bearer ${SECRET}`);
  });

  it('retries error results only: unreachable shows a second attempt, failing never does', async () => {
    const text = await waitFor(async () => {
      const t = await m.scrape();
      return (sample(t, 'pengawas_check_retries_total{check="unreachable",element="security",type="http"}') ?? 0) >= 1 ? t : undefined;
    }, 20_000);
    expect(text).not.toContain('pengawas_check_retries_total{check="failing"');
  });

  it('keeps secrets out of Redis: job data carries the check id and slot only', async () => {
    const r = new IORedis(REDIS_URL);
    try {
      const keys: string[] = [];
      let cursor = '0';
      do {
        const [next, batch] = await r.scan(cursor, 'MATCH', `${m.prefix}*`, 'COUNT', 1000);
        keys.push(...batch);
        cursor = next;
      } while (cursor !== '0');
      expect(keys.length).toBeGreaterThan(0);
      let dump = '';
      for (const k of keys) {
        const type = await r.type(k);
        if (type === 'string') dump += await r.get(k);
        else if (type === 'hash') dump += JSON.stringify(await r.hgetall(k));
        else if (type === 'stream') dump += JSON.stringify(await r.xrange(k, '-', '+'));
        else if (type === 'list') dump += JSON.stringify(await r.lrange(k, 0, -1));
        else if (type === 'zset') dump += JSON.stringify(await r.zrange(k, 0, -1));
      }
      expect(dump).not.toContain(SECRET);
      // Completed jobs are deleted at once, so a job's data is read while it runs: the first active job seen (the
      // silent check's runs are active 300 ms of every second).
      const jobData = await waitFor(
        async () => {
          for (const id of await r.lrange(`${m.prefix}:checks:active`, 0, -1)) {
            const data = await r.hget(`${m.prefix}:checks:${id}`, 'data');
            if (data) return data;
          }
          return undefined;
        },
        15_000,
        20,
      );
      expect(Object.keys(JSON.parse(jobData!)).sort()).toEqual(['checkId', 'slot']);
    } finally {
      r.disconnect();
    }
  });

  it('rejects an invalid reload, keeps the last good configuration running, and recovers', async () => {
    m.writeChecks('broken.yaml', 'checks:\n  - id: broken\n    type: http\n    element: nope\n');
    const rejected = await waitFor(async () => sample(await m.scrape(), 'pengawas_config_last_reload_success') === 0, 10_000);
    expect(rejected).toBe(true);
    const before = sample(await m.scrape(), 'pengawas_check_last_run_timestamp_seconds{check="good",element="efficiency",type="http"}')!;
    await waitFor(
      async () =>
        (sample(await m.scrape(), 'pengawas_check_last_run_timestamp_seconds{check="good",element="efficiency",type="http"}') ?? 0) >
        before,
      10_000,
    );
    m.writeChecks(
      'broken.yaml',
      `checks:\n  - id: added\n    type: http\n    element: inclusivity\n    schedule: { every: 1s }\n    timeout: 500ms\n    target: ${target.url}/ok\n`,
    );
    await waitFor(async () => {
      const t = await m.scrape();
      return (
        sample(t, 'pengawas_config_last_reload_success') === 1 &&
        sample(t, 'pengawas_check_status{check="added",element="inclusivity",type="http"}') === 1
      );
    }, 15_000);
    expect(sample(await m.scrape(), 'pengawas_config_checks')).toBe(6);
  });
});
