/**
 * A document behind a URL: a JSON API (wiki page version date by JSONPath), a text/Markdown body with front
 * matter, or any page with a Last-Modified header. A non-2xx answer means the source could not be read (`error`):
 * a 404 from a wiki says nothing about whether the plan was reviewed.
 */
import { fetchText, headerValue } from '../../../net/fetch-text';
import { SourceUnreadableError } from '../../../errors';
import { parseDate } from '../dates';
import { readDeclaredFields } from '../frontmatter';
import type { FreshnessOptions } from '../options';
import type { DocumentFacts } from './types';

export async function readHttpSource(url: URL, o: FreshnessOptions, signal: AbortSignal, timeoutMs: number): Promise<DocumentFacts> {
  const res = await fetchText(url, {
    headers: o.headers,
    caFile: o.caFile,
    verifyTls: o.verifyTls,
    maxBytes: o.maxBytes,
    timeoutMs,
    signal,
  });
  if (res.status < 200 || res.status >= 300) {
    throw new SourceUnreadableError(`${url.href} answered HTTP ${res.status}; the document cannot be read`);
  }
  const contentType = headerValue(res.headers, 'content-type') ?? '';
  const lastModifiedText = headerValue(res.headers, 'last-modified');
  const lastModified = lastModifiedText ? parseDate(lastModifiedText) : undefined;
  const wantsJson = o.jsonPath !== undefined || Object.keys(o.fieldPaths).length > 0 || /[/+]json\b/i.test(contentType);
  let json: unknown;
  let declared = readDeclaredFields('');
  if (wantsJson) {
    if (res.truncated) throw new SourceUnreadableError(`the JSON body of ${url.href} exceeds ${o.maxBytes} bytes`);
    try {
      json = JSON.parse(res.text);
    } catch (e) {
      throw new SourceUnreadableError(`${url.href} did not return JSON: ${(e as Error).message}`);
    }
    if (json !== null && typeof json === 'object' && !Array.isArray(json))
      declared = { format: 'json', fields: json as Record<string, unknown> };
  } else {
    declared = readDeclaredFields(res.text, url.pathname);
  }
  return {
    kind: 'http',
    declared,
    json,
    sourceDate: lastModified ? { at: lastModified, evidence: 'http-last-modified' } : undefined,
    details: { url: url.href, finalUrl: res.finalUrl.href, status: res.status, contentType, lastModified: lastModifiedText ?? null },
  };
}
