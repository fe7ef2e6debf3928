/**
 * OLE property sets (\x05SummaryInformation, \x05DocumentSummaryInformation): every string value
 * (title, subject, author, keywords, comments, company, custom properties…) and custom property
 * names from the dictionary, decoded in the set's code page (property 1; 932 → Shift_JIS).
 */

export interface PropString {
  /** Property name when known (`title`, a custom property's name, or `#id`). */
  name: string;
  value: string;
}

const SUMMARY_NAMES: Record<number, string> = {
  2: 'title',
  3: 'subject',
  4: 'author',
  5: 'keywords',
  6: 'comments',
  7: 'template',
  8: 'lastAuthor',
  18: 'appName',
};
const DOCSUMMARY_NAMES: Record<number, string> = { 2: 'category', 14: 'manager', 15: 'company', 26: 'contentType', 27: 'contentStatus' };

const CP_LABELS: Record<number, string> = {
  932: 'shift_jis',
  936: 'gbk',
  949: 'euc-kr',
  950: 'big5',
  20932: 'euc-jp',
  50220: 'iso-2022-jp',
  51932: 'euc-jp',
  65001: 'utf-8',
  1200: 'utf-16le',
  1201: 'utf-16be',
  10000: 'macintosh',
  28591: 'iso-8859-1',
};

/** A decoder for a Windows code page number (windows-1252 when unknown). */
export function codepageDecoder(cp: number): TextDecoder {
  const label = CP_LABELS[cp] ?? (cp >= 874 && cp <= 1258 ? `windows-${cp}` : 'windows-1252');
  try {
    return new TextDecoder(label);
  } catch {
    return new TextDecoder('windows-1252');
  }
}

const clean = (s: string) => s.replace(/\0+$/, '').replace(/\0/g, ' ');

export function readPropertySets(b: Uint8Array, summary: boolean): PropString[] {
  const out: PropString[] = [];
  if (b.length < 48) return out;
  const dv = new DataView(b.buffer, b.byteOffset, b.byteLength);
  const u32 = (o: number) => (o >= 0 && o + 4 <= b.length ? dv.getUint32(o, true) : 0);
  if (dv.getUint16(0, true) !== 0xfffe) return out;
  const nSets = Math.min(u32(24), 4);
  for (let k = 0; k < nSets; k++) {
    const setOff = u32(28 + k * 20 + 16);
    if (setOff + 8 > b.length) continue;
    const nProps = Math.min(u32(setOff + 4), 4096);
    const props: { id: number; off: number }[] = [];
    for (let i = 0; i < nProps; i++) {
      const id = u32(setOff + 8 + i * 8);
      const off = setOff + u32(setOff + 12 + i * 8);
      if (off + 4 > b.length) continue;
      props.push({ id, off });
    }
    let cp = 1252;
    const cpProp = props.find((p) => p.id === 1);
    if (cpProp && u32(cpProp.off) === 2) cp = dv.getUint16(cpProp.off + 4, true);
    const dec = codepageDecoder(cp);
    const wide = cp === 1200;
    const names = new Map<number, string>();
    const dict = props.find((p) => p.id === 0);
    if (dict) {
      // Dictionary: count, then (propid, cch, name) entries; names are 4-byte aligned in Unicode sets.
      let o = dict.off;
      const n = Math.min(u32(o), 4096);
      o += 4;
      for (let i = 0; i < n && o + 8 <= b.length; i++) {
        const id = u32(o);
        const cch = u32(o + 4);
        o += 8;
        const len = wide ? cch * 2 : cch;
        if (len > b.length - o) break;
        names.set(id, clean(wide ? new TextDecoder('utf-16le').decode(b.subarray(o, o + len)) : dec.decode(b.subarray(o, o + len))));
        o += len;
        if (wide) o = (o + 3) & ~3;
      }
    }
    const fixed = summary && k === 0 ? SUMMARY_NAMES : !summary && k === 0 ? DOCSUMMARY_NAMES : {};
    const nameOf = (id: number) => names.get(id) ?? fixed[id] ?? `#${id}`;
    for (const d of names.values()) if (d) out.push({ name: 'property name', value: d });

    const str = (o: number, type: number): { s: string; next: number } | null => {
      const cch = u32(o);
      if (type === 0x1e) {
        const len = wide ? cch * 2 : cch;
        if (len > b.length - o - 4) return null;
        const raw = b.subarray(o + 4, o + 4 + len);
        return { s: clean(wide ? new TextDecoder('utf-16le').decode(raw) : dec.decode(raw)), next: (o + 4 + len + 3) & ~3 };
      }
      if (type === 0x1f) {
        if (cch * 2 > b.length - o - 4) return null;
        return { s: clean(new TextDecoder('utf-16le').decode(b.subarray(o + 4, o + 4 + cch * 2))), next: (o + 4 + cch * 2 + 3) & ~3 };
      }
      return null;
    };

    for (const p of props) {
      if (p.id === 0 || p.id === 1) continue;
      const type = u32(p.off);
      const vals: string[] = [];
      if (type === 0x1e || type === 0x1f) {
        const r = str(p.off + 4, type);
        if (r) vals.push(r.s);
      } else if (type === 0x101e || type === 0x101f || type === 0x100c) {
        const n = Math.min(u32(p.off + 4), 4096);
        let o = p.off + 8;
        for (let i = 0; i < n && o < b.length; i++) {
          let t = type & 0xfff;
          if (t === 0x0c) {
            t = u32(o);
            o += 4;
            if (t === 0x03 || t === 0x02 || t === 0x0b) {
              o += 4;
              continue;
            }
          }
          if (t !== 0x1e && t !== 0x1f) break;
          const r = str(o, t);
          if (!r) break;
          vals.push(r.s);
          o = r.next;
        }
      }
      for (const v of vals) if (v.trim()) out.push({ name: nameOf(p.id), value: v });
    }
  }
  return out;
}
