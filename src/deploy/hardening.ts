/**
 * The holes a deployment can close besides installing the extension: each is one named setting with the
 * policies it sets per browser family, whether it is on by default, and why (English and Japanese; the
 * generated files and README.txt state the reason next to the setting).
 */
import type { Json } from './options.js';

export type Family = 'chrome' | 'edge' | 'firefox';

export const FAMILY_NAMES: Record<Family, string> = { chrome: 'Chrome/Chromium', edge: 'Edge', firefox: 'Firefox' };

export interface Bilingual {
  en: string;
  ja: string;
}

/** What one hardening setting adds for one browser family. */
export interface Effect {
  /** Browser-level policies, e.g. `{ IncognitoModeAvailability: 1 }`. */
  policies: Record<string, Json>;
  /** Entries merged into the browser's `ExtensionSettings` policy. */
  extensionSettings: Record<string, Json>;
}

export interface HardeningContext {
  extensionId: string;
  geckoId: string;
  /** Other extensions to keep allowed (Chrome/Edge IDs and Firefox ids mixed; each family takes its own). */
  allowExtensions: readonly string[];
}

export const HARDENING_NAMES = ['incognito', 'guest', 'developer-mode', 'other-extensions', 'devtools', 'private-browsing', 'about-config'] as const;
export type HardeningName = (typeof HARDENING_NAMES)[number];

export interface Hardening {
  name: HardeningName;
  /** On unless the admin turns it off (`--no-harden`), or off unless turned on (`--harden`). */
  default: boolean;
  /** The browser families it applies to; others get nothing from it. */
  families: readonly Family[];
  /** Why the hole matters: what goes unguarded without the setting. */
  reason: Bilingual;
  /** What employees lose when it is on. */
  cost: Bilingual;
  effect(family: Family, ctx: HardeningContext): Effect;
}

const CHROME_ID = /^[a-p]{32}$/;
const BLOCKED_MESSAGE =
  '会社のポリシーにより、承認された拡張機能以外は使用できません。 / Company policy allows only approved extensions.';

const policies = (p: Record<string, Json>): Effect => ({ policies: p, extensionSettings: {} });

export const HARDENING: readonly Hardening[] = [
  {
    name: 'incognito',
    default: true,
    families: ['chrome', 'edge'],
    reason: {
      en: 'Extensions do not run in Incognito/InPrivate windows unless the user allows it, and no policy can allow it for them: uploads from such a window would not be checked.',
      ja: '拡張機能はシークレット/InPrivate ウィンドウでは利用者が許可しない限り動作せず、ポリシーで許可することもできません。そのウィンドウからのアップロードは検査されません。',
    },
    cost: { en: 'Incognito/InPrivate windows are unavailable.', ja: 'シークレット/InPrivate ウィンドウは使えなくなります。' },
    effect: (family) => policies(family === 'chrome' ? { IncognitoModeAvailability: 1 } : { InPrivateModeAvailability: 1 }),
  },
  {
    name: 'guest',
    default: true,
    families: ['chrome', 'edge'],
    reason: {
      en: 'Extensions do not run in Guest mode: uploads from a guest window would not be checked.',
      ja: 'ゲスト モードでは拡張機能が動作しないため、ゲスト ウィンドウからのアップロードは検査されません。',
    },
    cost: { en: 'Guest mode is unavailable.', ja: 'ゲスト モードは使えなくなります。' },
    effect: () => policies({ BrowserGuestModeEnabled: false }),
  },
  {
    name: 'developer-mode',
    default: true,
    families: ['chrome', 'edge'],
    reason: {
      en: 'In developer mode a user can load an unpacked extension that undoes the guard or imitates it. Blocks developer mode on the extensions page (Chrome/Edge 128 and later).',
      ja: 'デベロッパー モードでは、パッケージ化されていない拡張機能を読み込んでガードを無効にしたり、ガードを装ったりできます。拡張機能ページのデベロッパー モードを禁止します（Chrome/Edge 128 以降）。',
    },
    cost: { en: 'Employees cannot load unpacked extensions.', ja: 'パッケージ化されていない拡張機能は読み込めなくなります。' },
    effect: () => policies({ ExtensionDeveloperModeSettings: 1 }),
  },
  {
    name: 'other-extensions',
    default: true,
    families: ['chrome', 'edge', 'firefox'],
    reason: {
      en: "Another extension with access to pages could remove the guard's hooks or read files before they are checked. Blocks every other extension except those given with --allow-extension (already installed ones are disabled), and extensions installed by other programs.",
      ja: 'ページにアクセスできる他の拡張機能は、ガードのフックを外したり、検査前のファイルを読み取ったりできます。--allow-extension で指定したもの以外の拡張機能（インストール済みのものを含む）と、他のプログラムによる拡張機能のインストールを禁止します。',
    },
    cost: {
      en: 'Employees cannot install extensions; list the ones the company needs with --allow-extension.',
      ja: '利用者は拡張機能を追加できません。業務で必要なものは --allow-extension で指定してください。',
    },
    effect: (family, ctx) => {
      const own = family === 'firefox' ? ctx.geckoId : ctx.extensionId;
      const allowed = ctx.allowExtensions.filter((id) => (family === 'firefox' ? !CHROME_ID.test(id) : CHROME_ID.test(id)) && id !== own);
      const extensionSettings: Record<string, Json> = {
        '*': { installation_mode: 'blocked', blocked_install_message: BLOCKED_MESSAGE },
      };
      for (const id of allowed) extensionSettings[id] = { installation_mode: 'allowed' };
      const blockExternal: Record<string, Json> = family === 'firefox' ? {} : { BlockExternalExtensions: true };
      return { policies: blockExternal, extensionSettings };
    },
  },
  {
    name: 'devtools',
    default: false,
    families: ['chrome', 'edge', 'firefox'],
    reason: {
      en: "Developer tools let a user run their own script in a page, outside the guard's hooks (for example, sending pasted, encoded content from the console).",
      ja: '開発者ツールを使うと、ページ内で独自のスクリプトを実行し、ガードのフックを経由せずにデータを送信できます（例: コンソールから貼り付けたエンコード済みの内容を送信）。',
    },
    cost: {
      en: 'Developer tools are unavailable to everyone covered by this file: turn it on only for groups that do not need them (off by default).',
      ja: 'このファイルを適用する全員が開発者ツールを使えなくなります。不要な部署にだけ適用してください（既定では無効）。',
    },
    effect: (family) => policies(family === 'firefox' ? { DisableDeveloperTools: true } : { DeveloperToolsAvailability: 2 }),
  },
  {
    name: 'private-browsing',
    default: true,
    families: ['firefox'],
    reason: {
      en: 'The add-on is allowed in private windows by its ExtensionSettings entry (private_browsing), but Firefox before 136 (including ESR 128) ignores that, so private windows there would not be checked. Turn it off only when every Firefox is 136 or later.',
      ja: 'ExtensionSettings の private_browsing でプライベート ウィンドウでもアドオンを動作させますが、Firefox 136 より前（ESR 128 を含む）はこの設定を無視するため、プライベート ウィンドウでのアップロードが検査されません。すべての Firefox が 136 以降の場合にのみ無効にしてください。',
    },
    cost: { en: 'Private windows are unavailable.', ja: 'プライベート ウィンドウは使えなくなります。' },
    effect: () => policies({ DisablePrivateBrowsing: true }),
  },
  {
    name: 'about-config',
    default: true,
    families: ['firefox'],
    reason: {
      en: 'about:config can change preferences that switch extensions off on chosen sites (extensions.webextensions.restrictedDomains) or otherwise weaken them.',
      ja: 'about:config では、指定したサイトで拡張機能を無効にする設定（extensions.webextensions.restrictedDomains）などを変更できます。',
    },
    cost: { en: 'about:config is unavailable.', ja: 'about:config は使えなくなります。' },
    effect: () => policies({ BlockAboutConfig: true }),
  },
];

