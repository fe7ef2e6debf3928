/**
 * What the extension does with no policy at all: the shipped service list and safe actions.
 * Admins add services, remove these by id, and change every other value by policy.
 */
import { DEFAULT_LIMITS } from '../detect/limits.js';
import { CATEGORIES } from '../events/schema.js';
import type { Designated } from '../detect/types.js';
import type { ActionTable, EffectivePolicy, GuidanceTable, PresetReason, Service, VerdictActions } from './types.js';

/** MARKINGS.md and issue 3: marked → block, unscannable → warn (the employee decides, on record), clean → allow. */
export const DEFAULT_VERDICT_ACTIONS: Readonly<VerdictActions> = Object.freeze({
  marked: 'block',
  unscannable: 'warn',
  clean: 'allow',
});

/** Free webmail (guideline 2-6-4 names Yahoo! Mail). */
const WEBMAIL: Service[] = [
  { id: 'yahoo-japan-mail', name: 'Yahoo! JAPAN メール', category: 'webmail', hosts: ['*.mail.yahoo.co.jp'] },
  { id: 'yahoo-mail', name: 'Yahoo Mail', category: 'webmail', hosts: ['*.mail.yahoo.com'] },
  { id: 'gmail', name: 'Gmail', category: 'webmail', hosts: ['mail.google.com'] },
  { id: 'outlook-com', name: 'Outlook.com', category: 'webmail', hosts: ['outlook.live.com'] },
  // www.icloud.com hosts Mail and Drive; the path tells them apart (see Service.paths).
  { id: 'icloud-mail', name: 'iCloud Mail', category: 'webmail', hosts: ['icloud.com', 'www.icloud.com'], paths: ['/mail'] },
  { id: 'aol-mail', name: 'AOL Mail', category: 'webmail', hosts: ['mail.aol.com'] },
  { id: 'proton-mail', name: 'Proton Mail', category: 'webmail', hosts: ['mail.proton.me', 'mail.protonmail.com'] },
  { id: 'gmx', name: 'GMX', category: 'webmail', hosts: ['*.gmx.net', '*.gmx.com'] },
  {
    id: 'yandex-mail',
    name: 'Yandex Mail',
    category: 'webmail',
    hosts: ['mail.yandex.ru', 'mail.yandex.com', 'mail.yandex.com.tr', 'mail.yandex.by', 'mail.yandex.kz'],
  },
  { id: 'mail-ru', name: 'Mail.ru', category: 'webmail', hosts: ['mail.ru', 'e.mail.ru', 'octavius.mail.ru', 'touch.mail.ru'] },
  { id: 'qq-mail', name: 'QQ Mail', category: 'webmail', hosts: ['*.mail.qq.com'] },
  { id: 'netease-mail', name: 'NetEase Mail (163 / 126)', category: 'webmail', hosts: ['*.mail.163.com', '*.mail.126.com', '*.mail.yeah.net'] },
];

/** Data-sharing services (guideline 2-6-4 names Google Docs). Upload hosts are sharded, hence the wildcards. */
const SHARING: Service[] = [
  { id: 'google-drive', name: 'Google Drive', category: 'sharing', hosts: ['drive.google.com'] },
  { id: 'google-docs', name: 'Google ドキュメント / スプレッドシート / スライド / フォーム', category: 'sharing', hosts: ['docs.google.com'] },
  { id: 'dropbox', name: 'Dropbox', category: 'sharing', hosts: ['*.dropbox.com'] },
  // A company's own Box tenant (acme.app.box.com) is allowed by policy `allow`.
  { id: 'box', name: 'Box', category: 'sharing', hosts: ['*.box.com'] },
  { id: 'onedrive-personal', name: 'OneDrive (個人用)', category: 'sharing', hosts: ['onedrive.live.com', '1drv.ms'] },
  { id: 'icloud-drive', name: 'iCloud Drive', category: 'sharing', hosts: ['icloud.com', 'www.icloud.com'], paths: ['/iclouddrive'] },
  { id: 'wetransfer', name: 'WeTransfer', category: 'sharing', hosts: ['*.wetransfer.com', 'we.tl'] },
  // 46.gigafile.nu, 108.gigafile.nu, … are the upload hosts; xgf.nu is its short-link domain.
  { id: 'gigafile', name: 'ギガファイル便', category: 'sharing', hosts: ['*.gigafile.nu', '*.xgf.nu'] },
  { id: 'firestorage', name: 'firestorage', category: 'sharing', hosts: ['*.firestorage.jp', '*.firestorage.com'] },
  { id: 'mega', name: 'MEGA', category: 'sharing', hosts: ['*.mega.nz', '*.mega.io'] },
  { id: 'mediafire', name: 'MediaFire', category: 'sharing', hosts: ['*.mediafire.com'] },
  { id: 'cloud-mail-ru', name: 'Mail.ru Cloud', category: 'sharing', hosts: ['cloud.mail.ru'] },
  { id: 'send-anywhere', name: 'Send Anywhere', category: 'sharing', hosts: ['*.send-anywhere.com'] },
  { id: 'file-io', name: 'file.io', category: 'sharing', hosts: ['*.file.io'] },
  { id: 'pastebin', name: 'Pastebin', category: 'sharing', hosts: ['*.pastebin.com'] },
  { id: 'paste-ee', name: 'Paste.ee', category: 'sharing', hosts: ['*.paste.ee'] },
  { id: 'hastebin', name: 'Hastebin', category: 'sharing', hosts: ['*.hastebin.com', 'hastebin.skyra.pw'] },
  { id: 'dpaste', name: 'dpaste', category: 'sharing', hosts: ['*.dpaste.org', '*.dpaste.com'] },
  { id: 'justpaste', name: 'JustPaste.it', category: 'sharing', hosts: ['*.justpaste.it'] },
  { id: 'rentry', name: 'Rentry', category: 'sharing', hosts: ['*.rentry.co', '*.rentry.org'] },
  { id: 'controlc', name: 'ControlC', category: 'sharing', hosts: ['*.controlc.com'] },
  { id: 'privatebin', name: 'PrivateBin', category: 'sharing', hosts: ['*.privatebin.net'] },
];

