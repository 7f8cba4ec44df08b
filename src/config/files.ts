/**
 * Reading a checks folder defensively: every failure (dangling symlink, permission denied, a folder named
 * x.yaml, a file too large, bytes that are not UTF-8) becomes a problem naming the file, never an exception,
 * because a reload that throws would take the running monitor down with it.
 */
import { closeSync, openSync, readdirSync, readSync, statSync } from 'node:fs';
import path from 'node:path';
import type { ConfigProblem } from '../errors';

/** Bounds on what one load may cost; each violation is a problem naming the file and the limit. */
export interface ConfigLimits {
  /** Largest checks file read (bytes). */
  maxFileBytes: number;
  /** Most checks in the whole folder. */
  maxChecks: number;
  /** Most YAML alias (*ref) uses in one file: an alias bomb expands exponentially. */
  maxAliases: number;
}

export const DEFAULT_LIMITS: ConfigLimits = { maxFileBytes: 32 * 1024 * 1024, maxChecks: 200_000, maxAliases: 100 };

export function describeBytes(n: number): string {
  return n >= 1024 * 1024
    ? `${(n / 1024 / 1024).toFixed(n % (1024 * 1024) ? 1 : 0)} MiB`
    : n >= 1024
      ? `${Math.round(n / 1024)} KiB`
      : `${n} bytes`;
}

function errnoText(e: unknown): string {
  const err = e as NodeJS.ErrnoException;
  const why: Record<string, string> = {
    ENOENT: 'it does not exist (a dangling symlink?)',
    EACCES: 'permission denied',
    EPERM: 'permission denied',
    ELOOP: 'too many levels of symbolic links',
    EISDIR: 'it is a folder',
    EIO: 'I/O error',
  };
  return `${why[err.code ?? ''] ?? err.message} (${err.code ?? 'error'})`;
}

/** The `*.yaml`/`*.yml` files directly inside `dir`, sorted; entries that cannot be used are problems. */
export function listChecksFiles(dir: string, problems: ConfigProblem[]): string[] | undefined {
  let entries: string[];
  try {
    entries = readdirSync(dir);
  } catch (e) {
    problems.push({ file: dir, field: '(folder)', message: `cannot read the checks folder: ${errnoText(e)}` });
    return undefined;
  }
  const files: string[] = [];
  for (const name of entries.filter((f) => /\.ya?ml$/i.test(f)).sort()) {
    const file = path.join(dir, name);
    try {
      const st = statSync(file); // follows symlinks: a dangling one throws ENOENT here
      if (st.isFile()) files.push(file);
      else
        problems.push({
          file,
          field: '(file)',
          message: 'is not a regular file (a folder or device named like a checks file); rename or remove it',
        });
    } catch (e) {
      problems.push({ file, field: '(file)', message: `cannot read: ${errnoText(e)}` });
    }
  }
  return files;
}

/** Reads one file within the size limit and decodes it as strict UTF-8; undefined (and a problem) otherwise. */
export function readChecksFile(file: string, limits: ConfigLimits, problems: ConfigProblem[]): string | undefined {
  let fd: number | undefined;
  try {
    fd = openSync(file, 'r');
    const size = statSync(file).size;
    if (size > limits.maxFileBytes) {
      problems.push({
        file,
        field: '(file)',
        message: `file is ${describeBytes(size)}, above the limit of ${describeBytes(limits.maxFileBytes)} per checks file; split it into several files`,
      });
      return undefined;
    }
    // Read at most one byte past the limit: a file that grows while being read is caught too.
    const buf = Buffer.alloc(Math.min(size, limits.maxFileBytes) + 1);
    let n = 0;
    for (let r = 1; r > 0 && n < buf.length; n += r) r = readSync(fd, buf, n, buf.length - n, n);
    if (n > limits.maxFileBytes) {
      problems.push({
        file,
        field: '(file)',
        message: `file grew above the limit of ${describeBytes(limits.maxFileBytes)} per checks file while being read`,
      });
      return undefined;
    }
    return decodeUtf8(file, buf.subarray(0, n), problems);
  } catch (e) {
    problems.push({ file, field: '(file)', message: `cannot read: ${errnoText(e)}` });
    return undefined;
  } finally {
    if (fd !== undefined) closeSync(fd);
  }
}

function decodeUtf8(file: string, buf: Buffer, problems: ConfigProblem[]): string | undefined {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(buf);
  } catch {
    // Locate the first bad byte for the message: decode growing prefixes is too slow; scan the sequences.
    const at = firstInvalidUtf8(buf);
    const line = buf.subarray(0, at).toString('latin1').split('\n').length;
    problems.push({
      file,
      line,
      field: '(file)',
      message: `not valid UTF-8: byte 0x${buf[at]?.toString(16).padStart(2, '0') ?? '??'} at offset ${at}; save the file as UTF-8`,
    });
    return undefined;
  }
}

/** Offset of the first byte that does not start or continue a valid UTF-8 sequence (RFC 3629 §4). */
export function firstInvalidUtf8(buf: Buffer): number {
  for (let i = 0; i < buf.length;) {
    const b = buf[i];
    const len = b < 0x80 ? 1 : b >= 0xc2 && b <= 0xdf ? 2 : b >= 0xe0 && b <= 0xef ? 3 : b >= 0xf0 && b <= 0xf4 ? 4 : 0;
    if (len === 0 || i + len > buf.length) return i;
    for (let k = 1; k < len; k++) if ((buf[i + k] & 0xc0) !== 0x80) return i;
    // Overlongs, surrogates and values above U+10FFFF (RFC 3629 §4 second-byte ranges).
    const b1 = buf[i + 1];
    if ((b === 0xe0 && b1 < 0xa0) || (b === 0xed && b1 > 0x9f) || (b === 0xf0 && b1 < 0x90) || (b === 0xf4 && b1 > 0x8f)) return i;
    i += len;
  }
  return buf.length;
}
