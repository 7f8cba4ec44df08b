/**
 * The demo website's pages: a small public site of a fictitious PJP in Bahasa Indonesia and English, each page
 * linked to its translation with `hreflang`, with the things a consumer-protection review looks for (fees, terms,
 * privacy, complaint channel) and accessible forms (labels, alt texts) for the inclusivity checks.
 */
export type Lang = 'id' | 'en';

export interface Page {
  lang: Lang;
  title: string;
  body: string;
  /** The same page in the other language. */
  alternate: string;
  /** Last-Modified of legal pages, so `freshness` can read them over HTTP. */
  lastModified?: string;
}

const COMPANY = 'PT Contoh Pembayaran Nusantara';

function nav(lang: Lang): string {
  const items: Array<[string, string]> =
    lang === 'id'
      ? [
          ['/id/', 'Beranda'],
          ['/id/biaya', 'Biaya'],
          ['/id/syarat-ketentuan', 'Syarat dan Ketentuan'],
          ['/id/kebijakan-privasi', 'Kebijakan Privasi'],
          ['/id/pengaduan', 'Pengaduan'],
          ['/id/bayar', 'Bayar'],
          ['/status', 'Status Layanan'],
        ]
      : [
          ['/en/', 'Home'],
          ['/en/fees', 'Fees'],
          ['/en/terms', 'Terms and Conditions'],
          ['/en/privacy-policy', 'Privacy Policy'],
          ['/en/complaints', 'Complaints'],
          ['/en/pay', 'Pay'],
          ['/status', 'Service status'],
        ];
  return `<nav aria-label="${lang === 'id' ? 'Navigasi utama' : 'Main navigation'}"><ul>${items.map(([href, text]) => `<li><a href="${href}">${text}</a></li>`).join('')}</ul></nav>`;
}

function pair(
  id: Omit<Page, 'lang' | 'alternate'> & { path: string },
  en: Omit<Page, 'lang' | 'alternate'> & { path: string },
): Record<string, Page> {
  return {
    [id.path]: { lang: 'id', title: id.title, body: id.body, alternate: en.path, lastModified: id.lastModified },
    [en.path]: { lang: 'en', title: en.title, body: en.body, alternate: id.path, lastModified: en.lastModified },
  };
}

const FEES_ID = `<h1>Biaya Layanan</h1><p>Semua biaya sudah termasuk PPN. Tidak ada biaya tersembunyi.</p>
<table><caption>Tabel biaya transaksi</caption><thead><tr><th scope="col">Layanan</th><th scope="col">Biaya</th></tr></thead><tbody>
<tr><td>Transfer ke sesama pengguna</td><td>Rp0</td></tr><tr><td>Transfer ke rekening bank</td><td>Rp2.500</td></tr>
<tr><td>Pembayaran QRIS</td><td>Rp0 untuk pengguna</td></tr><tr><td>Tarik tunai di mitra</td><td>Rp5.000</td></tr></tbody></table>
<p>Berlaku sejak 1 Maret 2026.</p>`;
const FEES_EN = `<h1>Service Fees</h1><p>All fees include VAT. No hidden fees.</p>
<table><caption>Transaction fee table</caption><thead><tr><th scope="col">Service</th><th scope="col">Fee</th></tr></thead><tbody>
<tr><td>Transfer to another user</td><td>IDR 0</td></tr><tr><td>Transfer to a bank account</td><td>IDR 2,500</td></tr>
<tr><td>QRIS payment</td><td>IDR 0 for users</td></tr><tr><td>Cash withdrawal at a partner</td><td>IDR 5,000</td></tr></tbody></table>
<p>Effective from 1 March 2026.</p>`;

