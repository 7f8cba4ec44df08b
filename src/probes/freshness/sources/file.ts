/** A document on disk: its declared fields (read from the first maxBytes) and its mtime as weaker evidence. */
import { open, stat } from 'node:fs/promises';
import { SourceUnreadableError } from '../../../errors';
import { readDeclaredFields } from '../frontmatter';
import type { DocumentFacts } from './types';

export async function readFileSource(file: string, maxBytes: number, signal: AbortSignal): Promise<DocumentFacts> {
  let info;
  try {
    info = await stat(file);
  } catch (e) {
    throw new SourceUnreadableError(`cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, { cause: e });
  }
  if (!info.isFile()) throw new SourceUnreadableError(`${file} is not a regular file`);
  signal.throwIfAborted();
  let text: string;
  try {
    const fh = await open(file, 'r');
    try {
      const buf = Buffer.alloc(Math.min(maxBytes, info.size));
      const { bytesRead } = await fh.read(buf, 0, buf.length, 0);
      text = buf.subarray(0, bytesRead).toString('utf8');
    } finally {
      await fh.close();
    }
  } catch (e) {
    throw new SourceUnreadableError(`cannot read ${file}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`, { cause: e });
  }
  return {
    kind: 'file',
    declared: readDeclaredFields(text, file),
    sourceDate: { at: info.mtime, evidence: 'mtime' },
    details: { path: file, bytes: info.size, truncated: info.size > maxBytes },
  };
}
