/**
 * Deployment files from one validated admin policy: Linux JSON for Chrome, Chromium and Edge, Windows
 * .reg files, a macOS configuration profile, Firefox policies.json, and a README.txt (Japanese and
 * English) saying where each file goes and why each hardening setting is on or off. Pure: the CLI
 * (`upload-guard policy files`) writes the files.
 */
import type { ManagedPolicy } from '../policy/types.js';
import { cbcmExtensionPolicy } from './cbcm.js';
import type { ChromiumFamily } from './chrome.js';
import { firefoxPoliciesJson } from './firefox.js';
import { FAMILY_NAMES, HARDENING, describeEffect, type Bilingual, type Family } from './hardening.js';
import { LINUX_FILES, linuxJson } from './linux.js';
import { NOT_XML, macosMobileconfig } from './macos.js';
import { DeployError, TARGETS, type DeployOptions, type Target } from './options.js';
import { setDeviceNameCmd } from './device-name.js';
import { windowsReg } from './windows-reg.js';

export * from './options.js';
export { HARDENING, HARDENING_NAMES, type Hardening, type HardeningName } from './hardening.js';

export interface GeneratedFile {
  /** Relative path inside the output folder, `/`-separated. */
  path: string;
  content: string | Uint8Array;
  /** Where the admin puts it. */
  installTo: string;
  description: string;
}

interface Planned {
  path: string;
  installTo: Bilingual;
  description: Bilingual;
  content: () => string | Uint8Array;
}

const INT32_MAX = 2 ** 31 - 1;

/**
 * Values the policy formats cannot carry the same way everywhere: integers beyond 32 bits (Chrome reads
 * policy integers as 32-bit ints and drops the value otherwise, without a word), and characters XML and
 * the registry cannot hold. One line per value, naming its field.
 */
export function policyProblems(policy: ManagedPolicy): string[] {
  const problems: string[] = [];
  const walk = (v: unknown, path: string): void => {
    if (typeof v === 'string') {
      const bad = NOT_XML.exec(v);
      if (bad) {
        const code = bad[0].charCodeAt(0).toString(16).toUpperCase().padStart(4, '0');
        problems.push(`${path}: contains the character U+${code}, which policy files cannot carry on every platform`);
      }
    } else if (typeof v === 'number') {
      if (!Number.isInteger(v) || v > INT32_MAX || v < -INT32_MAX - 1) {
        problems.push(`${path}: ${v} is out of range: browsers take policy integers up to ${INT32_MAX} and drop larger values`);
      }
    } else if (Array.isArray(v)) {
      v.forEach((x, i) => walk(x, `${path}[${i}]`));
    } else if (v && typeof v === 'object') {
      for (const [k, x] of Object.entries(v)) walk(x, path ? `${path}.${k}` : k);
    }
  };
  walk(policy, '');
  return problems;
}

const FIREFOX_INSTALL: Bilingual = {
  en: 'Linux: /etc/firefox/policies/policies.json; Windows: <Firefox folder>\\distribution\\policies.json; macOS: Firefox.app/Contents/Resources/distribution/policies.json',
  ja: 'Linux: /etc/firefox/policies/policies.json、Windows: <Firefox のフォルダー>\\distribution\\policies.json、macOS: Firefox.app/Contents/Resources/distribution/policies.json',
};