export function isHardeningName(s: string): s is HardeningName {
  return (HARDENING_NAMES as readonly string[]).includes(s);
}

export function hardening(name: HardeningName): Hardening {
  return HARDENING.find((h) => h.name === name)!;
}

/** One setting as applied to one browser family. */
export interface AppliedHardening {
  setting: Hardening;
  enabled: boolean;
  /** What it sets when enabled (also filled when disabled, to say what is not set). */
  effect: Effect;
}

/** The settings that apply to `family`, in table order, with what each sets. */
export function hardeningFor(family: Family, enabled: ReadonlySet<HardeningName>, ctx: HardeningContext): AppliedHardening[] {
  return HARDENING.filter((h) => h.families.includes(family)).map((setting) => ({
    setting,
    enabled: enabled.has(setting.name),
    effect: setting.effect(family, ctx),
  }));
}

/** "IncognitoModeAvailability=1, BrowserGuestModeEnabled=false", for summaries and comments. */
export function describeEffect(e: Effect): string {
  const settings = Object.entries(e.extensionSettings).map(
    ([id, entry]) => `ExtensionSettings["${id}"].installation_mode=${(entry as { installation_mode?: string }).installation_mode}`,
  );
  const policies = Object.entries(e.policies).map(([k, v]) => `${k}=${JSON.stringify(v)}`);
  return [...settings, ...policies].join(', ');
}

/**
 * A browser family's policies: `ExtensionSettings` (the extension's own entry first, then what hardening
 * adds), then each enabled setting's policies in table order. Two settings never set the same policy.
 */
export function withHardening(
  family: Family,
  own: { id: string; entry: Record<string, Json> },
  enabled: ReadonlySet<HardeningName>,
  ctx: HardeningContext,
): { extensionSettings: Record<string, Json>; policies: Record<string, Json>; hardening: AppliedHardening[] } {
  const applied = hardeningFor(family, enabled, ctx);
  const extensionSettings: Record<string, Json> = { [own.id]: own.entry };
  const rest: Record<string, Json> = {};
  for (const h of applied) {
    if (!h.enabled) continue;
    for (const [id, entry] of Object.entries(h.effect.extensionSettings)) if (id !== own.id) extensionSettings[id] = entry;
    for (const [name, value] of Object.entries(h.effect.policies)) {
      if (name in rest || name === 'ExtensionSettings') throw new Error(`hardening ${h.setting.name}: ${name} is set twice`);
      rest[name] = value;
    }
  }
  return { extensionSettings, policies: { ExtensionSettings: extensionSettings, ...rest }, hardening: applied };
}
