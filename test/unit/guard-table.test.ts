/**
 * The decision table, whole: every channel × verdict × category × action, through the guard's core and
 * the background's real decision and event code (test/support/guard.ts). Each row checks what the page
 * gets, whether and how the employee is asked, what is recorded, and what the dialog's answer records.
 */
import { describe, expect, it } from 'vitest';
import { ACTIONS, CATEGORIES, CHANNELS, VERDICTS, type Action, type Category, type Verdict } from '../../src/events/schema.js';
import { outcomeOf } from '../../src/policy/decide.js';
import { CLEAN, MARKED, UNSCANNABLE, file, started } from '../support/guard.js';

const PARTNER = { id: 'partner-upload', name: '取引先アップロード', category: 'custom', hosts: ['upload.partner.example'] };
const PAGE: Record<Category, string> = {
  webmail: 'https://mail.google.com/mail/u/0/',
  sharing: 'https://drive.google.com/drive/my-drive',
  genai: 'https://chatgpt.com/',
  custom: 'https://upload.partner.example/send',
  // An unlisted host: guarded as `other` because the row's policy sets scope everywhere.
  other: 'https://files.unlisted.example/upload',
};
const ENGINE = { marked: MARKED, clean: CLEAN, unscannable: UNSCANNABLE };

const rows = CHANNELS.flatMap((channel) =>
  VERDICTS.flatMap((verdict) => CATEGORIES.flatMap((category) => ACTIONS.map((action) => ({ channel, verdict, category, action })))),
);

async function run(row: { channel: (typeof CHANNELS)[number]; verdict: Verdict; category: Category; action: Action }) {
  const h = await started({
    url: PAGE[row.category],
    policy: { scope: 'everywhere', services: [PARTNER], actions: { [row.category]: { [row.verdict]: row.action } } },
  });
  const f = file('見積書_2024.docx');
  h.verdicts.set(f.name, ENGINE[row.verdict]);
  const proceed = await h.guard.decide(row.channel, [{ kind: 'file', blob: f, name: f.name }]);
  return { h, proceed, f };
}

describe('the decision table: channel × verdict × category × action', () => {
  it('has every row', () => expect(rows).toHaveLength(CHANNELS.length * 3 * 5 * 4));

  it.each(rows)('$channel, $verdict on $category, policy $action', async (row) => {
    const { h, proceed, f } = await run(row);
    const asked = row.action === 'warn' || row.action === 'block';
    // What the page gets: allow and audit pass, block stops, warn follows the employee (here: proceeds).
    expect(proceed).toBe(row.action !== 'block');
    expect(h.scans).toEqual([f.name]);
    // The dialog: only for warn and block, with that action, naming the file.
    expect(h.warnings).toHaveLength(asked ? 1 : 0);
    if (asked) expect(h.warnings[0]).toMatchObject({ action: row.action, why: 'policy', items: [{ name: f.name, verdict: ENGINE[row.verdict] }] });
    // The record: every decision but a clean file the policy allows (that one needs no round trip).
    const recorded = !(row.verdict === 'clean' && row.action === 'allow');
    expect(h.events).toHaveLength(recorded ? 1 : 0);
    if (recorded) {
      expect(h.events[0]).toMatchObject({
        channel: row.channel,
        category: row.category,
        verdict: row.verdict,
        action: row.action,
        outcome: outcomeOf(row.action),
        fileName: f.name,
        rule: row.verdict === 'marked' ? 1 : null,
        location: row.verdict === 'marked' ? '2023年度.zip › part=word/header1.xml › area=header' : null,
      });
    }
    // A warning's answer is recorded against the pending event, with the justification.
    expect(h.resolves).toEqual(
      row.action === 'warn' ? [{ type: 'resolve', eventIds: [h.events[0].id], proceed: true, justification: '取引先への提出で承認済み' }] : [],
    );
    // And the answer is remembered for this file.
    expect(h.guard.knownAnswer(f, f.name)).toBe(proceed);
  });
});
