/**
 * One pass over an HTML page with htmlparser2 (no browser, no script execution), collecting what the language
 * and accessibility rules need: `<html lang>`, `<title>`, hreflang alternates, images, form controls with how
 * they are labelled, buttons and links with their accessible text.
 */
import { Parser } from 'htmlparser2';

export type Attrs = Record<string, string>;

export interface Control {
  tag: string;
  attrs: Attrs;
  /** Inside an open <label> element. */
  wrapped: boolean;
}

export interface Named {
  tag: string;
  attrs: Attrs;
  /** Text content plus alt texts of images inside (what a screen reader would announce). */
  text: string;
}

export interface PageSummary {
  htmlLang?: string;
  title?: string;
  alternates: Array<{ hreflang: string; href: string }>;
  images: Attrs[];
  controls: Control[];
  labelFor: Set<string>;
  /** ids of elements with text, for aria-labelledby. */
  ids: Set<string>;
  buttons: Named[];
  links: Named[];
}

export function summarise(html: string): PageSummary {
  const s: PageSummary = { alternates: [], images: [], controls: [], labelFor: new Set(), ids: new Set(), buttons: [], links: [] };
  let labelDepth = 0;
  let inTitle = false;
  let title = '';
  // Open buttons/links collecting their accessible text (nesting is rare but legal for spans inside).
  const open: Array<{ named: Named; kind: 'buttons' | 'links' }> = [];
  const parser = new Parser(
    {
      onopentag(name, attrs) {
        if (attrs.id) s.ids.add(attrs.id);
        switch (name) {
          case 'html':
            if (s.htmlLang === undefined) s.htmlLang = attrs.lang ?? attrs['xml:lang'] ?? '';
            break;
          case 'title':
            inTitle = s.title === undefined;
            break;
          case 'link':
            if (/\balternate\b/i.test(attrs.rel ?? '') && attrs.hreflang && attrs.href)
              s.alternates.push({ hreflang: attrs.hreflang, href: attrs.href });
            break;
          case 'label':
            labelDepth++;
            if (attrs.for) s.labelFor.add(attrs.for);
            break;
          case 'img':
            s.images.push(attrs);
            for (const o of open) if (attrs.alt) o.named.text += ` ${attrs.alt}`;
            break;
          case 'input':
          case 'select':
          case 'textarea':
            s.controls.push({ tag: name, attrs, wrapped: labelDepth > 0 });
            break;
          case 'button':
            open.push({ named: { tag: name, attrs, text: '' }, kind: 'buttons' });
            break;
          case 'a':
            if (attrs.href !== undefined) open.push({ named: { tag: name, attrs, text: '' }, kind: 'links' });
            break;
        }
      },
      ontext(text) {
        if (inTitle) title += text;
        for (const o of open) o.named.text += text;
      },
      onclosetag(name) {
        if (name === 'title' && inTitle) {
          inTitle = false;
          s.title = title.trim();
        }
        if (name === 'label' && labelDepth > 0) labelDepth--;
        if (name === 'button' || name === 'a') {
          const i = open.map((o) => o.named.tag).lastIndexOf(name);
          if (i >= 0) {
            const [done] = open.splice(i, 1);
            done.named.text = done.named.text.replace(/\s+/g, ' ').trim();
            s[done.kind].push(done.named);
          }
        }
      },
    },
    { decodeEntities: true, lowerCaseTags: true, lowerCaseAttributeNames: true },
  );
  parser.write(html);
  parser.end();
  if (inTitle) s.title = title.trim();
  return s;
}

/** An element as short markup for evidence: `<img src="/logo.png">`. */
export function snippet(tag: string, attrs: Attrs): string {
  const keep = ['id', 'name', 'type', 'src', 'href', 'class'].filter((k) => attrs[k] !== undefined);
  const a = keep.map((k) => ` ${k}="${attrs[k].slice(0, 60)}"`).join('');
  return `<${tag}${a}>`;
}