/** Consumer generative-AI services: a prompt or an attached file is an upload. */
const GENAI: Service[] = [
  { id: 'chatgpt', name: 'ChatGPT', category: 'genai', hosts: ['*.chatgpt.com', 'chat.openai.com'] },
  { id: 'gemini', name: 'Gemini', category: 'genai', hosts: ['gemini.google.com', 'bard.google.com'] },
  { id: 'google-ai-studio', name: 'Google AI Studio', category: 'genai', hosts: ['aistudio.google.com'] },
  { id: 'claude', name: 'Claude', category: 'genai', hosts: ['claude.ai'] },
  { id: 'copilot', name: 'Microsoft Copilot', category: 'genai', hosts: ['copilot.microsoft.com'] },
  { id: 'perplexity', name: 'Perplexity', category: 'genai', hosts: ['*.perplexity.ai'] },
  { id: 'deepseek', name: 'DeepSeek', category: 'genai', hosts: ['chat.deepseek.com'] },
  { id: 'grok', name: 'Grok', category: 'genai', hosts: ['grok.com'] },
  { id: 'poe', name: 'Poe', category: 'genai', hosts: ['poe.com'] },
  { id: 'mistral', name: 'Le Chat (Mistral)', category: 'genai', hosts: ['chat.mistral.ai'] },
];

export const DEFAULT_SERVICES: readonly Service[] = Object.freeze([...WEBMAIL, ...SHARING, ...GENAI]);

/**
 * Every category starts at the same safe row, `other` included (issue 14: block marked, warn
 * unscannable, allow clean). Large transfers are what sharing services are for (GigaFile便 takes
 * 300 GB): there a file over the scan limit is recorded, not questioned. Its name is still judged, and
 * the limit is policy.
 */
export const DEFAULT_ACTIONS: Readonly<ActionTable> = Object.freeze(defaultActions());

function defaultActions(): ActionTable {
  const table = Object.fromEntries(CATEGORIES.map((c) => [c, { ...DEFAULT_VERDICT_ACTIONS }])) as ActionTable;
  table.sharing.tooLarge = 'audit';
  return table;
}

export const EMPTY_DESIGNATED: Readonly<Designated> = Object.freeze({
  sha256: [],
  keywords: [],
  patterns: [],
  namePatterns: [],
  labels: [],
});

export const DEFAULT_HEARTBEAT_MINUTES = 15;

/** Reasons an employee can pick in a warning instead of typing one; policy replaces them per category. */
const COMMON_REASONS: PresetReason[] = [
  { ja: '上長の承認を得ている', en: 'Approved by my manager' },
  { ja: '取引先との契約に基づく送付', en: 'Required by a contract with the recipient' },
  { ja: '社内の関係者だけで使う', en: 'Only colleagues inside the company will see it' },
];

export const DEFAULT_GUIDANCE: Readonly<GuidanceTable> = Object.freeze({
  webmail: { reasons: COMMON_REASONS },
  sharing: { reasons: [{ ja: '大容量のため会社の転送サービスが使えない', en: "Too large for the company's transfer service" }, ...COMMON_REASONS] },
  genai: { reasons: [{ ja: '公開済みの情報だけを使っている', en: 'Only already-public information is used' }, ...COMMON_REASONS] },
  custom: { reasons: COMMON_REASONS },
});

/** A fresh copy of the defaults (callers may mutate it). */
export function defaultPolicy(): EffectivePolicy {
  return {
    scope: 'listed',
    services: DEFAULT_SERVICES.map(cloneService),
    allow: [],
    sanctioned: [],
    actions: defaultActions(),
    guidance: structuredClone(DEFAULT_GUIDANCE) as GuidanceTable,
    limits: { ...DEFAULT_LIMITS },
    designated: {
      sha256: [],
      keywords: [],
      patterns: [],
      namePatterns: [],
      labels: [],
    },
    messages: {
      ja: '「秘」の情報は、会社が認めた方法でのみ社外と共有してください。判断に迷うときは情報システム部門に相談してください。',
      en: 'Share confidential (秘) information outside the company only through approved channels. If in doubt, ask your IT department.',
      link: null,
    },
    user: null,
    collectorUrl: null,
    ingestToken: null,
    heartbeatMinutes: DEFAULT_HEARTBEAT_MINUTES,
    policyVersion: null,
  };
}

export function cloneService(s: Service): Service {
  return { ...s, hosts: [...s.hosts], ...(s.paths ? { paths: [...s.paths] } : {}) };
}
