import { describe, expect, it } from 'vitest';
import { answerEvent, checkEvent, decisionEvent, originOf, type EventContext } from '../../src/events/build.js';
import type { Finding } from '../../src/events/finding.js';
import { findService, defaultPolicy } from '../../src/policy/index.js';
import { CHANNELS } from '../../src/events/schema.js';

const ctx: EventContext = { deviceId: 'dev-1', user: 'taro@example.co.jp', browser: 'Chromium 142', extensionVersion: '0.1.0', policyVersion: 'v1' };
const gmail = findService(defaultPolicy(), 'https://mail.google.com/')!;

function finding(over: Partial<Finding> = {}): Finding {
  return {
    channel: 'file-input',
    url: 'https://mail.google.com/mail/u/0/?compose=new&token=secret',
    fileName: '秘—設計書.docx',
    size: 1234,
    sha256: 'A'.repeat(64),
    verdict: 'marked',
    rule: 2,
    reason: 'name',
    location: null,
    ...over,
  };
}

describe('decision events', () => {
  it('match the shared schema and carry no content or query string', () => {
    const e = decisionEvent(ctx, finding(), 'https://mail.google.com/mail/u/0/?compose=new', gmail, 'block');
    expect(checkEvent(e)).toEqual([]);
    expect(e).toMatchObject({
      v: 1,
      relatesTo: null,
      service: 'gmail',
      serviceName: 'Gmail',
      category: 'webmail',
      origin: 'https://mail.google.com',
      sha256: 'a'.repeat(64),
      action: 'block',
      outcome: 'blocked',
      rule: 2,
    });
    expect(JSON.stringify(e)).not.toContain('secret');
    expect(e).not.toHaveProperty('excerpt');
  });

  it('map actions to outcomes: warn is pending, audit and allow are allowed', () => {
    expect(decisionEvent(ctx, finding({ verdict: 'unscannable', rule: null, reason: 'encrypted' }), 'https://mail.google.com/', gmail, 'warn').outcome).toBe('pending');
    expect(decisionEvent(ctx, finding({ verdict: 'clean', rule: null, reason: null }), 'https://mail.google.com/', gmail, 'audit').outcome).toBe('allowed');
    expect(decisionEvent(ctx, finding({ verdict: 'clean', rule: null, reason: null }), 'https://mail.google.com/', gmail, 'allow').outcome).toBe('allowed');
  });

  it('stay valid with hostile or oversized input', () => {
    const e = decisionEvent(
      { ...ctx, user: 'a\u0000b\nc', browser: '' },
      finding({ fileName: '=HYPERLINK("x")\u0000' + 'x'.repeat(5000), reason: 'r'.repeat(900), sha256: 'nothex', size: -1, verdict: 'clean', rule: 1 }),
      'about:blank',
      null,
      'allow',
    );
    expect(checkEvent(e)).toEqual([]);
    expect(e.user).toBe('abc');
    expect(e.rule).toBeNull();
    expect(e.sha256).toBeNull();
    expect(e.size).toBeNull();
    expect(e.origin).toBe('https://mail.google.com');
  });

  it('every channel of the content contract is a schema channel', () => {
    const channels: Finding['channel'][] = [
      'file-input',
      'folder-input',
      'drop',
      'paste',
      'form',
      'text-field',
      'fetch',
      'xhr',
      'beacon',
      'websocket',
      'form-data',
      'file-picker',
      'url',
      'message',
      'storage',
      'network',
    ];
    expect([...channels].sort()).toEqual([...CHANNELS].sort());
  });

  it('the answer to a warning is a separate event pointing at it', () => {
    const pending = decisionEvent(ctx, finding({ verdict: 'unscannable', rule: null, reason: 'encrypted' }), 'https://mail.google.com/', gmail, 'warn');
    const yes = answerEvent(pending, true, '取引先への提出で承認済み');
    expect(checkEvent(yes)).toEqual([]);
    expect(yes).toMatchObject({ relatesTo: pending.id, outcome: 'proceeded', justification: '取引先への提出で承認済み', fileName: pending.fileName });
    expect(yes.id).not.toBe(pending.id);
    const no = answerEvent(pending, false, 'ignored');
    expect(no).toMatchObject({ outcome: 'cancelled', justification: null });
  });

  it('originOf keeps only scheme, host and port', () => {
    expect(originOf('https://46.gigafile.nu:8443/upload?x=1')).toBe('https://46.gigafile.nu:8443');
    expect(originOf('blob:https://x')).toBeNull();
  });
});
