/**
 * Probe type `webpage`: a public page is usable by everyone — served in the expected language (`<html lang>`),
 * linked to its translations (`hreflang` pairs that answer and link back), and passing the layout-free
 * accessibility rules of axe-core, run on jsdom without a browser (a11y.ts). A page that answers non-2xx is a `fail` (customers cannot read
 * it); a server that cannot be reached is an `error`.
 */
import { fetchText } from '../../net/fetch-text';
import { parseWebUrl, checkWebTarget } from '../../net/target';
import type { Finding } from '../../results/contract';
import { defineProbe, type ProbeContext } from '../types';
import { checkAccessibility } from './a11y';
import { summarise, type PageSummary } from './html';
import { webpageOptions, type WebpageOptions } from './options';

function primary(lang: string | undefined): string {
  return (lang ?? '').trim().toLowerCase().split('-')[0];
}

async function load(url: URL, o: WebpageOptions, ctx: ProbeContext) {
  const res = await fetchText(url, {
    headers: o.headers,
    caFile: o.caFile,
    verifyTls: o.verifyTls,
    maxBytes: o.maxBytes,
    timeoutMs: ctx.timeoutMs,
    signal: ctx.signal,
  });
  return { res, page: res.status >= 200 && res.status < 300 ? summarise(res.text) : undefined };
}

/** One required alternate: not fetched (`checked: false`), or fetched with its status and declared language. */
export type AlternateMeasurement =
  { hreflang: string; href: string; checked: false } | { hreflang: string; href: string; status: number; lang: string | null };

/** What a webpage check measured; only `status` when the page did not answer 2xx. */
export interface WebpageMeasurements {
  status: number;
  /** The URL after redirects. */
  finalUrl?: string;
  /** `<html lang>` as declared. */
  lang?: string | null;
  /** The page title, at most 120 characters. */
  title?: string | null;
  alternates?: AlternateMeasurement[];
  /** Elements the accessibility rules looked at. */
  counts?: { images: number; controls: number; buttons: number; links: number };
}

/** Each required alternate must answer, be in its language, and list the original among its own alternates. */
async function checkPairs(url: URL, s: PageSummary, o: WebpageOptions, ctx: ProbeContext, findings: Finding[]) {
  const pairs: AlternateMeasurement[] = [];
  for (const lang of o.requireAlternates) {
    const alt = s.alternates.find((a) => primary(a.hreflang) === lang.toLowerCase());
    if (!alt) {
      findings.push({
        id: 'webpage.hreflang.missing',
        severity: 'medium',
        status: 'fail',
        message: `no <link rel="alternate" hreflang="${lang}">: the ${lang} version of this page is not linked`,
        evidence: { hreflang: lang, declared: s.alternates.map((a) => a.hreflang) },
      });
      continue;
    }
    const altUrl = new URL(alt.href, url);
    if (!o.checkAlternates || altUrl.href === url.href) {
      pairs.push({ hreflang: lang, href: altUrl.href, checked: false });
      continue;
    }
    const { res, page } = await load(altUrl, o, ctx);
    const entry: AlternateMeasurement = { hreflang: lang, href: altUrl.href, status: res.status, lang: page?.htmlLang ?? null };
    pairs.push(entry);
    if (!page) {
      findings.push({
        id: 'webpage.hreflang.unreachable',
        severity: 'high',
        status: 'fail',
        message: `the ${lang} version ${altUrl.href} answers HTTP ${res.status}`,
        evidence: entry,
      });
      continue;
    }
    if (primary(page.htmlLang) !== lang.toLowerCase()) {
      findings.push({
        id: 'webpage.hreflang.lang_mismatch',
        severity: 'medium',
        status: 'fail',
        message: `${altUrl.href} is linked as hreflang="${lang}" but declares <html lang="${page.htmlLang ?? ''}">`,
        evidence: entry,
      });
    }
    const back = page.alternates.some((a) => new URL(a.href, altUrl).href === url.href);
    if (!back) {
      findings.push({
        id: 'webpage.hreflang.no_return_link',
        severity: 'low',
        status: 'fail',
        message: `${altUrl.href} does not link back to ${url.href}; hreflang pairs must be reciprocal`,
        evidence: entry,
      });
    }
  }
  return pairs;
}

export const webpageProbe = defineProbe<typeof webpageOptions, WebpageMeasurements>({
  type: 'webpage',
  summary: 'Public page: <html lang>, hreflang pairs (id/en), and a browser-free accessibility subset (alt, labels, title, names)',
  defaultElement: 'inclusivity',
  targetHelp: 'URL of an HTML page',
  checkTarget: checkWebTarget,
  options: webpageOptions,
  async run(target, o, ctx) {
    const url = parseWebUrl(target);
    const { res, page } = await load(url, o, ctx);
    const findings: Finding[] = [];
    if (!page) {
      findings.push({
        id: 'webpage.status.unexpected',
        severity: 'high',
        status: 'fail',
        message: `the page answers HTTP ${res.status}`,
        evidence: { status: res.status },
      });
      return { target: url.href, findings, measurements: { status: res.status } };
    }
    if (res.truncated)
      findings.push({
        id: 'webpage.body.too_large',
        severity: 'low',
        status: 'warn',
        message: `the page exceeds ${o.maxBytes} bytes; only the start was checked`,
      });
    if (o.expectLang && primary(page.htmlLang) !== o.expectLang.toLowerCase()) {
      findings.push({
        id: 'webpage.lang.mismatch',
        severity: 'medium',
        status: 'fail',
        message: `<html lang="${page.htmlLang ?? ''}">, expected ${o.expectLang}`,
        evidence: { lang: page.htmlLang ?? null, expected: o.expectLang },
      });
    }
    const pairs = await checkPairs(res.finalUrl, page, o, ctx, findings);
    if (o.accessibility) findings.push(...(await checkAccessibility(res.text, res.finalUrl, o.skipRules)));
    if (!findings.some((f) => f.status !== 'pass')) {
      findings.push({
        id: 'webpage.ok',
        severity: 'info',
        status: 'pass',
        message: `lang="${page.htmlLang}", ${pairs.length} alternate(s) checked, ${o.accessibility ? 'accessibility subset passed' : 'accessibility not checked'}`,
      });
    }
    return {
      target: url.href,
      findings,
      measurements: {
        status: res.status,
        finalUrl: res.finalUrl.href,
        lang: page.htmlLang ?? null,
        title: page.title?.slice(0, 120) ?? null,
        alternates: pairs,
        counts: { images: page.images.length, controls: page.controls.length, buttons: page.buttons.length, links: page.links.length },
      },
    };
  },
});
