/** Report labels in English and Bahasa Indonesia. Both are always shown; `--lang` picks which comes first. */
export type Lang = 'en' | 'id';

export const LABELS = {
  title: { en: 'Monthly evidence pack', id: 'Paket bukti bulanan' },
  scope: { en: 'Scope and period', id: 'Cakupan dan periode' },
  period: { en: 'Period', id: 'Periode' },
  timezone: { en: 'Time zone', id: 'Zona waktu' },
  partial: { en: 'Month not over: figures up to the build time', id: 'Bulan belum berakhir: angka hingga waktu pembuatan' },
  generated: { en: 'Generated', id: 'Dibuat' },
  tool: { en: 'Tool', id: 'Perangkat' },
  backend: { en: 'Evidence store', id: 'Penyimpanan bukti' },
  configHash: { en: 'Check definitions (SHA-256)', id: 'Definisi pemeriksaan (SHA-256)' },
  chainHead: { en: 'Hash chain head', id: 'Kepala rantai hash' },
  noData: { en: 'No results were recorded for this period.', id: 'Tidak ada hasil yang tercatat untuk periode ini.' },
  elements: { en: 'Summary by element', id: 'Ringkasan per elemen' },
  element: { en: 'Element', id: 'Elemen' },
  rules: { en: 'Rules supported', id: 'Ketentuan yang didukung' },
  ownPolicy: { en: "Operator's own policy (no rule cited)", id: 'Kebijakan internal operator (tanpa ketentuan yang dirujuk)' },
  checks: { en: 'Checks', id: 'Pemeriksaan' },
  check: { en: 'Check', id: 'Pemeriksaan' },
  type: { en: 'Type', id: 'Jenis' },
  runs: { en: 'Runs', id: 'Eksekusi' },
  pass: { en: 'Pass', id: 'Lulus' },
  warn: { en: 'Warn', id: 'Peringatan' },
  fail: { en: 'Fail', id: 'Gagal' },
  waived: { en: 'Waived', id: 'Dikecualikan' },
  error: { en: 'Error (undecided)', id: 'Galat (tidak terputuskan)' },
  passRate: { en: 'Pass rate', id: 'Tingkat kelulusan' },
  timeInFailure: { en: 'Time in failure', id: 'Waktu dalam kegagalan' },
  p50: { en: 'p50 duration', id: 'Durasi p50' },
  p95: { en: 'p95 duration', id: 'Durasi p95' },
  firstFailure: { en: 'First failure', id: 'Kegagalan pertama' },
  lastFailure: { en: 'Last failure', id: 'Kegagalan terakhir' },
  perCheck: { en: 'Results per check', id: 'Hasil per pemeriksaan' },
  percentileExact: {
    en: 'p50 and p95 durations are read from the merged daily duration histograms of the period. Histogram buckets are about 10% wide, so each value is within 5% of the exact percentile over every run of the period (for durations between 1 ms and 120 s).',
    id: 'Durasi p50 dan p95 dibaca dari gabungan histogram durasi harian dalam periode ini. Lebar setiap kelas histogram sekitar 10%, sehingga setiap nilai berselisih paling banyak 5% dari persentil yang tepat atas seluruh eksekusi dalam periode ini (untuk durasi antara 1 ms dan 120 detik).',
  },
  percentileApprox: {
    en: 'Checks marked ≈ have days rolled up before duration histograms were kept; for those checks the following applies.',
    id: 'Pemeriksaan bertanda ≈ memiliki hari yang diringkas sebelum histogram durasi disimpan; untuk pemeriksaan tersebut berlaku penjelasan berikut.',
  },
  percentileNote: {
    en: 'Durations come from daily rollups: p50 is the median of the daily medians, p95 the highest daily p95 (percentiles of separate days cannot be merged exactly).',
    id: 'Durasi berasal dari ringkasan harian: p50 adalah median dari median harian, p95 adalah p95 harian tertinggi (persentil dari hari yang berbeda tidak dapat digabung secara tepat).',
  },
  dailyRate: { en: 'Daily pass rate, all checks', id: 'Tingkat kelulusan harian, semua pemeriksaan' },
  timeline: { en: 'Failure timeline', id: 'Linimasa kegagalan' },
  timelineNote: { en: 'One row per check with any failure, waiver or error this month; one cell per day.', id: 'Satu baris per pemeriksaan yang pernah gagal, dikecualikan atau galat bulan ini; satu sel per hari.' },
  incidents: { en: 'Incidents (failure → recovery)', id: 'Insiden (kegagalan → pemulihan)' },
  started: { en: 'Started', id: 'Mulai' },
  ended: { en: 'Recovered', id: 'Pulih' },
  ongoing: { en: 'ongoing', id: 'berlangsung' },
  duration: { en: 'Duration', id: 'Durasi' },
  findings: { en: 'Findings', id: 'Temuan' },
  finding: { en: 'Finding', id: 'Temuan' },
  severity: { en: 'Severity', id: 'Tingkat keparahan' },
  occurrences: { en: 'Occurrences', id: 'Kemunculan' },
  status: { en: 'Status', id: 'Status' },
  openAtEnd: { en: 'Open at end of period', id: 'Terbuka di akhir periode' },
  delta: { en: 'Month-over-month', id: 'Dibanding bulan lalu' },
  new: { en: 'New', id: 'Baru' },
  still_failing: { en: 'Still failing', id: 'Masih gagal' },
  resolved: { en: 'Resolved', id: 'Terselesaikan' },
  not_observed: { en: 'Not observed', id: 'Tidak teramati' },
  waivers: { en: 'Waivers', id: 'Pengecualian' },
  reason: { en: 'Reason', id: 'Alasan' },
  approver: { en: 'Approver', id: 'Penyetuju' },
  risk: { en: 'Risk', id: 'Risiko' },
  from: { en: 'From', id: 'Dari' },
  expires: { en: 'Expires', id: 'Berakhir' },
  allFindings: { en: 'all findings', id: 'semua temuan' },
  attestations: { en: 'Attestations', id: 'Atestasi' },
  attestedBy: { en: 'Attested by', id: 'Diatestasi oleh' },
  evidence: { en: 'Evidence', id: 'Bukti' },
  recorded: { en: 'Recorded', id: 'Dicatat' },
  config: { en: 'Configuration applied', id: 'Konfigurasi yang diterapkan' },
  configChanges: { en: 'Configuration changes in the period', id: 'Perubahan konfigurasi dalam periode' },
  noConfig: { en: 'No configuration was recorded for this period.', id: 'Tidak ada konfigurasi yang tercatat untuk periode ini.' },
  schedule: { en: 'Schedule', id: 'Jadwal' },
  target: { en: 'Target', id: 'Target' },
  options: { en: 'Thresholds and options', id: 'Ambang batas dan opsi' },
  none: { en: 'None.', id: 'Tidak ada.' },
  total: { en: 'Total', id: 'Total' },
  legend: {
    en: 'Pass rate = (pass + warn) / (pass + warn + fail + waived). Waived results are not passes. Errors mean the monitor could not decide and are not counted as failures. Time in failure sums incident time over checks.',
    id: 'Tingkat kelulusan = (lulus + peringatan) / (lulus + peringatan + gagal + dikecualikan). Hasil yang dikecualikan bukan kelulusan. Galat berarti pemantau tidak dapat memutuskan dan tidak dihitung sebagai kegagalan. Waktu dalam kegagalan menjumlahkan durasi insiden seluruh pemeriksaan.',
  },
  truncated: { en: 'more rows in the CSV files', id: 'baris lainnya ada di berkas CSV' },
  files: { en: 'Files of this pack', id: 'Berkas dalam paket ini' },
  filesNote: {
    en: 'results.csv (per check per day), findings.csv, incidents.csv, findings.ocsf.json (OCSF Compliance Finding, class 2003), manifest.json with SHA-256 of every file, manifest.sig (detached signature) and public-key.pem. Check with: pengawas evidence verify <folder>.',
    id: 'results.csv (per pemeriksaan per hari), findings.csv, incidents.csv, findings.ocsf.json (OCSF Compliance Finding, kelas 2003), manifest.json berisi SHA-256 setiap berkas, manifest.sig (tanda tangan terpisah) dan public-key.pem. Periksa dengan: pengawas evidence verify <folder>.',
  },
} as const;

export type LabelKey = keyof typeof LABELS;

const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/** "Primary / secondary" with each half marked by its language. */
export function label(key: LabelKey, lang: Lang): string {
  const other: Lang = lang === 'en' ? 'id' : 'en';
  const l = LABELS[key];
  return `<span lang="${lang}">${esc(l[lang])}</span><span class="alt" lang="${other}"> / ${esc(l[other])}</span>`;
}
