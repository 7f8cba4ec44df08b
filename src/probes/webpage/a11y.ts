/**
 * The accessibility rules of the `webpage` probe, run by axe-core itself on jsdom — no browser. Only the rules
 * that need no layout are claimed: html-has-lang, html-lang-valid, document-title, image-alt, input-image-alt,
 * label, select-name, button-name, link-name. Colour contrast, focus order and target size need a rendering engine
 * and are not claimed. Page scripts never run (jsdom `runScripts: 'outside-only'` runs only axe) and no sub-resource
 * is fetched (jsdom loads none unless asked); the page is at most the probe's `maxBytes`. jsdom and axe-core are
 * loaded on first use: requiring jsdom costs about a second of CPU, which no other command should pay at start.
 */
import type axe from 'axe-core';
import type { Finding } from '../../results/contract';

export const A11Y_RULES = [
  'html-has-lang',
  'html-lang-valid',
  'document-title',
  'image-alt',
  'input-image-alt',
  'label',
  'select-name',
  'button-name',
  'link-name',
] as const;
export type A11yRule = (typeof A11Y_RULES)[number];

/** Finding severity per rule (close to axe-core's impact: serious → high, moderate → medium). */
const IMPACT: Record<A11yRule, Finding['severity']> = {
  'html-has-lang': 'medium',
  'html-lang-valid': 'medium',
  'document-title': 'medium',
  'image-alt': 'high',
  'input-image-alt': 'high',
  label: 'high',
  'select-name': 'high',
  'button-name': 'high',
  'link-name': 'medium',
};

const MESSAGE: Record<A11yRule, (n: number) => string> = {
  'html-has-lang': () => '<html> has no lang attribute: screen readers cannot pick the right pronunciation',
  'html-lang-valid': () => '<html lang> is not a valid language tag',
  'document-title': () => 'the page has no (or an empty) <title>',
  'image-alt': (n) => `${n} image(s) without alt text`,
  'input-image-alt': (n) => `${n} image button(s) without alt text`,
  label: (n) => `${n} form field(s) without a label`,
  'select-name': (n) => `${n} select list(s) without a label`,
  'button-name': (n) => `${n} button(s) without a name`,
  'link-name': (n) => `${n} link(s) without text`,
};

/** What axe.run resolves to, as far as it is read here. */
interface AxeViolation {
  id: string;
  nodes: Array<{ html: string }>;
}

type AxeWindow = Window & { axe: { run(context: Document, options: axe.RunOptions): Promise<{ violations: AxeViolation[] }> } };

/** A short, bounded rendering of an element for evidence. */
function clip(html: string): string {
  return html.length > 200 ? `${html.slice(0, 199)}…` : html;
}

export async function checkAccessibility(html: string, url: URL, skip: string[]): Promise<Finding[]> {
  const rules = A11Y_RULES.filter((r) => !skip.includes(r));
  if (!rules.length) return [];
  const [{ JSDOM, VirtualConsole }, { source }] = await Promise.all([import('jsdom'), import('axe-core')]);
  const dom = new JSDOM(html, { url: url.href, runScripts: 'outside-only', virtualConsole: new VirtualConsole() });
  try {
    const window = dom.window as unknown as AxeWindow & { eval(code: string): unknown };
    window.eval(source);
    const { violations } = await window.axe.run(dom.window.document, {
      runOnly: { type: 'rule', values: rules },
      resultTypes: ['violations'],
    });
    const out: Finding[] = [];
    for (const rule of A11Y_RULES) {
      const v = violations.find((x) => x.id === rule);
      if (!v) continue;
      const elements = v.nodes.map((n) => clip(n.html));
      const message =
        rule === 'html-lang-valid'
          ? `<html lang="${dom.window.document.documentElement.getAttribute('lang') ?? ''}"> is not a valid language tag`
          : MESSAGE[rule](elements.length);
      out.push({
        id: `webpage.a11y.${rule.replace(/-/g, '_')}`,
        severity: IMPACT[rule],
        status: 'fail',
        message,
        evidence: { rule, count: elements.length || 1, elements: elements.slice(0, 5) },
      });
    }
    return out;
  } finally {
    dom.window.close();
  }
}
