/**
 * ODF form controls (test/fixtures/form-controls): LibreOffice keeps what a text box, label, button,
 * check box, group box or combo box shows in attributes of office:forms (form:current-value,
 * form:label), not in paragraphs; they are read as text. A value never shown (a check box's
 * form:value, a password box's) is not.
 */
import { readFileSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { scanBlob } from '../../src/detect/index.js';

const DIR = join(__dirname, '../fixtures/form-controls');
const bytes = (name: string) => readFileSync(join(DIR, name));
const scan = (name: string) => scanBlob(new Blob([bytes(name)]), name);
const scanText = (flat: string, name = 'x.fodt') => scanBlob(new Blob([flat]), name);

const FILES = readdirSync(DIR).filter((n) => /\.f?od[tsp]$/.test(n));
const MARKED = FILES.filter((n) => !n.includes('-twin'));
const TWINS = FILES.filter((n) => n.includes('-twin'));

describe('ODF form controls', () => {
  it('has a twin for each marked file', () => {
    expect(MARKED.length).toBeGreaterThanOrEqual(12);
    expect(TWINS.map((n) => n.replace('-twin', '')).sort()).toEqual([...MARKED].sort());
  });

  it.each(MARKED)('%s → marked (rule 1)', async (name) => {
    expect(await scan(name)).toMatchObject({ verdict: 'marked', rule: 1 });
  });

  it.each(TWINS)('%s (秘書室 Confidential) → clean', async (name) => {
    expect(await scan(name)).toMatchObject({ verdict: 'clean' });
  });

  const button = bytes('lo-writer-button.fodt').toString('utf8');
  const checkbox = button.replace('<form:button ', '<form:checkbox ').replace('</form:button>', '</form:checkbox>');

  it('a list box shows its entries and a control its tooltip', async () => {
    const list = button.replace(/<form:button [^>]*>[\s\S]*?<\/form:button>/, '<form:listbox form:name="L"><form:option form:label="公開"/><form:option form:label="秘 Confidential"/></form:listbox>');
    expect(list).toContain('<form:listbox');
    expect(await scanText(list)).toMatchObject({ verdict: 'marked' });
    expect(await scanText(button.replace('form:label="秘 Confidential"', 'form:label="送信" form:title="秘 Confidential"'))).toMatchObject({ verdict: 'marked' });
  });

  it("a check box's value, a text box's default and a password are not shown (LibreOffice 7.4 shows none of them)", async () => {
    expect(await scanText(checkbox)).toMatchObject({ verdict: 'marked' });
    expect(await scanText(checkbox.replace('form:label="秘 Confidential"', 'form:label="同意" form:value="秘 Confidential"'))).toMatchObject({ verdict: 'clean' });
    const password = button.replace(/<form:button [^>]*>[\s\S]*?<\/form:button>/, '<form:password form:name="P" form:value="秘 Confidential"/>');
    expect(await scanText(password)).toMatchObject({ verdict: 'clean' });
    const text = button.replace(/<form:button [^>]*>[\s\S]*?<\/form:button>/, '<form:text form:name="T" form:value="秘 Confidential"/>');
    expect(await scanText(text)).toMatchObject({ verdict: 'clean' });
  });
});
