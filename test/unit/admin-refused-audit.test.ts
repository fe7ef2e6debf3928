/**
 * The audit view's panel of audit entries the database refused (GET /v1/admin/audit/refused): how many,
 * the oldest, why and when they are tried again, in Japanese and English, every collector value inert
 * (the reason is the database's message and may quote what the entry held).
 */
import { describe, expect, it } from 'vitest';
import { refusedAuditText, refusedAuditUnknown, type RefusedAuditView } from '../../src/collector/admin/refused-audit-text.js';

const fmt = (iso: string) => `<${iso.slice(0, 16)}>`;
const words: Record<string, string> = { 'export.cut': 'エクスポート中断（権限の取り消し）' };
const entry = (time: string, over: Partial<RefusedAuditView['refused'][number]> = {}) => ({ time, actor: 'token:ops', action: 'export.cut', reason: 'refused by a rule of the DBA', attempts: 1, nextTryAt: '2026-12-07T10:01:00.000Z', ...over });

describe('refused audit entries, said for the admin', () => {
  it('nothing refused and nothing waiting: no panel', () => {
    expect(refusedAuditText({ waiting: 0, refused: [] }, 'ja', fmt, (a) => words[a])).toEqual([]);
  });

  it('count, the oldest by its time, its action in words, the reason, the next try (Japanese)', () => {
    const v: RefusedAuditView = {
      waiting: 0,
      refused: [
        entry('2026-12-07T09:30:00.000Z', { actor: 'token:later', attempts: 3, nextTryAt: '2026-12-07T11:00:00.000Z' }),
        entry('2026-12-07T08:00:00.000Z', { attempts: 2, nextTryAt: '2026-12-07T10:30:00.000Z' }),
      ],
    };
    const [p, more] = refusedAuditText(v, 'ja', fmt, (a) => words[a]);
    expect(more).toBeUndefined();
    expect(p!.title).toBe('データベースが受け付けなかった監査記録が 2 件あります');
    expect(p!.lines).toEqual([
      expect.stringContaining('再試行しています'),
      '最も古い記録: <2026-12-07T08:00>、エクスポート中断（権限の取り消し）（操作者 token:ops）',
      '理由: refused by a rule of the DBA',
      '次の再試行: <2026-12-07T10:30>（これまで 2 回拒否）',
    ]);
  });

  it('hostile values (markup, bidi override, terminal escape, formula) are inert; an action without words is shown inert', () => {
    const v: RefusedAuditView = {
      waiting: 0,
      refused: [entry('2026-12-07T08:00:00.000Z', { actor: '<b>a</b>\u202egpj.exe', action: 'x\u001b[2J', reason: "=cmd|' /C calc'!A0 <img src=x onerror=alert(1)>\u2066" })],
    };
    const [p] = refusedAuditText(v, 'en', fmt, (a) => words[a]);
    expect(p!.title).toBe('1 audit entry was refused by the database');
    expect(p!.lines).toContain('Oldest: <2026-12-07T08:00>, x[U+001B][2J (by <b>a</b>[U+202E]gpj.exe)');
    expect(p!.lines).toContain("Reason: =cmd|' /C calc'!A0 <img src=x onerror=alert(1)>[U+2066]");
    expect(p!.lines.join('\n')).not.toMatch(/[\u001b\u202e\u2066]/);
  });

  it('several reasons: the most frequent first, each counted, the rest summed up (English)', () => {
    const v: RefusedAuditView = {
      waiting: 0,
      refused: ['a', 'b', 'b', 'c', 'd', 'd', 'd', 'e'].map((reason, i) => entry(`2026-12-07T0${i}:00:00.000Z`, { reason })),
    };
    const [p] = refusedAuditText(v, 'en', fmt, (a) => words[a]);
    expect(p!.title).toBe('8 audit entries were refused by the database');
    expect(p!.lines.filter((l) => l.startsWith('Reason'))).toEqual(['Reason: d (3 entries)', 'Reason: b (2 entries)', 'Reason: a (1 entry)']);
    expect(p!.lines).toContain('2 more reasons.');
  });

  it('entries waiting for the database are said too; a collector that could not be asked is not "none"', () => {
    expect(refusedAuditText({ waiting: 4, refused: [] }, 'ja', fmt, () => null)).toEqual([{ title: 'データベースへの書き込みを待っている監査記録が 4 件あります', lines: [expect.stringContaining('ディスクに保管済み')] }]);
    expect(refusedAuditText({ waiting: 1, refused: [entry('2026-12-07T08:00:00.000Z')] }, 'en', fmt, () => null).map((p) => p.title)).toEqual(['1 audit entry was refused by the database', '1 audit entry is waiting for the database']);
    expect(refusedAuditUnknown('ja', 'コレクターに接続できません')).toContain('確認できませんでした');
  });
});
