/** Targets and trust material shared by every HTTP-speaking probe: an http(s) URL, and an optional private CA. */
import { readFile } from 'node:fs/promises';
import { UsageError } from '../errors';

export function parseWebUrl(target: string): URL {
  let url: URL;
  try {
    url = new URL(target);
  } catch {
    throw new UsageError(`target "${target}" is not a URL (expected http://… or https://…)`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') throw new UsageError(`target "${target}" must use http or https`);
  return url;
}

/** `target` as every web probe accepts it: an http(s) URL with a host name (checked when checks load, too). */
export function checkWebTarget(target: string): void {
  if (!parseWebUrl(target).hostname) throw new UsageError(`target "${target}" has no host name`);
}

/** A CA file that cannot be read is a configuration mistake, reported as such rather than as a crash. */
export async function readCa(file: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (e) {
    throw new UsageError(`caFile ${file} cannot be read (${(e as NodeJS.ErrnoException).code ?? (e as Error).message})`);
  }
}
