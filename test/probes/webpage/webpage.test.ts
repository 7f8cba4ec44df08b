/** The webpage probe against a local server: lang, hreflang pairs, and each rule of the accessibility subset. */
import { startHttp, type Started } from '../../helpers/net';
import { findingIds, probe } from '../freshness/helpers';

let srv: Started;

const page = (lang: string | null, title: string | null, head: string, body: string) =>
  `<!doctype html><html${lang === null ? '' : ` lang="${lang}"`}><head>${title === null ? '' : `<title>${title}</title>`}${head}</head><body>${body}</body></html>`;

beforeAll(async () => {
  srv = await startHttp((req, res) => {
    const alt = (l: string, p: string) => `<link rel="alternate" hreflang="${l}" href="${p}">`;
    const pages: Record<string, string> = {
      '/id/bayar': page(
        'id-ID',
        'Bayar',
        alt('id', '/id/bayar') + alt('en', '/en/pay'),
        `<img src="/logo.png" alt="Logo"><img src="/line.png" role="presentation">
         <label for="amt">Jumlah</label><input id="amt" name="amount">
         <label>Metode <select name="m"><option>QRIS</option></select></label>
         <span id="note-label">Catatan</span><textarea aria-labelledby="note-label"></textarea>
         <input type="search" aria-label="Cari"><input type="hidden" name="csrf"><input type="submit" value="Bayar">
         <button type="submit"><img src="/pay.png" alt="Bayar sekarang"></button>
         <a href="/help">Bantuan</a><a href="/home" aria-label="Beranda"><svg></svg></a>`,
      ),
      '/en/pay': page('en', 'Pay', alt('en', '/en/pay') + alt('id', '/id/bayar'), '<p>Pay</p>'),
      '/bad': page(
        null,
        null,
        '',
        `<img src="/a.png"><img src="/b.png"><input type="image" src="/go.png">
         <input id="q" name="q"><select name="s"><option>1</option></select>
         <button></button><a href="/x"><img src="/icon.png"></a><label for="other">orphan label</label>`,
      ),
      '/badlang': page('bahasa indonesia', 'X', '', ''),
      '/one-way': page('id', 'Satu arah', alt('en', '/orphan-en'), ''),
      '/orphan-en': page('id', 'Orphan', '', ''),
      '/dead-alt': page('id', 'Mati', alt('en', '/gone'), ''),
    };
    const body = pages[req.url ?? ''];
    res.writeHead(body ? 200 : 404, { 'content-type': 'text/html; charset=utf-8' });
    res.end(body ?? page('en', 'Not found', '', ''));
  });
  // The first run loads jsdom and axe-core (about a second of CPU, far more on a loaded machine): not under test here.
  await probe('webpage', `${srv.url}/en/pay`, {}, 120_000);
}, 180_000);
afterAll(() => srv.close());

test('a paired, accessible page passes; every labelling technique counts', async () => {
  const r = await probe('webpage', `${srv.url}/id/bayar`, { expectLang: 'id', requireAlternates: ['en'] });
  expect(r.findings.filter((f) => f.status !== 'pass')).toEqual([]);
  expect(r.status).toBe('pass');
  expect(r.measurements.alternates).toEqual([expect.objectContaining({ hreflang: 'en', status: 200, lang: 'en' })]);
  expect(r.measurements.lang).toBe('id-ID');
});

test('each accessibility rule of the subset fails on its own violation, with the elements as evidence', async () => {
  const r = await probe('webpage', `${srv.url}/bad`);
  expect(r.status).toBe('fail');
  expect(findingIds(r, 'fail').sort()).toEqual(
    [
      'webpage.a11y.button_name',
      'webpage.a11y.document_title',
      'webpage.a11y.html_has_lang',
      'webpage.a11y.image_alt',
      'webpage.a11y.input_image_alt',
      'webpage.a11y.label',
      'webpage.a11y.link_name',
      'webpage.a11y.select_name',
    ].sort(),
  );
  const img = r.findings.find((f) => f.id === 'webpage.a11y.image_alt')!;
  expect(img.severity).toBe('high');
  // The image inside the link is counted too: three images without alt.
  expect(img.evidence).toMatchObject({
    rule: 'image-alt',
    count: 3,
    elements: ['<img src="/a.png">', '<img src="/b.png">', '<img src="/icon.png">'],
  });
  expect(r.findings.find((f) => f.id === 'webpage.a11y.label')!.evidence).toMatchObject({ elements: ['<input id="q" name="q">'] });
  const skipped = await probe('webpage', `${srv.url}/bad`, { skipRules: ['image-alt', 'link-name'] });
  expect(findingIds(skipped)).not.toContain('webpage.a11y.image_alt');
  expect(findingIds(skipped)).not.toContain('webpage.a11y.link_name');
  expect(findingIds(await probe('webpage', `${srv.url}/badlang`))).toEqual(['webpage.a11y.html_lang_valid']);
});

test('language and hreflang pairs: wrong lang, missing alternate, one-way link, wrong lang behind it, dead alternate', async () => {
  const wrong = await probe('webpage', `${srv.url}/en/pay`, { expectLang: 'id', requireAlternates: ['id', 'zh'] });
  expect(findingIds(wrong, 'fail').sort()).toEqual(['webpage.hreflang.missing', 'webpage.lang.mismatch']);
  const oneWay = await probe('webpage', `${srv.url}/one-way`, { requireAlternates: ['en'] });
  expect(findingIds(oneWay, 'fail').sort()).toEqual(['webpage.hreflang.lang_mismatch', 'webpage.hreflang.no_return_link']);
  const dead = await probe('webpage', `${srv.url}/dead-alt`, { requireAlternates: ['en'] });
  expect(findingIds(dead, 'fail')).toEqual(['webpage.hreflang.unreachable']);
  const unchecked = await probe('webpage', `${srv.url}/dead-alt`, { requireAlternates: ['en'], checkAlternates: false });
  expect(unchecked.status).toBe('pass');
});

test('a page that is gone fails; a server that is down is an error', async () => {
  const gone = await probe('webpage', `${srv.url}/nothing`);
  expect(gone.status).toBe('fail');
  expect(findingIds(gone)).toEqual(['webpage.status.unexpected']);
  const down = await probe('webpage', 'http://127.0.0.1:1/');
  expect(down.status).toBe('error');
  expect(down.errorCode).toBe('PROBE_TARGET_UNREACHABLE');
});
