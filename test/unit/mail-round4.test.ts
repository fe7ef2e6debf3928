/**
 * Mail read as what it is (test/fixtures/mail/round4/README.md): a mail quoting a PDF's objects, a header
 * block longer than the first KiB, an attachment name with a blank before it, an MMDF box with CRLF line
 * ends; header fields read apart; a text that is also a PDF's objects read both ways.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { scanBlob } from '../../src/detect/index.js';

const DIR = join(__dirname, '../fixtures/mail/round4');
const scan = (name: string) => scanBlob(new Blob([readFileSync(join(DIR, name))]), name);
const files = readdirSync(DIR).filter((n) => !/\.(py|md)$/.test(n));
const isTrap = (n: string) => /-trap\b/.test(n);

describe('mail shapes of red team mail4', () => {
  it.each(files.filter((n) => !isTrap(n)))('%s is marked', async (name) => {
    expect(await scan(name)).toMatchObject({ verdict: 'marked' });
  });

  it.each(files.filter(isTrap))('%s is clean', async (name) => {
    expect(await scan(name)).toMatchObject({ verdict: 'clean' });
  });

  it('reads each as its kind: the mails as mail, the box as a mailbox, the diff as text and a PDF', async () => {
    expect(await scan('pdf-objects-body-stamp.eml')).toMatchObject({ format: 'eml', rule: 1 });
    expect(await scan('long-first-header-name')).toMatchObject({ format: 'eml', rule: 2 });
    expect(await scan('name-leading-blank-stamp.eml')).toMatchObject({ rule: 2, excerpt: '秘—plan.txt' });
    expect(await scan('mmdf-crlf-stamp.mmdf')).toMatchObject({ format: 'mbox', rule: 1 });
    expect(await scan('pdf-context-stamp.diff')).toMatchObject({ format: 'text-pdf', rule: 1 });
  });
});
