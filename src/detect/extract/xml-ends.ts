/**
 * Whether an XML part of an Office or OpenDocument package is whole: it starts as markup and ends with its
 * root element's end tag. A part cut short (a copy interrupted, a part rewritten by a tool that failed
 * half-way) or overwritten with other bytes still inflates without error, and read as it stands it gave
 * the text before the cut and nothing more: clean. Word and LibreOffice refuse such a document (Excel
 * offers to repair a workbook): its text past the cut is not read here either, so it is damaged.
 * Its middle is checked as it goes by for what makes it not well-formed (xml-syntax.ts).
 */
import { XmlSyntax } from './xml-syntax.js';
import { asciiOnly } from '../bytes.js';

/** Bytes kept of a part's start (its declaration, comments and root start tag) and of its end. */
const HEAD = 4096;
const TAIL = 512;

// What may stand before the root element: a byte-order mark, blanks, the XML declaration and other
// processing instructions, comments, a document type declaration.
const PROLOG = /^\uFEFF?(?:\s|<\?(?:[^?]|\?(?!>))*\?>|<!--(?:[^-]|-(?!->))*-->|<!DOCTYPE[^<>]*>)*/;
const ROOT = /^<([^\s/>!?]+)/;
/** A root start tag that closes itself: its attributes (no `<` in them or in a value), then `/>`. */
const SELF_CLOSING_ROOT = /^<[^\s/>!?]+(?:[^<>"']|"[^"<]*"|'[^'<]*')*\/>/;

/** Collects a part's first and last bytes as it is read or streamed, and tells whether the part was whole. */
export class XmlEnds {
  private head: Uint8Array = new Uint8Array(0);
  private tail: Uint8Array = new Uint8Array(0);
  private total = 0;
  /** Null for a UTF-16 part (rare; not checked byte-wise). */
  private syntax: XmlSyntax | null = new XmlSyntax();
  /**
   * A UTF-8 part's bytes must be UTF-8: a byte flipped in a character (or one written in another encoding)
   * is a fatal error to Word, Excel and LibreOffice, and the readers here took it as U+FFFD, which may stand
   * between a 秘 and its Confidential. Null once one is found, or for a UTF-16 part.
   */
  private utf8: TextDecoder | null = new TextDecoder('utf-8', { fatal: true });
  private notUtf8: number | null = null;
  private nonAscii = false;

  readonly push = (chunk: Uint8Array): void => {
    if (this.total === 0 && chunk.length >= 2 && ((chunk[0] === 0xff && chunk[1] === 0xfe) || (chunk[0] === 0xfe && chunk[1] === 0xff))) {
      this.syntax = null;
      this.utf8 = null;
    }
    this.syntax?.push(chunk);
    // ASCII is UTF-8 and leaves the decoder between characters: only from the first other byte on is it asked.
    // The syntax check notes that byte as it reads every byte; once it stops reading, asciiOnly looks.
    if (this.utf8 && (this.nonAscii ||= this.syntax?.reading() ? this.syntax.nonAscii : !asciiOnly(chunk))) {
      try {
        this.utf8.decode(chunk, { stream: true });
      } catch {
        this.notUtf8 = this.total;
        this.utf8 = null;
      }
    }
    if (this.head.length < HEAD) this.head = join(this.head, chunk.subarray(0, HEAD - this.head.length));
    this.total += chunk.length;
    this.tail = chunk.length >= TAIL ? chunk.slice(chunk.length - TAIL) : join(this.tail, chunk).slice(-TAIL);
  };

  /** Why the part is not whole, well-formed markup, or null (also for an empty part, which holds no text to lose). */
  damage(): string | null {
    return this.ends() ?? this.syntax?.damage() ?? this.encoding();
  }

  /** Why a UTF-8 part's bytes are not UTF-8, or null; also null when its declaration names another encoding. */
  private encoding(): string | null {
    if (this.notUtf8 === null) return null;
    const declared = /^\uFEFF?<\?xml\b[^>]*\bencoding\s*=\s*["']([^"']+)["']/.exec(new TextDecoder('latin1').decode(this.head.subarray(0, 200)))?.[1];
    if (declared && !/^utf-?8$/i.test(declared)) return null;
    return `it is not well-formed XML: bytes that are no UTF-8 character in the chunk from byte ${this.notUtf8}`;
  }

  private ends(): string | null {
    const utf16 = this.head[0] === 0xff && this.head[1] === 0xfe ? 'utf-16le' : this.head[0] === 0xfe && this.head[1] === 0xff ? 'utf-16be' : null;
    // A UTF-16 tail is decoded from an even offset of the part.
    const tail = utf16 && (this.total - this.tail.length) % 2 ? this.tail.subarray(1) : this.tail;
    const decoder = new TextDecoder(utf16 ?? 'utf-8');
    const head = decoder.decode(this.head);
    if (/^\uFEFF?\s*$/.test(head)) return null;
    const start = head.slice(PROLOG.exec(head)?.[0].length ?? 0);
    const root = ROOT.exec(start)?.[1];
    if (!root) {
      if (start && !start.startsWith('<')) return 'it is not XML (its bytes were overwritten?)';
      // A prolog longer than the bytes kept says nothing either way; but a part kept whole that ends inside
      // its declaration, or just after it, has no root element: a part cut before its first tag.
      return this.total <= HEAD ? 'it ends before its root element starts (cut short)' : null;
    }
    // After the root element only blanks, comments and processing instructions may follow; a writer's
    // padding of NULs is taken as blanks.
    const end = new TextDecoder(utf16 ?? 'utf-8').decode(tail).replace(/[\s\0]+$/, '');
    if (end.endsWith('-->') || end.endsWith('?>')) return null;
    // A root element that closes itself (`<Properties …/>`, an empty part) is the whole document; so may
    // be one whose start tag runs past the bytes kept.
    if ((SELF_CLOSING_ROOT.test(start) || !start.includes('>')) && end.endsWith('/>')) return null;
    return new RegExp(`</${root.replace(/[.]/g, '\\.')}\\s*>$`).test(end) ? null : `it ends before its root element <${root}> closes (cut short)`;
  }
}

const join = (a: Uint8Array, b: Uint8Array): Uint8Array<ArrayBuffer> => {
  const out = new Uint8Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
};
