import { describe, expect, it } from 'vitest';
import { defaultPolicy, findService, guardMatchPatterns, hostMatches, isHostPattern, mergePolicy, pageOrigin } from '../../src/policy/index.js';

const p = defaultPolicy();
const id = (url: string) => findService(p, url)?.id ?? null;

describe('host patterns', () => {
  it('*.x matches x and every subdomain, like Chrome match patterns', () => {
    expect(hostMatches('*.gigafile.nu', 'gigafile.nu')).toBe(true);
    expect(hostMatches('*.gigafile.nu', '46.gigafile.nu')).toBe(true);
    expect(hostMatches('*.gigafile.nu', 'a.b.gigafile.nu')).toBe(true);
    expect(hostMatches('*.gigafile.nu', 'evilgigafile.nu')).toBe(false);
    expect(hostMatches('*.gigafile.nu', 'gigafile.nu.evil.com')).toBe(false);
  });
  it('a plain host matches only itself, case- and trailing-dot-insensitively', () => {
    expect(hostMatches('mail.google.com', 'MAIL.Google.com.')).toBe(true);
    expect(hostMatches('mail.google.com', 'x.mail.google.com')).toBe(false);
  });
  it('validates patterns', () => {
    for (const ok of ['example.com', '*.example.com', '46.gigafile.nu', 'xn--eckwd4c7c.xn--zckzah', 'localhost']) expect(isHostPattern(ok), ok).toBe(true);
    for (const bad of ['*', '*.', 'https://x.com', 'x.com/path', 'x.com:8080', 'a.*.com', '*example.com', 'Example.com', '-x.com', '']) {
      expect(isHostPattern(bad), bad).toBe(false);
    }
  });
});

describe('shipped services by page URL', () => {
  it.each([
    ['https://mail.yahoo.co.jp/', 'yahoo-japan-mail'],
    ['https://jp.mail.yahoo.co.jp/compose', 'yahoo-japan-mail'],
    ['https://mail.yahoo.com/d/folders/1', 'yahoo-mail'],
    ['https://mail.google.com/mail/u/0/#inbox', 'gmail'],
    ['https://outlook.live.com/mail/0/', 'outlook-com'],
    ['https://www.icloud.com/mail/', 'icloud-mail'],
    ['https://www.icloud.com/iclouddrive/', 'icloud-drive'],
    ['https://mail.aol.com/', 'aol-mail'],
    ['https://mail.proton.me/u/0/inbox', 'proton-mail'],
    ['https://navigator.gmx.net/', 'gmx'],
    ['https://mail.yandex.ru/', 'yandex-mail'],
    ['https://e.mail.ru/inbox/', 'mail-ru'],
    ['https://cloud.mail.ru/home/', 'cloud-mail-ru'],
    ['https://wx.mail.qq.com/', 'qq-mail'],
    ['https://mail.163.com/', 'netease-mail'],
    ['https://mail.126.com/', 'netease-mail'],
    ['https://drive.google.com/drive/my-drive', 'google-drive'],
    ['https://docs.google.com/spreadsheets/d/x/edit', 'google-docs'],
    ['https://docs.google.com/forms/d/e/x/viewform', 'google-docs'],
    ['https://www.dropbox.com/home', 'dropbox'],
    ['https://app.box.com/folder/0', 'box'],
    ['https://onedrive.live.com/?id=root', 'onedrive-personal'],
    ['https://wetransfer.com/', 'wetransfer'],
    ['https://we.tl/t-abc', 'wetransfer'],
    ['https://gigafile.nu/', 'gigafile'],
    ['https://46.gigafile.nu/upload', 'gigafile'],
    ['https://108.gigafile.nu/', 'gigafile'],
    ['https://xgf.nu/abc', 'gigafile'],
    ['https://firestorage.jp/', 'firestorage'],
    ['https://firestorage.com/', 'firestorage'],
    ['https://mega.nz/', 'mega'],
    ['https://www.mediafire.com/', 'mediafire'],
    ['https://pastebin.com/', 'pastebin'],
    ['https://paste.ee/', 'paste-ee'],
    ['https://hastebin.com/', 'hastebin'],
    ['https://chatgpt.com/', 'chatgpt'],
    ['https://chat.openai.com/', 'chatgpt'],
    ['https://gemini.google.com/app', 'gemini'],
    ['https://claude.ai/new', 'claude'],
    ['https://copilot.microsoft.com/', 'copilot'],
    ['https://www.perplexity.ai/', 'perplexity'],
    ['https://chat.deepseek.com/', 'deepseek'],
  ])('%s → %s', (url, expected) => {
    expect(id(url)).toBe(expected);
  });

  it('leaves other sites, business Microsoft 365 and non-web URLs alone', () => {
    for (const url of [
      'https://example.com/',
      'https://www.google.com/search?q=x',
      'https://outlook.office.com/mail/',
      'https://acme.sharepoint.com/',
      'https://notgigafile.nu/',
      'chrome://settings',
      'about:blank',
      'not a url',
    ]) {
      expect(id(url), url).toBeNull();
    }
  });

  it('covers every required category', () => {
    const cats = new Set(p.services.map((s) => s.category));
    expect([...cats].sort()).toEqual(['genai', 'sharing', 'webmail']);
  });

  it('has unique ids and valid host patterns', () => {
    const ids = p.services.map((s) => s.id);
    expect(new Set(ids).size).toBe(ids.length);
    for (const s of p.services) for (const h of s.hosts) expect(isHostPattern(h), `${s.id}: ${h}`).toBe(true);
  });
});

describe('allow list (a company tenant)', () => {
  const acme = mergePolicy({ allow: ['acme.box.com', '*.acme.app.box.com'] });
  it('un-guards exactly the allowed hosts', () => {
    expect(findService(acme, 'https://acme.box.com/folder/1')).toBeNull();
    expect(findService(acme, 'https://acme.app.box.com/')).toBeNull();
    expect(findService(acme, 'https://x.acme.app.box.com/')).toBeNull();
    expect(findService(acme, 'https://app.box.com/')?.id).toBe('box');
    expect(findService(acme, 'https://evil.box.com/')?.id).toBe('box');
  });
  it('becomes excludeMatches for the guard registration', () => {
    const { matches, excludeMatches } = guardMatchPatterns(acme);
    expect(matches).toContain('*://*.box.com/*');
    expect(matches).toContain('*://*.gigafile.nu/*');
    expect(excludeMatches).toEqual(['*://*.acme.app.box.com/*', '*://acme.box.com/*']);
  });
});

describe('pageOrigin', () => {
  it('drops path and query', () => {
    expect(pageOrigin('https://mail.google.com/mail/u/0/?token=secret#inbox')).toBe('https://mail.google.com');
    expect(pageOrigin('about:blank')).toBeNull();
  });
});
