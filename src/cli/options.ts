/** Options shared by the commands (each adds only the groups it uses), and the `--opt key=value` parser for ad-hoc probes. */
import type { Command } from 'commander';
import { loadSettings, type Settings } from '../config/settings';
import { UsageError } from '../errors';
import { setLogLevel } from '../util/logger';

export interface CommonFlags {
  checks?: string;
  config?: string;
  metricsPort?: string;
  metricsHost?: string;
  webConfigFile?: string;
  logLevel?: string;
  prefix?: string;
}

/** What a command reads besides the settings file: the checks folder, or the monitor's listener and Redis keys. */
export interface OptionGroups {
  /** `--checks`: the command loads the checks folder. */
  checks?: boolean;
  /** `--metrics-*`, `--web-config-file`, `--prefix`: the command serves /metrics and talks to Redis (the roles). */
  serve?: boolean;
}

/** Adds `--config` and `--log-level` (every command that reads the settings), plus the groups the command uses. */
export function addSettings(cmd: Command, groups: OptionGroups = {}): Command {
  if (groups.checks) cmd.option('--checks <dir>', 'folder of checks YAML files (default: checks/)');
  cmd.option('--config <file>', "the monitor's own settings (YAML)");
  if (groups.serve) {
    cmd
      .option('--metrics-port <n>', 'port of /metrics, /healthz, /readyz (default 9464; 0 = any free port)')
      .option('--metrics-host <address>', 'listen address of /metrics (default 0.0.0.0; 127.0.0.1 keeps it on this host)')
      .option('--web-config-file <file>', 'exporter-toolkit web-config.yml for /metrics: TLS, client certificates, basic auth')
      .option('--prefix <name>', 'Redis key prefix (default pengawas)');
  }
  return cmd.option('--log-level <level>', 'trace, debug, info, warn, error, fatal or silent');
}

export function settingsFrom(flags: CommonFlags): Settings {
  const port = flags.metricsPort === undefined ? undefined : Number(flags.metricsPort);
  if (port !== undefined && (!Number.isInteger(port) || port < 0 || port > 65535)) {
    throw new UsageError(`--metrics-port must be a port number, got "${flags.metricsPort}"`);
  }
  const base = loadSettings(flags.config);
  const s: Settings = {
    ...base,
    checksDir: flags.checks ?? base.checksDir,
    logLevel: (flags.logLevel as Settings['logLevel']) ?? base.logLevel,
    prefix: flags.prefix ?? base.prefix,
    metrics: {
      ...base.metrics,
      port: port ?? base.metrics.port,
      host: flags.metricsHost ?? base.metrics.host,
      webConfigFile: flags.webConfigFile ?? base.metrics.webConfigFile,
    },
  };
  setLogLevel(s.logLevel);
  return s;
}

/** `--opt a=1 --opt headers.X-Key=abc` → { a: 1, headers: { 'X-Key': 'abc' } }; values are JSON when they parse. */
export function parseOpts(pairs: string[]): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const pair of pairs) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new UsageError(`--opt expects key=value, got "${pair}"`);
    const keys = pair.slice(0, eq).split('.');
    const text = pair.slice(eq + 1);
    let value: unknown = text;
    try {
      value = JSON.parse(text);
    } catch {
      // plain string
    }
    let node = out;
    keys.slice(0, -1).forEach((k) => {
      if (typeof node[k] !== 'object' || node[k] === null) node[k] = {};
      node = node[k] as Record<string, unknown>;
    });
    node[keys[keys.length - 1]] = value;
  }
  return out;
}

export function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}