function complaintForm(lang: Lang): string {
  const t =
    lang === 'id'
      ? {
          h: 'Pengaduan Konsumen',
          intro: 'Sampaikan pengaduan Anda. Kami memberi nomor tiket segera dan menanggapi dalam 1 hari kerja.',
          name: 'Nama lengkap',
          email: 'Alamat email',
          topic: 'Topik',
          msg: 'Uraian pengaduan',
          send: 'Kirim pengaduan',
          other: 'Kontak lain: pengaduan@contoh-pembayaran.co.id, 1500-000 (24 jam).',
        }
      : {
          h: 'Consumer Complaints',
          intro: 'Tell us about your complaint. You get a ticket number at once and an answer within 1 business day.',
          name: 'Full name',
          email: 'Email address',
          topic: 'Topic',
          msg: 'Describe your complaint',
          send: 'Send complaint',
          other: 'Other channels: pengaduan@contoh-pembayaran.co.id, 1500-000 (24 hours).',
        };
  return `<h1>${t.h}</h1><p>${t.intro}</p>
<form method="post" action="/${lang}/${lang === 'id' ? 'pengaduan' : 'complaints'}">
<label for="c-name">${t.name}</label><input id="c-name" name="name" type="text" autocomplete="name" required>
<label for="c-email">${t.email}</label><input id="c-email" name="email" type="email" autocomplete="email" required>
<label>${t.topic}<select name="topic"><option>${lang === 'id' ? 'Transaksi gagal' : 'Failed transaction'}</option><option>${lang === 'id' ? 'Biaya' : 'Fees'}</option><option>${lang === 'id' ? 'Lainnya' : 'Other'}</option></select></label>
<label for="c-msg">${t.msg}</label><textarea id="c-msg" name="message" rows="6" required></textarea>
<input type="hidden" name="csrf" value="demo">
<button type="submit">${t.send}</button></form><p>${t.other}</p>`;
}

function payForm(lang: Lang): string {
  const t =
    lang === 'id'
      ? {
          h: 'Bayar dengan QRIS atau Virtual Account',
          amount: 'Jumlah (Rupiah)',
          method: 'Metode pembayaran',
          pay: 'Bayar sekarang',
          qr: 'Kode QR QRIS untuk pembayaran ini',
          help: 'Butuh bantuan? Lihat halaman pengaduan.',
        }
      : {
          h: 'Pay with QRIS or Virtual Account',
          amount: 'Amount (Rupiah)',
          method: 'Payment method',
          pay: 'Pay now',
          qr: 'QRIS QR code for this payment',
          help: 'Need help? See the complaints page.',
        };
  return `<h1>${t.h}</h1>
<img src="/static/logo.svg" alt="${COMPANY}" width="120" height="40">
<form method="post" action="/${lang}/${lang === 'id' ? 'bayar' : 'pay'}">
<label for="p-amount">${t.amount}</label><input id="p-amount" name="amount" type="number" min="1000" inputmode="numeric" required>
<fieldset><legend>${t.method}</legend>
<label><input type="radio" name="method" value="qris" checked> QRIS</label>
<label><input type="radio" name="method" value="va"> Virtual Account</label></fieldset>
<button type="submit">${t.pay}</button></form>
<img src="/static/qris-sample.png" alt="${t.qr}" width="200" height="200">
<img src="/static/divider.png" alt="" role="presentation">
<p><a href="/${lang}/${lang === 'id' ? 'pengaduan' : 'complaints'}">${t.help}</a></p>`;
}

