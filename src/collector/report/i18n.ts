/** The report's words, in Japanese (default) and English. No internal names on the page. */
import { CATEGORY_WORDS } from '../words.js';

export type ReportLang = 'ja' | 'en';
export const REPORT_LANGS: readonly ReportLang[] = ['ja', 'en'];

/** The category names of words.ts: one set of names on every screen, the employee's too. */
const categoryNames = (lang: ReportLang): Record<string, string> => Object.fromEntries(Object.entries(CATEGORY_WORDS).map(([k, w]) => [k, w[lang]]));

const ja = {
  title: 'Upload Guard 定期報告書',
  subtitle: '機密ファイルのアップロード監視（ガイドライン 5-1 自己点検）',
  period: '対象期間',
  timeZone: 'タイムゾーン',
  generated: '作成日時',
  previous: '前期間',
  summary: '概要',
  decisions: '判定件数',
  attempts: '機密・読取不能の送信試行',
  marked: '機密と判定',
  unscannable: '読み取れず',
  blocked: 'ブロック',
  warned: '警告',
  proceeded: '警告後に送信',
  disputed: '異議申立て',
  change: '前期間比',
  trend: '日別の推移',
  trendNote: '棒: 判定件数 / 濃色: 機密・読取不能の送信試行',
  byDepartment: '部署別',
  department: '部署',
  unknownDepartment: '（部署の設定なし）',
  noDepartments: 'この期間のイベントには部署の情報がありません。ポリシーの「department」を組織部門（OU）ごとに設定すると、部署別に集計されます。',
  byUser: 'ユーザー別',
  user: 'ユーザー',
  unknownUser: '（不明なユーザー）',
  byService: 'サービス別',
  service: 'サービス',
  unknownService: '（サービス外のページ）',
  byCategory: 'カテゴリ別',
  category: 'カテゴリ',
  byRule: '判定ルール別',
  rule: 'ルール',
  noRule: '（ルールなし：機密でない・読み取れず）',
  incidents: 'インシデント',
  incidentNote: 'ブロック、警告後の送信、異議申立て、読み取れないアップロードを、ユーザー・ファイル・日ごとに1件としています。',
  incidentCount: 'インシデント件数',
  high: '重大（ブロック）',
  medium: '中（警告後送信・異議・読取不能）',
  reporting: '報告までの時間',
  reportingUnknown: 'インシデント対応の記録がないため、報告までの時間は集計できません。',
  reported: '報告済み',
  withinAgreed: '合意時間内',
  medianHours: '報告までの時間（中央値）',
  hours: '時間',
  topIncidents: '件数の多いインシデント',
  topIncidentsNote: '利用者ごとに順に（各利用者の最大のものを先に）、最大 20 行。',
  userIncidents: 'この利用者のインシデント数',
  usersNotShown: 'ほかに {n} 人の利用者にインシデントがあります（管理画面の「インシデント」で確認できます）。',
  file: 'ファイル（名前またはハッシュ）',
  day: '日付',
  events: '件数',
  staleDevices: '報告が途絶えた端末',
  staleAsOf: '時点',
  noStale: '報告が途絶えた端末はありません。',
  device: '端末',
  lastSeen: '最終受信',
  silent: '無通信',
  minutes: '分',
  version: '拡張機能のバージョン',
  none: 'データがありません。',
  count: '件',
  categories: categoryNames('ja'),
  ruleNames: { '1': 'ルール1（「秘」印）', '2': 'ルール2（ファイル名）', '3': 'ルール3（会社指定のキーワード等）' } as Record<string, string>,
};

const en: typeof ja = {
  title: 'Upload Guard periodic report',
  subtitle: 'Monitoring of confidential file uploads (guideline 5-1 self-check)',
  period: 'Period',
  timeZone: 'Time zone',
  generated: 'Generated',
  previous: 'Previous period',
  summary: 'Summary',
  decisions: 'Decisions',
  attempts: 'Confidential or unreadable upload attempts',
  marked: 'Marked confidential',
  unscannable: 'Could not be read',
  blocked: 'Blocked',
  warned: 'Warned',
  proceeded: 'Sent after a warning',
  disputed: 'Disputed',
  change: 'Change',
  trend: 'Per day',
  trendNote: 'Bars: decisions / dark: confidential or unreadable upload attempts',
  byDepartment: 'By department',
  department: 'Department',
  unknownDepartment: '(no department set)',
  noDepartments: 'No event of this period carries a department. Set the policy field "department" for each organizational unit to count per department.',
  byUser: 'By user',
  user: 'User',
  unknownUser: '(unknown user)',
  byService: 'By service',
  service: 'Service',
  unknownService: '(page outside the listed services)',
  byCategory: 'By category',
  category: 'Category',
  byRule: 'By rule',
  rule: 'Rule',
  noRule: '(no rule: not confidential or not readable)',
  incidents: 'Incidents',
  incidentNote: 'A block, a warning the employee sent anyway, a dispute or an unreadable upload; one incident per user, file and day.',
  incidentCount: 'Incidents',
  high: 'High (blocked)',
  medium: 'Medium (sent after a warning, disputed, unreadable)',
  reporting: 'Time to report',
  reportingUnknown: 'Incident handling is not recorded, so the time to report cannot be measured.',
  reported: 'Reported',
  withinAgreed: 'Within the agreed time',
  medianHours: 'Time to report (median)',
  hours: 'h',
  topIncidents: 'Incidents with the most events',
  topIncidentsNote: "One user at a time (each user's largest first), 20 rows at most.",
  userIncidents: "This user's incidents",
  usersNotShown: '{n} more users had incidents (see Incidents on the admin page).',
  file: 'File (name or hash)',
  day: 'Day',
  events: 'Events',
  staleDevices: 'Devices that stopped reporting',
  staleAsOf: 'as of',
  noStale: 'No device stopped reporting.',
  device: 'Device',
  lastSeen: 'Last heard',
  silent: 'Silent for',
  minutes: 'min',
  version: 'Extension version',
  none: 'No data.',
  count: '',
  categories: categoryNames('en'),
  ruleNames: { '1': 'Rule 1 (「秘」 stamp)', '2': 'Rule 2 (file name)', '3': 'Rule 3 (company keywords, hashes, labels)' },
};

export type ReportWords = typeof ja;
export const WORDS: Record<ReportLang, ReportWords> = { ja, en };

/** A count with thousands separators. */
export function num(n: number, lang: ReportLang): string {
  return n.toLocaleString(lang === 'ja' ? 'ja-JP' : 'en-US');
}

/** Change against the previous period: "+12 (+25%)", "−3 (−10%)", "±0"; "+5 (new)" when there was nothing before. */
export function change(cur: number, prev: number, lang: ReportLang): string {
  const d = cur - prev;
  const sign = d > 0 ? '+' : d < 0 ? '−' : '±';
  const abs = num(Math.abs(d), lang);
  if (prev === 0) return d === 0 ? '±0' : `${sign}${abs} (${lang === 'ja' ? '新規' : 'new'})`;
  return `${sign}${abs} (${sign}${Math.round((Math.abs(d) / prev) * 100)}%)`;
}

/** A UTC ISO time shown in the zone, `2026-11-01 09:30 (Asia/Tokyo)` style without the zone. */
export function localTime(iso: string, tz: string): string {
  const parts = Object.fromEntries(
    new Intl.DateTimeFormat('en-US', { timeZone: tz, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit' })
      .formatToParts(new Date(iso))
      .map((p) => [p.type, p.value]),
  );
  return `${parts.year}-${parts.month}-${parts.day} ${parts.hour}:${parts.minute}`;
}
