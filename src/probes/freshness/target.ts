/**
 * The `freshness` target names its source kind explicitly, so a path is never mistaken for a URL:
 *   file:<path>            a file (relative paths are relative to the working directory); a bare path also works
 *   git:<path>             a file or folder inside a local git clone; the repository is found upwards
 *   git:<repo>#<path>      the same, with the clone and the path inside it given apart
 *   http(s)://…            a URL: Last-Modified, front matter in the body, or a JSON field (jsonPath)
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { UsageError } from '../../errors';

export type SourceTarget = { kind: 'file'; path: string } | { kind: 'git'; repo?: string; path: string } | { kind: 'http'; url: URL };

export const FRESHNESS_TARGET_HELP = 'file:<path> | git:<path-in-clone> | git:<repo>#<path> | http(s)://<url>';

export function parseSourceTarget(target: string, cwd = process.cwd()): SourceTarget {
  const t = target.trim();
  if (/^https?:\/\//i.test(t)) {
    try {
      return { kind: 'http', url: new URL(t) };
    } catch {
      throw new UsageError(`target "${target}" is not a valid URL`);
    }
  }
  if (t.startsWith('git:')) {
    const rest = t.slice(4);
    const hash = rest.indexOf('#');
    if (hash >= 0) {
      const repo = rest.slice(0, hash);
      const inRepo = rest.slice(hash + 1);
      if (!repo) throw new UsageError(`target "${target}": the repository before "#" is empty`);
      if (path.isAbsolute(inRepo) || inRepo.split(/[\\/]/).includes('..')) {
        throw new UsageError(`target "${target}": the path after "#" must be relative to the repository and stay inside it`);
      }
      return { kind: 'git', repo: path.resolve(cwd, repo), path: inRepo || '.' };
    }
    if (!rest) throw new UsageError(`target "${target}": expected git:<path> or git:<repo>#<path>`);
    return { kind: 'git', path: path.resolve(cwd, rest) };
  }
  if (t.startsWith('file://')) return { kind: 'file', path: fileURLToPath(t) };
  if (t.startsWith('file:')) return { kind: 'file', path: path.resolve(cwd, t.slice(5)) };
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(t)) {
    throw new UsageError(`target "${target}": unsupported scheme; expected ${FRESHNESS_TARGET_HELP}`);
  }
  return { kind: 'file', path: path.resolve(cwd, t) };
}

/** The target as shown in results: the kind prefix plus the resolved path or URL. */
export function describeTarget(t: SourceTarget): string {
  if (t.kind === 'http') return t.url.href;
  if (t.kind === 'git') return t.repo ? `git:${t.repo}#${t.path}` : `git:${t.path}`;
  return `file:${t.path}`;
}
