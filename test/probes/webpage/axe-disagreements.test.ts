/**
 * The cases where the hand-written rules pengawas used to have disagreed with axe-core (issue 15: 11 disagreements
 * on 26 pages, axe-core right in all). Each expectation follows the axe-core 4.x rule and check definitions
 * (https://dequeuniversity.com/rules/axe/4.14/<rule>, and axe-core's lib/checks: `valid-lang`, `has-lang` with its
 * `noXHTML` message, `alt-space-value`, `aria-labelledby` needing non-empty text, `explicit-label`/`implicit-label`
 * needing text, `non-empty-placeholder` as a passing check of `label`, accessible names skipping aria-hidden
 * content, `svg role="img"` named by `aria-label`), not from the probe's own output.
 */
import { startHttp, type Started } from '../../helpers/net';
import { findingIds, probe } from '../freshness/helpers';

let srv: Started;

const doc = (htmlAttrs: string, body: string) =>
  `<!doctype html><html ${htmlAttrs}><head><title>Uji</title></head><body>${body}</body></html>`;
const ok = 'lang="id"';

/** path → [page, the a11y findings axe-core gives (none = the hand-written rules were wrong to fail it)]. */
const CASES: Record<string, [string, string[]]> = {
  '/lang-xx': [doc('lang="xx"', '<p>x</p>'), ['webpage.a11y.html_lang_valid']],
  '/xml-lang-only': [doc('xml:lang="id"', '<p>x</p>'), ['webpage.a11y.html_has_lang']],
  '/alt-space': [doc(ok, '<img src="/a.png" alt=" ">'), ['webpage.a11y.image_alt']],
  '/img-labelledby-empty': [doc(ok, '<span id="e"></span><img src="/a.png" aria-labelledby="e">'), ['webpage.a11y.image_alt']],
  '/input-labelledby-empty': [doc(ok, '<span id="e"></span><input name="q" aria-labelledby="e">'), ['webpage.a11y.label']],
  '/button-labelledby-empty': [doc(ok, '<span id="e"></span><button aria-labelledby="e"></button>'), ['webpage.a11y.button_name']],
  '/empty-label': [doc(ok, '<label for="n"></label><input id="n" name="n">'), ['webpage.a11y.label']],
  '/empty-wrapping-label': [doc(ok, '<label><select name="s"><option></option></select></label>'), ['webpage.a11y.select_name']],
  '/button-hidden-name': [doc(ok, '<button><span aria-hidden="true">×</span></button>'), ['webpage.a11y.button_name']],
  '/link-hidden-name': [doc(ok, '<a href="/x"><span aria-hidden="true">→</span></a>'), ['webpage.a11y.link_name']],
  '/placeholder-only': [doc(ok, '<input name="cari" placeholder="Cari pembayaran">'), []],
  '/svg-link-name': [doc(ok, '<a href="/"><svg role="img" aria-label="Beranda"></svg></a>'), []],
};

beforeAll(async () => {
  srv = await startHttp((req, res) => {
    const c = CASES[req.url ?? ''];
    res.writeHead(c ? 200 : 404, { 'content-type': 'text/html; charset=utf-8' });
    res.end(c?.[0] ?? '');
  });
  // The first run loads jsdom and axe-core (about a second of CPU, far more on a loaded machine): not under test here.
  await probe('webpage', `${srv.url}/lang-xx`, {}, 120_000);
}, 180_000);
afterAll(() => srv.close());

test.each(Object.entries(CASES))('%s: the verdict of axe-core', async (path, [, expected]) => {
  const r = await probe('webpage', `${srv.url}${path}`, {}, 30_000);
  expect(
    findingIds(r, 'fail')
      .filter((id) => id.startsWith('webpage.a11y.'))
      .sort(),
  ).toEqual(expected);
  expect(r.status).toBe(expected.length ? 'fail' : 'pass');
});
