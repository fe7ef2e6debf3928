/**
 * The shipped service catalogue: which hosts are which service, and their category (actions are set per
 * category). Grouped by kind of service; the groups that issue 14 added (translation, chat and social,
 * code and paste, notes and forms, more file transfer, GenAI) are filed under the existing categories,
 * so an admin's `actions.sharing` covers every data-sharing service in the sense of guideline 2-6-4,
 * and `actions.genai` every AI assistant.
 *
 * Where each host came from. A host is listed only when the service's own documentation (help centre,
 * terms, the web client's own README) names it or is served from it; a host we could not source is left
 * out rather than guessed (scope `everywhere` still guards it, as category `other`).
 * - Entries without a `// source:` line were shipped before issue 14, from the services' own sign-in and
 *   upload pages as the e2e tests serve them (test/e2e, real hostnames).
 * - Entries added by issue 14 carry a `// source:` line with the page consulted.
 * Hosts deliberately left out, for now: Papago, Discord, X, Facebook / Messenger, LINE, Evernote, Typeform,
 * データ便, おくりん坊, Google 翻訳 (no page of the service's own naming its web host was at hand: the pages
 * found were third-party proxy rule lists and how-to blogs, which this file does not take as sources),
 * Slack, GitHub itself and Microsoft Forms (commonly a company's sanctioned tenant, and one web host serves
 * every workspace, so an `allow` entry could not tell the company's from a free one: guard them by policy
 * `services` where they are not sanctioned).
 */
import type { Service } from './types.js';

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

/** Code and paste sites: text pasted there is published. */
const CODE_PASTE: Service[] = [
  { id: 'pastebin', name: 'Pastebin', category: 'sharing', hosts: ['*.pastebin.com'] },
  { id: 'paste-ee', name: 'Paste.ee', category: 'sharing', hosts: ['*.paste.ee'] },
  { id: 'hastebin', name: 'Hastebin', category: 'sharing', hosts: ['*.hastebin.com', 'hastebin.skyra.pw'] },
  { id: 'dpaste', name: 'dpaste', category: 'sharing', hosts: ['*.dpaste.org', '*.dpaste.com'] },
  { id: 'justpaste', name: 'JustPaste.it', category: 'sharing', hosts: ['*.justpaste.it'] },
  { id: 'rentry', name: 'Rentry', category: 'sharing', hosts: ['*.rentry.co', '*.rentry.org'] },
  { id: 'controlc', name: 'ControlC', category: 'sharing', hosts: ['*.controlc.com'] },
  { id: 'privatebin', name: 'PrivateBin', category: 'sharing', hosts: ['*.privatebin.net'] },
  // source: GitHub Docs, "About gists" (https://help.github.com/en/articles/about-gists): gists are created
  // and shared on gist.github.com; secret gists are reachable by anyone with the URL.
  { id: 'github-gist', name: 'GitHub Gist', category: 'sharing', hosts: ['gist.github.com'] },
];

/** Translation sites: a document or text given to them leaves the company. */
const TRANSLATION: Service[] = [
  // source: DeepL Help Center, "Translating entire PDF files"
  // (https://support.deepl.com/hc/zh-cn/articles/4408150502802, also /hc/pl/…): the free DeepL Translator
  // takes uploaded PDF files; the help centre is DeepL's own, on deepl.com.
  { id: 'deepl', name: 'DeepL 翻訳', category: 'sharing', hosts: ['deepl.com', 'www.deepl.com'] },
];

/** Chat and social services with a web client that takes attachments. */
const CHAT: Service[] = [
  // source: WhatsApp's announcement of WhatsApp Web (2015, "open https://web.whatsapp.com in your browser"),
  // as reproduced at http://www.webzin.info/now-whatsapp-available-web.html.
  { id: 'whatsapp-web', name: 'WhatsApp Web', category: 'sharing', hosts: ['web.whatsapp.com'] },
  // source: the Telegram Web client's own README (github.com/zhukov/webogram, mirrored e.g. at
  // github.com/michaelowens/webogram): "Online Web-version (hosted on Telegram servers) https://web.telegram.org/".
  { id: 'telegram-web', name: 'Telegram Web', category: 'sharing', hosts: ['web.telegram.org'] },
];

/** Note and form services: a page or a form answer there is stored by the service and shareable by link. */
const NOTES: Service[] = [
  // source: Notion Help Center, "Network control" (https://www.notion.com/help/network-control, read at
  // /zh-cn/help/network-control): admins restrict workspaces by intercepting "traffic to notion.so", where
  // the web app runs. (Google Forms is on docs.google.com, listed above.)
  { id: 'notion', name: 'Notion', category: 'sharing', hosts: ['notion.so', 'www.notion.so'] },
];

/** More file-transfer services. */
const TRANSFER: Service[] = [
  // source: Smash terms (https://about.fromsmash.com/terms-policies: "accessible at the URL https://fromsmash.com")
  // and help centre (https://fromsmash.com/help/articles/13906163): files are sent from fromsmash.com.
  { id: 'smash', name: 'Smash', category: 'sharing', hosts: ['fromsmash.com'] },
  // source: TransferNow Help Center (https://support.transfernow.net/en/category/accounts-and-subscriptions-eb6h47):
  // the service's own help for sending files from its home page on transfernow.net (free and paid accounts).
  { id: 'transfernow', name: 'TransferNow', category: 'sharing', hosts: ['transfernow.net', 'www.transfernow.net'] },
];

/** More GenAI services. */
const GENAI_MORE: Service[] = [
  // source: NotebookLM Help (https://support.google.com/notebooklm/answer/14276468): sources are PDFs,
  // Google Docs and pasted text uploaded to the notebook.
  { id: 'notebooklm', name: 'NotebookLM', category: 'genai', hosts: ['notebooklm.google.com'] },
];

export const DEFAULT_SERVICES: readonly Service[] = Object.freeze([
  ...WEBMAIL,
  ...SHARING,
  ...TRANSFER,
  ...CODE_PASTE,
  ...TRANSLATION,
  ...CHAT,
  ...NOTES,
  ...GENAI,
  ...GENAI_MORE,
]);
