/**
 * A documented subset of accessibility rules checked without a browser, named after the axe-core rules they
 * mirror so results read the same: html-has-lang, html-lang-valid, document-title, image-alt, input-image-alt,
 * label, select-name, button-name, link-name. Rules that need layout or computed styles (colour contrast, focus
 * order, target size) are out of reach without a browser and are not claimed.
 */
import type { Finding } from '../../results/contract';
import { snippet, type Attrs, type PageSummary } from './html';

export const A11Y_RULES = ['html-has-lang', 'html-lang-valid', 'document-title', 'image-alt', 'input-image-alt', 'label', 'select-name', 'button-name', 'link-name'] as const;
export type A11yRule = (typeof A11Y_RULES)[number];

/** axe-core impact → finding severity. */
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

/** BCP 47 shape: a 2–3 letter primary language, optional subtags (id, en, en-GB, zh-Hant-TW). */
export const LANG_TAG = /^[a-z]{2,3}(-[a-z0-9]{2,8})*$/i;

const NO_LABEL_TYPES = new Set(['hidden', 'submit', 'button', 'reset', 'image']);

function presentational(a: Attrs): boolean {
  return a.role === 'presentation' || a.role === 'none' || a['aria-hidden'] === 'true';
}

function ariaNamed(a: Attrs, s: PageSummary): boolean {
  if (a['aria-label']?.trim()) return true;
  const ref = a['aria-labelledby'];
  return Boolean(ref && ref.split(/\s+/).some((id) => s.ids.has(id)));
}

export function checkAccessibility(s: PageSummary, skip: string[]): Finding[] {
  const out: Finding[] = [];
  const report = (rule: A11yRule, message: string, elements: string[] = []) => {
    if (skip.includes(rule)) return;
    out.push({ id: `webpage.a11y.${rule.replace(/-/g, '_')}`, severity: IMPACT[rule], status: 'fail', message, evidence: { rule, count: elements.length || 1, elements: elements.slice(0, 5) } });
  };
  if (!s.htmlLang?.trim()) report('html-has-lang', '<html> has no lang attribute: screen readers cannot pick the right pronunciation');
  else if (!LANG_TAG.test(s.htmlLang.trim())) report('html-lang-valid', `<html lang="${s.htmlLang}"> is not a valid language tag`);
  if (!s.title) report('document-title', 'the page has no (or an empty) <title>');

  const imgs = s.images.filter((a) => a.alt === undefined && !presentational(a) && !ariaNamed(a, s) && !a.title?.trim());
  if (imgs.length) report('image-alt', `${imgs.length} image(s) without alt text`, imgs.map((a) => snippet('img', a)));

  const unlabeled: string[] = [];
  const unnamedSelects: string[] = [];
  const imageInputs: string[] = [];
  for (const c of s.controls) {
    const type = (c.attrs.type ?? 'text').toLowerCase();
    if (c.tag === 'input' && type === 'image') {
      if (!c.attrs.alt?.trim() && !ariaNamed(c.attrs, s)) imageInputs.push(snippet('input', c.attrs));
      continue;
    }
    if (c.tag === 'input' && NO_LABEL_TYPES.has(type)) continue;
    const labelled = c.wrapped || (c.attrs.id !== undefined && s.labelFor.has(c.attrs.id)) || ariaNamed(c.attrs, s) || Boolean(c.attrs.title?.trim());
    if (!labelled) (c.tag === 'select' ? unnamedSelects : unlabeled).push(snippet(c.tag, c.attrs));
  }
  if (imageInputs.length) report('input-image-alt', `${imageInputs.length} image button(s) without alt text`, imageInputs);
  if (unlabeled.length) report('label', `${unlabeled.length} form field(s) without a label`, unlabeled);
  if (unnamedSelects.length) report('select-name', `${unnamedSelects.length} select list(s) without a label`, unnamedSelects);

  const buttons = s.buttons.filter((b) => !b.text && !ariaNamed(b.attrs, s) && !b.attrs.title?.trim());
  if (buttons.length) report('button-name', `${buttons.length} button(s) without a name`, buttons.map((b) => snippet('button', b.attrs)));
  const links = s.links.filter((l) => !l.text && !ariaNamed(l.attrs, s) && !l.attrs.title?.trim() && !presentational(l.attrs));
  if (links.length) report('link-name', `${links.length} link(s) without text`, links.map((l) => snippet('a', l.attrs)));
  return out;
}
