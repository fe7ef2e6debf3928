/** The department from policy (one value per organizational unit): validated, placeholders ignored, carried by events and heartbeats. */
import { describe, expect, it } from 'vitest';
import { answerEvent, decisionEvent } from '../../src/events/build.js';
import { sampleHeartbeat } from '../../src/events/sample.js';
import { HeartbeatSchema, UploadEventSchema } from '../../src/events/schema.js';
import { mergePolicy } from '../../src/policy/merge.js';
import { validateManaged } from '../../src/policy/validate.js';

describe('department', () => {
  it('is validated, and an unexpanded deployment variable names no department', () => {
    expect(validateManaged({ department: '営業部 第一課' }).policy.department).toBe('営業部 第一課');
    for (const v of ['営業\u0007部', '', 'x'.repeat(129), 42]) {
      const bad = validateManaged({ department: v });
      expect(bad.policy.department, String(v)).toBeUndefined();
      expect(bad.problems.join('\n')).toMatch(/department/);
    }
    expect(mergePolicy({ department: '%DEPARTMENT%' }).department).toBeNull();
    expect(mergePolicy({ department: '{{department}}' }).department).toBeNull();
    expect(mergePolicy({ department: '開発部' }).department).toBe('開発部');
    expect(mergePolicy({}).department).toBeNull();
  });

  it('travels with events (and the answer to a warning) and heartbeats; events without it still validate', () => {
    const ctx = { deviceId: 'd-1', user: 'sato', department: '開発部', browser: 'Chromium 156', extensionVersion: '0.1.0', policyVersion: null };
    const finding = { channel: 'file-input', fileName: '秘—a.docx', size: 1, sha256: null, verdict: 'marked', rule: 2, reason: 'name', location: null, url: 'https://mail.google.com/' };
    const e = decisionEvent(ctx, finding as never, 'https://mail.google.com/', { id: 'gmail', name: 'Gmail', category: 'webmail' }, 'warn');
    expect(e.department).toBe('開発部');
    expect(UploadEventSchema.safeParse(e).success).toBe(true);
    expect(answerEvent(e, true, 'ok').department).toBe('開発部');
    const without = decisionEvent({ ...ctx, department: null }, finding as never, 'https://mail.google.com/', null, 'block');
    expect('department' in without).toBe(false);
    expect(UploadEventSchema.safeParse(without).success).toBe(true);
    expect(UploadEventSchema.safeParse({ ...e, department: 'x'.repeat(129) }).success).toBe(false);
    expect(HeartbeatSchema.safeParse(sampleHeartbeat({ department: '開発部' })).success).toBe(true);
    expect(HeartbeatSchema.safeParse(sampleHeartbeat({ department: '開発\n部' })).success).toBe(false);
  });
});
