/**
 * The ten elements: pengawas' own taxonomy. They are NOT a Bank Indonesia term. Each element names the Bank
 * Indonesia rules it supports only where such a rule can be cited (see docs/references.md); no clause
 * numbers or deadlines are given because none were verified. Where no rule is cited, the checks under that
 * element enforce the operator's own policy.
 */

export const ELEMENT_IDS = [
  'security',
  'efficiency',
  'sustainability',
  'consumer_protection',
  'cooperation',
  'competition',
  'synergy',
  'capability',
  'credibility',
  'inclusivity',
] as const;

export type ElementId = (typeof ELEMENT_IDS)[number];

export interface RegulationRef {
  /** The regulation as Bank Indonesia names it. */
  ref: string;
  /** What the regulation is about, in one line. */
  subject: string;
  /**
   * The full titles, in Bahasa Indonesia, exactly as Bank Indonesia lists them on its regulation pages
   * (www.bi.go.id/id/publikasi/peraturan/Pages/<page>.aspx, page named in the comment beside each).
   */
  titles: string[];
}

export interface ElementDefinition {
  id: ElementId;
  name: { en: string; id: string };
  description: { en: string; id: string };
  /** Bank Indonesia rules this element supports; empty where none can be cited. */
  rules: RegulationRef[];
  /** Set when no rule is cited: the thresholds are the operator's own policy. */
  ownPolicy: boolean;
}

const PBI_PAYMENT_SYSTEMS: RegulationRef = {
  ref: 'PBI No. 22/23/PBI/2020',
  subject: 'Payment systems: fast, easy, cheap, safe and reliable payments; wider access; consumer protection',
  titles: ['Peraturan Bank Indonesia Nomor 22/23/PBI/2020 tentang Sistem Pembayaran'], // PBI_222320
};
const PBI_PJP: RegulationRef = {
  ref: 'PBI No. 23/6/PBI/2021',
  subject: 'Payment service providers (PJP)',
  // As cited in the preamble of PADG No. 24/7/PADG/2022, which lists it with PBI 22/23/PBI/2020.
  titles: ['Peraturan Bank Indonesia Nomor 23/6/PBI/2021 tentang Penyedia Jasa Pembayaran'],
};
const PBI_KKS: RegulationRef = {
  ref: 'PBI No. 2 of 2024 and PADG No. 24 of 2024',
  subject: 'Information-system security and cyber resilience (KKS)',
  titles: [
    'Peraturan Bank Indonesia Nomor 2 Tahun 2024 tentang Keamanan Sistem Informasi dan Ketahanan Siber bagi Penyelenggara Sistem Pembayaran, Pelaku Pasar Uang dan Pasar Valuta Asing, serta Pihak Lain yang Diatur dan Diawasi Bank Indonesia', // PBI_022024
    'Peraturan Anggota Dewan Gubernur Nomor 24 Tahun 2024 tentang Keamanan Sistem Informasi dan Ketahanan Siber bagi Penyelenggara Sistem Pembayaran, Pelaku Pasar Uang dan Pasar Valuta Asing, serta Pihak Lain yang Diatur dan Diawasi Bank Indonesia', // PADG_242024
  ],
};
const PADG_SNAP: RegulationRef = {
  ref: 'PADG No. 23/15/PADG/2021',
  subject: 'SNAP, the national open-API payment standard (authentication, authorisation, encryption, secured channel)',
  titles: [
    'Peraturan Anggota Dewan Gubernur Nomor 23/15/PADG/2021 tentang Standar Nasional Open Application Programming Interface Pembayaran',
  ], // PADG_231521
};
const PBI_CONSUMER: RegulationRef = {
  ref: 'PBI No. 3 of 2023 and PADG No. 20 of 2023',
  subject: 'Bank Indonesia consumer protection',
  titles: [
    'Peraturan Bank Indonesia Nomor 3 Tahun 2023 tentang Pelindungan Konsumen Bank Indonesia', // PBI_032023
    'Peraturan Anggota Dewan Gubernur Nomor 20 Tahun 2023 tentang Tata Cara Pelaksanaan Pelindungan Konsumen Bank Indonesia', // PADG_202023
  ],
};

