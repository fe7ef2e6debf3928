/**
 * What the audit view says about audit entries the database refused (GET /v1/admin/audit/refused,
 * audit-spool.ts): how many, the oldest, why, and when they are tried again; and entries still waiting for
 * the database. A security admin otherwise learns of them only from /metrics or one line among many of the
 * log. Every value from the collector (who, the database's reason, an unknown action) is made inert: the
 * reason is the database's message and may quote what the entry held.
 */
import { inertText } from '../../events/inert.js';

export interface RefusedAuditView {
  waiting: number;
  refused: { time: string; actor: string; action: string; reason: string; attempts: number; nextTryAt: string }[];
}

export interface RefusedAuditText {
  title: string;
  lines: string[];
}

const TEXT = {
  ja: {
    title: (n: number) => `データベースが受け付けなかった監査記録が ${n} 件あります`,
    kept: 'このコレクターのディスクに保管し、間隔を空けて再試行しています（すべての記録が揃うまで監査ログは不完全です）。理由をデータベース管理者に確認してください。',
    oldest: (time: string, action: string, actor: string) => `最も古い記録: ${time}、${action}（操作者 ${actor}）`,
    reason: (reason: string, n: number, all: boolean) => `理由: ${reason}${all ? '' : `（${n} 件）`}`,
    moreReasons: (n: number) => `ほかに ${n} 種類の理由があります。`,
    next: (time: string, attempts: number) => `次の再試行: ${time}（これまで ${attempts} 回拒否）`,
    waitingTitle: (n: number) => `データベースへの書き込みを待っている監査記録が ${n} 件あります`,
    waiting: 'このコレクターのディスクに保管済みで、データベースに接続でき次第書き込みます。',
    unknown: (why: string) => `データベースが受け付けなかった監査記録があるかどうかを確認できませんでした（${why}）。`,
  },
  en: {
    title: (n: number) => (n === 1 ? '1 audit entry was refused by the database' : `${n} audit entries were refused by the database`),
    kept: 'They are kept on this collector’s disk and tried again at growing intervals (the audit log is incomplete until they are in). Ask your database administrator about the reason.',
    oldest: (time: string, action: string, actor: string) => `Oldest: ${time}, ${action} (by ${actor})`,
    reason: (reason: string, n: number, all: boolean) => `Reason: ${reason}${all ? '' : ` (${n} ${n === 1 ? 'entry' : 'entries'})`}`,
    moreReasons: (n: number) => `${n} more ${n === 1 ? 'reason' : 'reasons'}.`,
    next: (time: string, attempts: number) => `Next try: ${time} (refused ${attempts} ${attempts === 1 ? 'time' : 'times'} so far)`,
    waitingTitle: (n: number) => (n === 1 ? '1 audit entry is waiting for the database' : `${n} audit entries are waiting for the database`),
    waiting: 'Kept on this collector’s disk; written as soon as the database takes them.',
    unknown: (why: string) => `Could not check for audit entries the database refused (${why}).`,
  },
};

/** Distinct reasons shown, most frequent first; the rest are counted. */
const REASONS_SHOWN = 3;

/**
 * The panel's words, or null when nothing is refused or waiting. `fmtTime` formats an ISO time in the
 * admin's zone; `actionWord` names an action (the audit view's words), or null when it has none.
 */
export function refusedAuditText(v: RefusedAuditView, lang: 'ja' | 'en', fmtTime: (iso: string) => string, actionWord: (action: string) => string | null | undefined): RefusedAuditText[] {
  const s = TEXT[lang];
  const out: RefusedAuditText[] = [];
  if (v.refused.length > 0) {
    const oldest = v.refused.reduce((a, b) => (Date.parse(b.time) < Date.parse(a.time) ? b : a));
    const soonest = v.refused.reduce((a, b) => (Date.parse(b.nextTryAt) < Date.parse(a.nextTryAt) ? b : a));
    const byReason = new Map<string, number>();
    for (const r of v.refused) byReason.set(r.reason, (byReason.get(r.reason) ?? 0) + 1);
    const reasons = [...byReason].sort((a, b) => b[1] - a[1]);
    const all = reasons.length === 1;
    out.push({
      title: s.title(v.refused.length),
      lines: [
        s.kept,
        s.oldest(fmtTime(oldest.time), actionWord(oldest.action) ?? inertText(oldest.action), inertText(oldest.actor)),
        ...reasons.slice(0, REASONS_SHOWN).map(([reason, n]) => s.reason(inertText(reason), n, all)),
        ...(reasons.length > REASONS_SHOWN ? [s.moreReasons(reasons.length - REASONS_SHOWN)] : []),
        s.next(fmtTime(soonest.nextTryAt), soonest.attempts),
      ],
    });
  }
  if (v.waiting > 0) out.push({ title: s.waitingTitle(v.waiting), lines: [s.waiting] });
  return out;
}

/** Said when the collector could not be asked: not knowing is not "none". */
export const refusedAuditUnknown = (lang: 'ja' | 'en', why: string): string => TEXT[lang].unknown(why);