function plan(policy: ManagedPolicy, options: DeployOptions, targets: readonly Target[]): Planned[] {
  const out: Planned[] = [];
  if (targets.includes('linux')) {
    for (const f of LINUX_FILES) {
      out.push({
        path: f.path,
        installTo: { en: f.installTo, ja: f.installTo },
        description: { en: `${f.browser} on Linux: installs and configures Upload Guard`, ja: `Linux の ${f.browser}: Upload Guard のインストールと設定` },
        content: () => linuxJson(f.family, policy, options),
      });
    }
  }
  if (targets.includes('windows')) {
    const reg = (family: ChromiumFamily, browser: string, key: string): Planned => ({
      path: `windows/upload-guard-${family}.reg`,
      installTo: {
        en: `HKLM\\SOFTWARE\\Policies\\${key} (reg import as administrator; GPO or Intune)`,
        ja: `HKLM\\SOFTWARE\\Policies\\${key}（管理者として reg import。GPO または Intune で配布）`,
      },
      description: { en: `${browser} on Windows (UTF-16 .reg)`, ja: `Windows の ${browser}（UTF-16 の .reg）` },
      content: () => windowsReg(family, policy, options),
    });
    out.push(reg('chrome', 'Google Chrome', 'Google\\Chrome'), reg('edge', 'Microsoft Edge', 'Microsoft\\Edge'));
    out.push({
      path: 'windows/set-device-name.cmd',
      installTo: {
        en: 'a computer startup script (GPO) or an Intune platform script run as SYSTEM: sets deviceName to %COMPUTERNAME% on each PC',
        ja: 'コンピューターのスタートアップスクリプト（GPO）または SYSTEM で実行する Intune のスクリプト。各PCで deviceName を %COMPUTERNAME% に設定',
      },
      description: { en: 'Each PC reported by its name (Chrome and Edge)', ja: '各PCを名前で記録（Chrome と Edge）' },
      content: () => setDeviceNameCmd(options),
    });
  }
  if (targets.includes('macos')) {
    out.push({
      path: 'macos/upload-guard.mobileconfig',
      installTo: {
        en: 'your MDM (Jamf Pro, Intune, …) as a custom configuration profile for the device',
        ja: 'MDM（Jamf Pro、Intune など）でデバイス向けのカスタム構成プロファイルとして配布',
      },
      description: { en: 'Google Chrome and Microsoft Edge on macOS (configuration profile)', ja: 'macOS の Google Chrome と Microsoft Edge（構成プロファイル）' },
      content: () => macosMobileconfig(policy, options),
    });
  }
  if (targets.includes('cbcm')) {
    out.push({
      path: 'cbcm/extension-policy.json',
      installTo: {
        en: `Google Admin console → Devices → Chrome → Apps & extensions → Users & browsers → the extension (${options.extensionId}, force install from the update URL) → Policy for extensions`,
        ja: `Google 管理コンソール → デバイス → Chrome → アプリと拡張機能 → ユーザーとブラウザ → 拡張機能（${options.extensionId}、更新 URL から強制インストール）→ 拡張機能のポリシー`,
      },
      description: { en: 'Chrome Browser Cloud Management: the extension policy to paste', ja: 'Chrome ブラウザ クラウド管理: 貼り付ける拡張機能のポリシー' },
      content: () => cbcmExtensionPolicy(policy),
    });
  }
  if (targets.includes('firefox')) {
    out.push({
      path: 'firefox/policies.json',
      installTo: FIREFOX_INSTALL,
      description: { en: 'Firefox on every platform', ja: 'Firefox（全プラットフォーム）' },
      content: () => firefoxPoliciesJson(policy, options),
    });
  }
  return out;
}

/** The families the targets configure. */
function familiesOf(targets: readonly Target[]): Family[] {
  const f: Family[] = [];
  if (targets.some((t) => t === 'linux' || t === 'windows' || t === 'macos')) f.push('chrome', 'edge');
  else if (targets.includes('cbcm')) f.push('chrome');
  if (targets.includes('firefox')) f.push('firefox');
  return f;
}

/** Every hardening setting for the targets' browsers: on/off, what it sets per family, why, and the cost. */
export function hardeningLines(options: DeployOptions, targets: readonly Target[], lang: 'en' | 'ja'): string[] {
  const families = familiesOf(targets);
  const ctx = { extensionId: options.extensionId, geckoId: options.geckoId, allowExtensions: options.allowExtensions };
  const lines: string[] = [];
  for (const h of HARDENING) {
    const fams = h.families.filter((f) => families.includes(f));
    if (!fams.length) continue;
    const on = options.hardening.has(h.name);
    const state = lang === 'en' ? (on ? '[ON] ' : '[OFF]') : on ? '[有効]' : '[無効]';
    const dflt = lang === 'en' ? `default ${h.default ? 'on' : 'off'}` : `既定: ${h.default ? '有効' : '無効'}`;
    lines.push(`  ${state} ${h.name} (${dflt})`);
    for (const f of fams) lines.push(`      ${FAMILY_NAMES[f]}: ${describeEffect(h.effect(f, ctx))}`);
    lines.push(`      ${lang === 'en' ? 'Why' : '理由'}: ${h.reason[lang]}`);
    lines.push(`      ${lang === 'en' ? 'Cost' : '影響'}: ${h.cost[lang]}`);
  }
  return lines;
}

