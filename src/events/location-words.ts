/**
 * An event's location (location.ts) put back together and said in words for the admin, as the employee's
 * dialog said it (src/detect/describe.ts): 「2023年度.zip の中の 引継ぎメモ.docx のヘッダー」, 「3ページ目」,
 * 「シート「売上」のセル B2」. The container's part stays in the event (the API and NDJSON export carry it),
 * not in the words. An event from an older extension (`2023年度.zip › word/header1.xml`, no keys) reads
 * as the names it holds.
 */
import { describeLocation, type Lang } from '../detect/describe.js';
import type { Location } from '../detect/types.js';

const QUALIFIER = /^(part|page|sheet|table|slide|area)=([\s\S]*)$/;

export function locationFromText(text: string): Location {
  const loc: Location = { path: [] };
  for (const seg of text.split(' › ')) {
    const m = QUALIFIER.exec(seg);
    if (!m) loc.path.push(seg);
    else if (m[1] === 'part') loc.part = m[2];
    else if (m[1] === 'area') loc.area = m[2];
    else if (m[1] === 'table') loc.table = m[2];
    else if (m[1] === 'page' && /^\d+$/.test(m[2])) loc.page = Number(m[2]);
    else if (m[1] === 'slide' && /^\d+(?::notes)?$/.test(m[2])) {
      loc.slide = parseInt(m[2], 10);
      if (m[2].endsWith(':notes')) loc.notes = true;
    } else if (m[1] === 'sheet') {
      const bang = m[2].lastIndexOf('!');
      const sheet = bang < 0 ? m[2] : m[2].slice(0, bang);
      if (sheet) loc.sheet = sheet;
      if (bang >= 0) loc.cell = m[2].slice(bang + 1);
    } else loc.path.push(seg);
  }
  return loc;
}

/** The location an event carries, in the admin's words; '' for none. */
export function locationWords(text: string | null | undefined, lang: Lang): string {
  return text ? describeLocation(locationFromText(text), lang) : '';
}
