/**
 * The rendered pods run as what Kubernetes would start: every replica of every workload as a real `pengawas`
 * process with the container's args and env, as UID/GID 1000 (the manifests' runAsUser), where only the pod's
 * volumes are writable (each mount path mapped to its own folder here: the checks ConfigMap laid out as the
 * kubelet mounts it, Secrets as files, emptyDirs, the recorder's volume), against a private redis-server that
 * requires the password the Secret holds. Checked: the kubelet's probes (/healthz, /readyz) answer 200, a check
 * run by a worker is recorded by the recorder, and SIGTERM stops every process within terminationGracePeriodSeconds.
 */
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import http from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { render, type KObject } from '../../../scripts/k8s/kustomize';
import { EvidenceStore } from '../../../src/evidence/store';
import { makeEnv, type TestEnv } from '../../evidence/helpers';
import { BIN, ROOT } from '../../helpers/cli';
import { sample } from '../../helpers/monitor';
import { freePort, startHttp, waitFor, type Started } from '../../helpers/net';
import { startRedisChild, type RedisChild } from '../../helpers/redis-server';
import { mountLikeKubelet } from './kubelet-volume';

const UID = 1000;

/**
 * Whether this test can take the pod's user: it must run as root, and that user must be able to read the checkout
 * (not so under a 0700 home folder). Otherwise the processes run as this test's own user, which proves the wiring
 * but not that nothing outside the volumes is written; the test says so.
 */
const SWITCH_USER = (() => {
  if (process.getuid?.() !== 0) return false;
  const r = spawnSync(process.execPath, ['-e', `require('fs').accessSync(${JSON.stringify(BIN)}, require('fs').constants.R_OK)`], {
    uid: UID,
    gid: UID,
  });
  return r.status === 0;
})();
const chown = (p: string, uid: number, gid: number) => SWITCH_USER && chownSync(p, uid, gid);
const REDIS_PASSWORD = 'k8s-test-redis-password-0123456789';
const RESULTS_KEY = 'k8s-test-results-key-0123456789abcdef0123456789abcdef';

type Container = {
  args: string[];
  env?: Array<{ name: string; value?: string; valueFrom?: { secretKeyRef?: { name: string; key: string } } }>;
  volumeMounts?: Array<{ name: string; mountPath: string }>;
};
type Workload = KObject & {
  spec: {
    replicas?: number;
    template: {
      metadata: { labels: Record<string, string> };
      spec: {
        containers: Container[];
        terminationGracePeriodSeconds?: number;
        securityContext: { runAsUser: number; runAsGroup: number; fsGroup: number };
        volumes?: Array<{ name: string; secret?: { secretName: string; defaultMode?: number }; configMap?: { name: string } }>;
      };
    };
  };
};

function get(port: number, p: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    http
      .get({ host: '127.0.0.1', port, path: p, timeout: 5000 }, (res) => {
        let body = '';
        res.on('data', (d) => (body += d));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      })
      .on('error', reject);
  });
}

interface Pod {
  name: string;
  role: string;
  port: number;
  child: ChildProcess;
  out: () => string;
  grace: number;
}

/** A folder owned by the pod's user: writable by it, as an emptyDir or a volume is. */
function podDir(p: string, mode = 0o755): string {
  mkdirSync(p, { recursive: true });
  chown(p, UID, UID);
  chmodSync(p, mode);
  return p;
}

