import { describe, expect, it } from 'vitest';
import { scanText } from '../../src/detect/index.js';
import { MAY_HOLD_STAMP, urlText } from '../../src/guard/url-text.js';

const marked = (url: string) => scanText(urlText(url)).verdict === 'marked';

describe('urlText: the text a URL carries to its server', () => {
  it('finds the stamp in queries and paths, however it is escaped', () => {
    for (const url of [
      'https://chatgpt.com/suggest?q=秘 Confidential',
      'https://chatgpt.com/suggest?q=%E7%A7%98+Confidential',
      'https://chatgpt.com/suggest?q=%E7%A7%98%20confidential&x=1',
      '/complete/search/%E7%A7%98%20CONFIDENTIAL',
      '/s?q=%25E7%25A7%2598%2520Confidential', // encoded twice
      '/s?bad=%E0%A4%A&q=%E7%A7%98+Confidential', // one malformed escape does not hide the rest
      'https://x/?%E3%8A%99Confidential', // ㊙ in a bare key
    ]) {
      expect(MAY_HOLD_STAMP.test(url), url).toBe(true);
      expect(marked(url), url).toBe(true);
    }
  });

  it('leaves clean text, fragments and local URLs alone', () => {
    expect(marked('https://x/s?q=%E7%A7%98%E6%9B%B8%E5%AE%A4')).toBe(false); // 秘書室
    expect(marked('https://x/s?a=%E7%A7%98&b=Confidential')).toBe(false); // two fields, not one text
    expect(urlText('https://x/page#秘 Confidential')).toBe('https://x/page'); // the fragment is not sent
    expect(urlText('data:text/plain,秘 Confidential')).toBe('');
    expect(urlText('blob:https://x/1234')).toBe('');
    expect(urlText('/a%2Bb?q=a+b%2Bc')).toBe('/a+b\nq=a b+c');
  });

  it('the prefilter passes plain ASCII URLs without decoding', () => {
    expect(MAY_HOLD_STAMP.test('https://cdn.example.com/img/logo.png?v=3&size=48')).toBe(false);
    expect(MAY_HOLD_STAMP.test('/s?q=%41%42')).toBe(false);
  });
});
