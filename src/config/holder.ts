/**
 * Holds the running configuration and reloads it on SIGHUP or when a file in the checks folder changes.
 * An invalid configuration is rejected: the last good one keeps running and the listeners hear `rejected`.
 */
import { watch, type FSWatcher } from 'chokidar';
import { ConfigError } from '../errors';
import { logger } from '../util/logger';
import type { CheckSet } from './check';
import { loadChecks, type LoadOptions } from './load';

export type ReloadListener = (event: { ok: true; set: CheckSet } | { ok: false; error: ConfigError }) => void;

export class ConfigHolder {
  private watcher?: FSWatcher;
  private debounce?: NodeJS.Timeout;
  private readonly listeners: ReloadListener[] = [];
  private readonly onHup = () => this.reload('SIGHUP');

  private constructor(
    readonly dir: string,
    private readonly opts: LoadOptions,
    public current: CheckSet,
  ) {}

  /** Loads the folder or throws ConfigError: a monitor never starts on an invalid configuration. */
  static load(dir: string, opts: LoadOptions = {}): ConfigHolder {
    return new ConfigHolder(dir, opts, loadChecks(dir, opts));
  }

  onReload(listener: ReloadListener): void {
    this.listeners.push(listener);
  }

  /** Re-reads the folder; returns whether the new configuration was accepted. */
  reload(reason: string): boolean {
    try {
      const set = loadChecks(this.dir, this.opts);
      const changed = set.hash !== this.current.hash;
      this.current = set;
      logger().info({ reason, checks: set.checks.length, hash: set.hash.slice(0, 12), changed }, 'configuration reloaded');
      for (const l of this.listeners) l({ ok: true, set });
      return true;
    } catch (thrown) {
      // Whatever went wrong while reading, the running monitor must survive it: only the new set is rejected.
      const err =
        thrown instanceof ConfigError
          ? thrown
          : new ConfigError([
              {
                file: this.dir,
                field: '(folder)',
                message: `cannot load the checks folder: ${(thrown as Error)?.message ?? String(thrown)}`,
              },
            ]);
      logger().error({ reason, problems: err.problems }, 'configuration rejected; the last good configuration keeps running');
      for (const l of this.listeners) l({ ok: false, error: err });
      return false;
    }
  }

  /** Reloads on SIGHUP, and on file changes unless `files` is false (debounced: an editor's save burst is one reload). */
  watch(files = true): void {
    process.on('SIGHUP', this.onHup);
    if (!files) return;
    this.watcher = watch(this.dir, { ignoreInitial: true, depth: 0, awaitWriteFinish: { stabilityThreshold: 100, pollInterval: 50 } });
    this.watcher.on('all', (_event, file) => {
      if (!/\.ya?ml$/i.test(file)) return;
      clearTimeout(this.debounce);
      this.debounce = setTimeout(() => this.reload(`file changed: ${file}`), 200);
    });
    this.watcher.on('error', (err) => logger().warn({ err: String(err) }, 'checks folder watcher error'));
  }

  async close(): Promise<void> {
    process.off('SIGHUP', this.onHup);
    clearTimeout(this.debounce);
    await this.watcher?.close();
  }
}