export const PAGES: Record<string, Page> = {
  ...pair(
    {
      path: '/id/',
      title: `${COMPANY} — Pembayaran digital`,
      body: `<h1>${COMPANY}</h1><p>Penyedia jasa pembayaran berizin Bank Indonesia (demo fiktif).</p>`,
    },
    {
      path: '/en/',
      title: `${COMPANY} — Digital payments`,
      body: `<h1>${COMPANY}</h1><p>A payment service provider licensed by Bank Indonesia (fictitious demo).</p>`,
    },
  ),
  ...pair(
    { path: '/id/biaya', title: 'Biaya Layanan', body: FEES_ID, lastModified: '2026-03-01' },
    { path: '/en/fees', title: 'Service Fees', body: FEES_EN, lastModified: '2026-03-01' },
  ),
  ...pair(
    {
      path: '/id/syarat-ketentuan',
      title: 'Syarat dan Ketentuan',
      lastModified: '2026-04-15',
      body: '<h1>Syarat dan Ketentuan</h1><p>Versi 4.0, berlaku sejak 15 April 2026.</p><h2>1. Definisi</h2><p>Pengguna, Akun, Transaksi.</p><h2>2. Biaya</h2><p>Lihat halaman <a href="/id/biaya">Biaya</a>.</p><h2>3. Pengaduan</h2><p>Lihat halaman <a href="/id/pengaduan">Pengaduan</a>.</p>',
    },
    {
      path: '/en/terms',
      title: 'Terms and Conditions',
      lastModified: '2026-04-15',
      body: '<h1>Terms and Conditions</h1><p>Version 4.0, effective from 15 April 2026.</p><h2>1. Definitions</h2><p>User, Account, Transaction.</p><h2>2. Fees</h2><p>See the <a href="/en/fees">Fees</a> page.</p><h2>3. Complaints</h2><p>See the <a href="/en/complaints">Complaints</a> page.</p>',
    },
  ),
  ...pair(
    {
      path: '/id/kebijakan-privasi',
      title: 'Kebijakan Privasi',
      lastModified: '2026-06-01',
      body: '<h1>Kebijakan Privasi</h1><p>Data pribadi apa yang kami kumpulkan, untuk apa, berapa lama disimpan, dan hak Anda sebagai subjek data. Hubungi petugas pelindungan data: privasi@contoh-pembayaran.co.id.</p>',
    },
    {
      path: '/en/privacy-policy',
      title: 'Privacy Policy',
      lastModified: '2026-06-01',
      body: '<h1>Privacy Policy</h1><p>What personal data we collect, why, how long we keep it, and your rights as a data subject. Contact our data protection officer: privasi@contoh-pembayaran.co.id.</p>',
    },
  ),
  ...pair(
    {
      path: '/id/kebijakan-keamanan',
      title: 'Kebijakan Pengungkapan Kerentanan',
      body: '<h1>Kebijakan Pengungkapan Kerentanan</h1><p>Laporkan kerentanan ke security@contoh-pembayaran.co.id. Kami menanggapi dalam 3 hari kerja dan tidak menuntut peneliti yang beritikad baik.</p>',
    },
    {
      path: '/en/security-policy',
      title: 'Vulnerability Disclosure Policy',
      body: '<h1>Vulnerability Disclosure Policy</h1><p>Report vulnerabilities to security@contoh-pembayaran.co.id. We answer within 3 business days and do not pursue researchers acting in good faith.</p>',
    },
  ),
  ...pair(
    { path: '/id/pengaduan', title: 'Pengaduan Konsumen', body: complaintForm('id') },
    { path: '/en/complaints', title: 'Consumer Complaints', body: complaintForm('en') },
  ),
  ...pair({ path: '/id/bayar', title: 'Bayar', body: payForm('id') }, { path: '/en/pay', title: 'Pay', body: payForm('en') }),
};

export function renderPage(path: string, page: Page, origin: string): string {
  const other: Lang = page.lang === 'id' ? 'en' : 'id';
  return `<!doctype html>
<html lang="${page.lang}">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${page.title}</title>
<link rel="alternate" hreflang="${page.lang}" href="${origin}${path}">
<link rel="alternate" hreflang="${other}" href="${origin}${page.alternate}">
<link rel="alternate" hreflang="x-default" href="${origin}${page.lang === 'id' ? path : page.alternate}">
</head>
<body><a href="#main">${page.lang === 'id' ? 'Langsung ke konten' : 'Skip to content'}</a>
<header>${nav(page.lang)}<a href="${page.alternate}" hreflang="${other}" lang="${other}">${other === 'id' ? 'Bahasa Indonesia' : 'English'}</a></header>
<main id="main">${page.body}</main>
<footer><p>${COMPANY} — ${page.lang === 'id' ? 'demo pengawas, bukan perusahaan nyata' : 'pengawas demo, not a real company'}</p></footer>
</body></html>
`;
}

/** The status page in HTML; the same facts are served as JSON on /status.json. */
export function renderStatus(components: Array<{ name: string; status: string }>, updatedAt: string): string {
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Service status — ${COMPANY}</title>
<link rel="alternate" type="application/json" href="/status.json"></head>
<body><main><h1>Service status / Status layanan</h1><p>Updated <time datetime="${updatedAt}">${updatedAt}</time></p>
<ul>${components.map((c) => `<li>${c.name}: <strong>${c.status}</strong></li>`).join('')}</ul></main></body></html>
`;
}