function readme(files: readonly Planned[], options: DeployOptions, targets: readonly Target[]): string {
  const ids = options.edgeExtensionId === options.extensionId ? options.extensionId : `${options.extensionId} (Edge: ${options.edgeExtensionId})`;
  const section = (lang: 'en' | 'ja'): string[] => {
    const t = (en: string, ja: string) => (lang === 'en' ? en : ja);
    const lines = [
      t('== English ==', '== 日本語 =='),
      '',
      t(
        `Generated by "upload-guard policy files". Chrome/Edge extension ID: ${ids}; Firefox add-on id: ${options.geckoId}.`,
        `「upload-guard policy files」で生成。Chrome/Edge の拡張機能 ID: ${ids}、Firefox のアドオン ID: ${options.geckoId}。`,
      ),
      '',
      t('Files and where they go:', 'ファイルと配置先:'),
    ];
    for (const f of files) lines.push(`  ${f.path}`, `      ${f.description[lang]}`, `      → ${f.installTo[lang]}`);
    lines.push('', t('Hardening settings (upload-guard policy files --harden NAME / --no-harden NAME):', '強化設定（upload-guard policy files --harden 名前 / --no-harden 名前）:'));
    lines.push(...hardeningLines(options, targets, lang));
    lines.push(
      '',
      t('Notes:', '注意:'),
      t(
        '  - Every file contains the policy, including ingestToken: distribute it like other deployment secrets.',
        '  - どのファイルにも ingestToken を含むポリシーが入っています。他の配布用の秘密情報と同様に扱ってください。',
      ),
      t(
        '  - Chrome and Edge on Windows and macOS force-install extensions from outside their web stores only on managed machines (joined to a domain or enrolled in Chrome Enterprise Core / Intune on Windows, enrolled in MDM on macOS).',
        '  - Windows と macOS の Chrome/Edge は、ストア外の拡張機能を管理対象の端末（Windows: ドメイン参加または Chrome Enterprise Core / Intune に登録、macOS: MDM に登録）でのみ強制インストールします。',
      ),
      t(
        '  - The Firefox add-on (.xpi) must be signed by Mozilla (unlisted) before Firefox installs it.',
        '  - Firefox のアドオン（.xpi）は、事前に Mozilla の署名（非公開）が必要です。',
      ),
      t(
        '  - Windows: a setting turned off is not written, and a value an earlier .reg wrote stays until you delete it (reg delete). The Linux files and the macOS profile are replaced whole.',
        '  - Windows: 無効にした設定は書き込まれず、以前の .reg で書き込んだ値は削除するまで残ります（reg delete）。Linux のファイルと macOS のプロファイルは全体が置き換わります。',
      ),
      '',
    );
    return lines;
  };
  return ['Upload Guard: deployment files / 配布用ファイル', '', ...section('ja'), ...section('en')].join('\n');
}

/**
 * Every file for `targets`, plus README.txt. `policy` must be the validated managed policy; values the
 * formats cannot carry (see policyProblems) throw a DeployError listing all of them.
 */
export function policyFiles(policy: ManagedPolicy, options: DeployOptions, targets: readonly Target[]): GeneratedFile[] {
  const wanted = TARGETS.filter((t) => targets.includes(t));
  if (!wanted.length) throw new DeployError([`no targets (expected some of ${TARGETS.join(', ')})`]);
  const problems = policyProblems(policy);
  if (problems.length) throw new DeployError(problems);
  const planned = plan(policy, options, wanted);
  const files: GeneratedFile[] = planned.map((p) => ({ path: p.path, content: p.content(), installTo: p.installTo.en, description: p.description.en }));
  files.push({
    path: 'README.txt',
    content: readme(planned, options, wanted),
    installTo: '(read me: where each file goes, and why each hardening setting is on or off)',
    description: 'Japanese and English instructions',
  });
  return files;
}