/** Starts one replica of a workload; secrets and the checks ConfigMap come from `files`. */
async function startPod(
  root: string,
  w: Workload,
  replica: number,
  o: { redisPort: number; secrets: Record<string, Record<string, string>>; checks: Record<string, string> },
): Promise<Pod> {
  const pod = w.spec.template.spec;
  const c = pod.containers[0];
  const name = `${w.metadata.name}-${replica}`;
  const base = path.join(root, name);
  const mapping = new Map<string, string>();
  for (const m of c.volumeMounts ?? []) {
    const vol = pod.volumes?.find((v) => v.name === m.name);
    const dir = path.join(base, m.name);
    mkdirSync(dir, { recursive: true });
    if (vol?.configMap) mountLikeKubelet(dir, o.checks, '..2026_12_01_00_00_00.1');
    else if (vol?.secret) {
      const data = o.secrets[vol.secret.secretName];
      if (!data) throw new Error(`${name}: no test data for Secret ${vol.secret.secretName}`);
      mountLikeKubelet(dir, data, '..2026_12_01_00_00_00.1');
      // What the kubelet does with fsGroup: the files belong to root and the pod's fsGroup, mode defaultMode.
      const stamp = path.join(dir, '..2026_12_01_00_00_00.1');
      for (const f of Object.keys(data)) {
        chown(path.join(stamp, f), 0, pod.securityContext.fsGroup);
        chmodSync(path.join(stamp, f), vol.secret.defaultMode ?? 0o644);
      }
    } else podDir(dir, m.mountPath === '/tmp' ? 0o1777 : 0o755); // emptyDir or the recorder's volume
    mapping.set(m.mountPath, dir);
  }
  const map = (s: string): string => {
    for (const [from, to] of mapping) if (s === from || s.startsWith(`${from}/`)) return to + s.slice(from.length);
    return s.replace(/\$\{file:([^}]+)\}/g, (_m, f: string): string => `\${file:${map(f)}}`);
  };
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, TMPDIR: mapping.get('/tmp') };
  for (const e of c.env ?? []) {
    if (e.valueFrom?.secretKeyRef) env[e.name] = o.secrets[e.valueFrom.secretKeyRef.name]?.[e.valueFrom.secretKeyRef.key];
    else env[e.name] = e.name === 'REDIS_URL' ? `redis://127.0.0.1:${o.redisPort}` : map(e.value ?? '');
  }
  const port = await freePort();
  // The one change to the container's args: a free loopback port instead of 0.0.0.0:9464, shared by every pod here.
  const args = [...c.args.map(map), '--metrics-port', String(port), '--metrics-host', '127.0.0.1'];
  const user = SWITCH_USER ? { uid: pod.securityContext.runAsUser, gid: pod.securityContext.runAsGroup } : {};
  const child = spawn(process.execPath, [BIN, ...args], { cwd: ROOT, env, ...user, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout!.on('data', (d) => (out += d));
  child.stderr!.on('data', (d) => (out += d));
  return {
    name,
    role: w.spec.template.metadata.labels['app.kubernetes.io/component'],
    port,
    child,
    out: () => out,
    grace: pod.terminationGracePeriodSeconds ?? 30,
  };
}

const exited = (p: Pod) =>
  p.child.exitCode !== null || p.child.signalCode !== null
    ? Promise.resolve(p.child.exitCode)
    : new Promise<number | null>((r) => p.child.once('exit', (code) => r(code)));

describe.each([
  ['overlays/sqlite', 'sqlite'],
  ['base', 'postgres'],
] as const)('deploy/kubernetes/%s as processes (evidence on %s)', (variant, backend) => {
  let redis: RedisChild;
  let target: Started;
  let store: TestEnv;
  let root: string;
  const pods: Pod[] = [];

  beforeAll(async () => {
    // eslint-disable-next-line no-console
    if (!SWITCH_USER) console.warn('pods.test: not root, or UID 1000 cannot read the checkout: the pods run as this user');
    redis = await startRedisChild(['--requirepass', REDIS_PASSWORD]);
    target = await startHttp((_req, res) => res.writeHead(200, { 'content-type': 'text/plain' }).end('ok\n'));
    store = await makeEnv(backend);
    root = mkdtempSync(path.join(tmpdir(), 'pengawas-k8s-pods-'));
    chmodSync(root, 0o755);
  }, 120_000);

  afterAll(async () => {
    for (const p of pods) if (p.child.exitCode === null) p.child.kill('SIGKILL');
    await Promise.all(pods.map(exited));
    await redis?.stop();
    await target?.close();
    await store?.cleanup();
    rmSync(root, { recursive: true, force: true });
  }, 120_000);

  it('every replica starts, becomes ready, records a check, and stops within its grace period', async () => {
    const objs = render(path.join(ROOT, 'deploy', 'kubernetes', variant));
    const workloads = objs.filter((o) => o.kind === 'Deployment' || o.kind === 'StatefulSet') as Workload[];
    const checks = {
      'k8s.yaml': `checks:\n  - id: k8s-http\n    name: k8s http\n    type: http\n    element: sustainability\n    schedule: { every: 5s }\n    timeout: 4s\n    target: ${target.url}/\n`,
    };
    const secrets = {
      'pengawas-redis': { password: `${REDIS_PASSWORD}\n` },
      'pengawas-results': { key: `${RESULTS_KEY}\n` },
      'pengawas-probe-secrets': { 'api-token': 'unused-token-0123456789' },
      'pengawas-postgres': { url: store.databaseUrl ?? '' },
    };
    for (const w of workloads)
      for (let i = 0; i < (w.spec.replicas ?? 1); i++) pods.push(await startPod(root, w, i, { redisPort: redis.port, secrets, checks }));
    expect(pods.map((p) => p.role).sort()).toEqual(['recorder', 'scheduler', 'scheduler', 'worker', 'worker']);

    for (const p of pods) {
      // Generous: on a loaded two-core machine the recorder takes tens of seconds to open its store.
      const ready = await waitFor(
        async () => (await get(p.port, '/readyz').catch(() => ({ status: 0, body: '' }))).status === 200 || p.child.exitCode !== null,
        120_000,
        250,
      );
      expect({ pod: p.name, ready, exit: p.child.exitCode, out: p.child.exitCode === null ? '' : p.out() }).toEqual({
        pod: p.name,
        ready: true,
        exit: null,
        out: '',
      });
      expect((await get(p.port, '/healthz')).status).toBe(200);
    }
    const recorder = pods.find((p) => p.role === 'recorder')!;
    const passes = await waitFor(
      async () =>
        sample(
          (await get(recorder.port, '/metrics')).body,
          'pengawas_check_status{check="k8s-http",element="sustainability",type="http"}',
        ) === 1,
      90_000,
      500,
    );
    expect(passes).toBe(true);

    const codes = await Promise.all(
      pods.map(async (p) => {
        const t0 = Date.now();
        p.child.kill('SIGTERM');
        const code = await exited(p);
        return { pod: p.name, code, withinGrace: Date.now() - t0 < p.grace * 1000 };
      }),
    );
    expect(codes).toEqual(pods.map((p) => ({ pod: p.name, code: 0, withinGrace: true })));

    // The results are evidence where the manifests put it: PostgreSQL from the Secret, or SQLite on the
    // recorder's own volume (the data dir the StatefulSet's volumeClaimTemplate provides).
    const recorderData = path.join(root, `${recorder.name}`, 'data');
    const ev = await EvidenceStore.open(
      backend === 'postgres' ? { dataDir: store.dataDir, databaseUrl: store.databaseUrl } : { dataDir: recorderData },
    );
    try {
      const rows = await ev.db.query<{ result_id: string }>(`SELECT result_id FROM evidence_results`);
      expect(rows.length).toBeGreaterThan(0);
      expect(rows.every((r) => r.result_id.startsWith('k8s-http@'))).toBe(true);
    } finally {
      await ev.close();
    }
    expect(existsSync(path.join(recorderData, 'evidence'))).toBe(backend === 'sqlite');
  }, 600_000);
});
