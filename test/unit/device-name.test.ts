/** The PC name from policy (deviceName): validated, placeholders ignored, carried by events and heartbeats, set per PC by the Windows script. */
import { describe, expect, it } from 'vitest';
import { decisionEvent, answerEvent } from '../../src/events/build.js';
import { HeartbeatSchema, UploadEventSchema } from '../../src/events/schema.js';
import { sampleHeartbeat } from '../../src/events/sample.js';
import { mergePolicy, unexpandedVariable } from '../../src/policy/merge.js';
import { validateManaged } from '../../src/policy/validate.js';
import { policyFiles, resolveOptions } from '../../src/deploy/index.js';

describe('deviceName', () => {
  it('is validated, and an unexpanded deployment variable names no PC', () => {
    expect(validateManaged({ deviceName: 'PC-TOKYO-0042' }).policy.deviceName).toBe('PC-TOKYO-0042');
    const bad = validateManaged({ deviceName: 'PC\u0007' });
    expect(bad.policy.deviceName).toBeUndefined();
    expect(bad.problems.join('\n')).toMatch(/deviceName/);
    for (const v of ['%COMPUTERNAME%', '%ComputerName%', '$COMPUTERNAME', '${COMPUTERNAME}', '{{devicename}}', '{{ DeviceName }}']) {
      expect(unexpandedVariable(v), v).toBe(true);
      expect(mergePolicy({ deviceName: v }).deviceName, v).toBeNull();
    }
    for (const v of ['PC-0001', '営業部のPC', '100%', '$5 PC']) expect(unexpandedVariable(v), v).toBe(false);
    expect(mergePolicy({ deviceName: 'PC-0001' }).deviceName).toBe('PC-0001');
    expect(mergePolicy({}).deviceName).toBeNull();
  });

  it('travels with events (and the answer to a warning) and heartbeats, and older ones without it still validate', () => {
    const ctx = { deviceId: 'd-1', user: 'sato', deviceName: 'PC-0001', browser: 'Chromium 156', extensionVersion: '0.1.0', policyVersion: null };
    const finding = { channel: 'file-input', fileName: '秘—a.docx', size: 1, sha256: null, verdict: 'marked', rule: 2, reason: 'name', location: null, url: 'https://mail.google.com/' };
    const e = decisionEvent(ctx, finding as never, 'https://mail.google.com/', { id: 'gmail', name: 'Gmail', category: 'webmail' }, 'warn');
    expect(e.deviceName).toBe('PC-0001');
    expect(UploadEventSchema.safeParse(e).success).toBe(true);
    expect(answerEvent(e, true, 'ok').deviceName).toBe('PC-0001');
    const without = decisionEvent({ ...ctx, deviceName: null }, finding as never, 'https://mail.google.com/', null, 'block');
    expect('deviceName' in without).toBe(false);
    expect(UploadEventSchema.safeParse(without).success).toBe(true);
    expect(HeartbeatSchema.safeParse(sampleHeartbeat({ deviceName: 'PC-0001' })).success).toBe(true);
    expect(HeartbeatSchema.safeParse(sampleHeartbeat({ deviceName: 'x'.repeat(129) })).success).toBe(false);
  });

  it('the Windows startup script sets it to %COMPUTERNAME% under both browsers\' policy keys', () => {
    const policy = { collectorUrl: 'https://collector.example.co.jp', ingestToken: 'ingest-token-0123456789' };
    const files = policyFiles(policy, resolveOptions(policy, {}, ['windows']), ['windows']);
    const cmd = files.find((f) => f.path === 'windows/set-device-name.cmd')!;
    const text = String(cmd.content);
    expect(text).toContain('\r\n');
    expect(text).toMatch(/reg add "HKLM\\SOFTWARE\\Policies\\Google\\Chrome\\3rdparty\\extensions\\[a-p]{32}\\policy" \/v deviceName \/t REG_SZ \/d "%COMPUTERNAME%" \/f/);
    expect(text).toMatch(/HKLM\\SOFTWARE\\Policies\\Microsoft\\Edge\\3rdparty\\extensions\\[a-p]{32}\\policy" \/v deviceName/);
  });
});