export const ELEMENTS: Record<ElementId, ElementDefinition> = {
  security: {
    id: 'security',
    name: { en: 'Security', id: 'Keamanan' },
    description: {
      en: 'Channels are encrypted properly, access needs a second factor, secrets are protected.',
      id: 'Kanal terenkripsi dengan benar, akses memerlukan faktor kedua, rahasia terlindungi.',
    },
    rules: [PBI_KKS, PADG_SNAP, PBI_PAYMENT_SYSTEMS],
    ownPolicy: false,
  },
  efficiency: {
    id: 'efficiency',
    name: { en: 'Efficiency', id: 'Efisiensi' },
    description: {
      en: 'Payments complete fast: latency and success of synthetic transactions against objectives.',
      id: 'Pembayaran selesai dengan cepat: latensi dan keberhasilan transaksi sintetis terhadap sasaran.',
    },
    rules: [PBI_PAYMENT_SYSTEMS],
    ownPolicy: false,
  },
  sustainability: {
    id: 'sustainability',
    name: { en: 'Sustainability', id: 'Keberlangsungan' },
    description: {
      en: 'Services stay available and recover: uptime, disaster-recovery endpoints, continuity plans kept current.',
      id: 'Layanan tetap tersedia dan pulih: ketersediaan, endpoint pemulihan bencana, rencana kelangsungan yang mutakhir.',
    },
    rules: [PBI_PAYMENT_SYSTEMS, PBI_KKS],
    ownPolicy: false,
  },
  consumer_protection: {
    id: 'consumer_protection',
    name: { en: 'Consumer protection', id: 'Pelindungan konsumen' },
    description: {
      en: 'Fees, terms, privacy policy and complaint channels are published, reachable and current.',
      id: 'Biaya, syarat, kebijakan privasi dan kanal pengaduan dipublikasikan, dapat diakses dan mutakhir.',
    },
    rules: [PBI_CONSUMER, PBI_PAYMENT_SYSTEMS],
    ownPolicy: false,
  },
  cooperation: {
    id: 'cooperation',
    name: { en: 'Cooperation', id: 'Kerja sama' },
    description: {
      en: 'Incident contacts and partner agreements are in place and attested.',
      id: 'Kontak insiden dan perjanjian kemitraan tersedia dan diatestasi.',
    },
    rules: [],
    ownPolicy: true,
  },
  competition: {
    id: 'competition',
    name: { en: 'Competition', id: 'Persaingan' },
    description: {
      en: 'Open, standard interfaces that give partners equitable access.',
      id: 'Antarmuka terbuka dan standar yang memberi akses setara kepada mitra.',
    },
    rules: [PADG_SNAP],
    ownPolicy: false,
  },
  synergy: {
    id: 'synergy',
    name: { en: 'Synergy', id: 'Sinergi' },
    description: {
      en: 'API integration works end to end, following the SNAP open-API standard.',
      id: 'Integrasi API berjalan menyeluruh sesuai standar open API SNAP.',
    },
    rules: [PADG_SNAP],
    ownPolicy: false,
  },
  capability: {
    id: 'capability',
    name: { en: 'Capability', id: 'Kapabilitas' },
    description: {
      en: 'People and processes are ready: training, drills and reviews happen on time.',
      id: 'Orang dan proses siap: pelatihan, latihan dan tinjauan dilakukan tepat waktu.',
    },
    rules: [],
    ownPolicy: true,
  },
  credibility: {
    id: 'credibility',
    name: { en: 'Credibility', id: 'Kredibilitas' },
    description: {
      en: 'Evidence can be trusted: integrity of records, status published, commitments kept.',
      id: 'Bukti dapat dipercaya: integritas catatan, status dipublikasikan, komitmen ditepati.',
    },
    rules: [PBI_PJP],
    ownPolicy: false,
  },
  inclusivity: {
    id: 'inclusivity',
    name: { en: 'Inclusivity', id: 'Inklusivitas' },
    description: {
      en: 'Public payment pages are usable by everyone: Bahasa Indonesia and English, basic accessibility.',
      id: 'Halaman pembayaran publik dapat digunakan semua orang: Bahasa Indonesia dan Inggris, aksesibilitas dasar.',
    },
    rules: [PBI_PAYMENT_SYSTEMS],
    ownPolicy: false,
  },
};

export function isElementId(value: unknown): value is ElementId {
  return typeof value === 'string' && (ELEMENT_IDS as readonly string[]).includes(value);
}
