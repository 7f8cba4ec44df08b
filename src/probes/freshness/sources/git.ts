/**
 * A document in a local git clone: the last commit touching the path (committer date, author, subject) is the
 * review evidence; the file's content at that revision supplies declared fields (owner, approver, next_review).
 * git runs as a child process without a shell, killed on the check's AbortSignal and on its own deadline, with
 * bounded output, so a huge history or a hung filesystem cannot hold a worker.
 */
import { spawn } from 'node:child_process';
import { realpath, stat } from 'node:fs/promises';
import path from 'node:path';
import { ProbeAbortedError, ProbeTimeoutError, SourceUnreadableError } from '../../../errors';
import { readDeclaredFields } from '../frontmatter';
import type { DocumentFacts } from './types';

interface GitRun {
  cwd: string;
  signal: AbortSignal;
  timeoutMs: number;
  maxBytes: number;
}

interface GitOutput {
  stdout: string;
  truncated: boolean;
}

/** Runs `git <args>`; rejects with SourceUnreadableError on a non-zero exit (stderr in the message). */
export function runGit(args: string[], o: GitRun): Promise<GitOutput> {
  return new Promise((resolve, reject) => {
    if (o.signal.aborted) return reject(new ProbeAbortedError('cancelled before git started'));
    const child = spawn('git', args, {
      cwd: o.cwd,
      stdio: ['ignore', 'pipe', 'pipe'],
      // No prompts (a credential helper would wait forever), stable English messages, no lock files taken.
      env: { ...process.env, GIT_TERMINAL_PROMPT: '0', GIT_OPTIONAL_LOCKS: '0', LC_ALL: 'C' },
    });
    const out: Buffer[] = [];
    let outBytes = 0;
    let truncated = false;
    let err = '';
    let settled = false;
    const finish = (e: Error | null, v?: GitOutput) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      o.signal.removeEventListener('abort', onAbort);
      if (e) {
        child.kill('SIGKILL');
        reject(e);
      } else resolve(v!);
    };
    const onAbort = () => finish(new ProbeAbortedError(`git ${args[0]} cancelled`));
    const timer = setTimeout(() => finish(new ProbeTimeoutError(o.timeoutMs, `git ${args[0]}`)), o.timeoutMs);
    o.signal.addEventListener('abort', onAbort, { once: true });
    child.stdout.on('data', (c: Buffer) => {
      if (truncated) return;
      const room = o.maxBytes - outBytes;
      if (c.length >= room) {
        out.push(c.subarray(0, room));
        outBytes += room;
        truncated = true;
        // Enough read; the rest of the output is not needed.
        child.kill('SIGKILL');
        finish(null, { stdout: Buffer.concat(out).toString('utf8'), truncated: true });
        return;
      }
      out.push(c);
      outBytes += c.length;
    });
    child.stderr.on('data', (c: Buffer) => {
      if (err.length < 4096) err += c.toString('utf8');
    });
    child.on('error', (e: NodeJS.ErrnoException) => {
      finish(
        new SourceUnreadableError(
          e.code === 'ENOENT' ? 'git is not installed (no git executable on PATH)' : `cannot run git: ${e.message}`,
          { cause: e },
        ),
      );
    });
    child.on('close', (code) => {
      if (code === 0) finish(null, { stdout: Buffer.concat(out).toString('utf8'), truncated });
      else finish(new SourceUnreadableError(`git ${args[0]} failed (exit ${code}): ${err.trim().split('\n')[0] || 'no message'}`));
    });
  });
}

/** Finds the clone and the path inside it for `git:<path>`; `git:<repo>#<path>` gives both. */
async function locate(target: { repo?: string; path: string }, run: Omit<GitRun, 'cwd'>): Promise<{ repo: string; rel: string }> {
  if (target.repo) return { repo: target.repo, rel: target.path };
  let abs: string;
  try {
    abs = await realpath(target.path);
  } catch (e) {
    throw new SourceUnreadableError(`cannot read ${target.path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, {
      cause: e,
    });
  }
  const dir = (await stat(abs)).isDirectory() ? abs : path.dirname(abs);
  const top = (await runGit(['rev-parse', '--show-toplevel'], { ...run, cwd: dir })).stdout.trim();
  const rel = path.relative(await realpath(top), abs);
  return { repo: top, rel: rel === '' ? '.' : rel.split(path.sep).join('/') };
}

export async function readGitSource(
  target: { repo?: string; path: string },
  ref: string,
  maxBytes: number,
  signal: AbortSignal,
  timeoutMs: number,
): Promise<DocumentFacts> {
  const base = { signal, timeoutMs, maxBytes: 64 * 1024 };
  const { repo, rel } = await locate(target, base);
  const run = { ...base, cwd: repo };
  // Unit separator between fields: subjects may contain any printable character.
  const log = await runGit(['log', '-1', '--format=%H%x1f%cI%x1f%aI%x1f%an%x1f%s', ref, '--', rel], run);
  const line = log.stdout.trim();
  if (!line) throw new SourceUnreadableError(`no commit on ${ref} touches ${rel} in ${repo}`);
  const [commit, committedAt, authoredAt, author, subject] = line.split('\x1f');
  const spec = `${ref}:${rel === '.' ? '' : rel}`;
  const objType = (await runGit(['cat-file', '-t', spec], run).catch(() => ({ stdout: '' }))).stdout.trim();
  let declared = readDeclaredFields('');
  let truncated = false;
  if (objType === 'blob') {
    const content = await runGit(['cat-file', 'blob', spec], { ...run, maxBytes });
    declared = readDeclaredFields(content.stdout, rel);
    truncated = content.truncated;
  }
  return {
    kind: 'git',
    declared,
    sourceDate: { at: new Date(committedAt), evidence: 'git-commit' },
    details: {
      repo,
      path: rel,
      ref,
      commit,
      committedAt,
      authoredAt,
      author,
      message: subject.slice(0, 200),
      object: objType || 'missing',
      truncated,
    },
  };
}
