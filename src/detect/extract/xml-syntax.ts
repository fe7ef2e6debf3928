/**
 * Whether an XML part of an Office or OpenDocument package is well-formed in the ways that change what
 * is read, checked byte by byte as the part is read or streamed (never held, never parsed a second time):
 *  - every end tag closes the element open at that point (`</w:sdtContent>` → `</w:setContent>`, `</rov>`),
 *  - every attribute has a quoted value (`string=秘 Confidential"` lost its opening quote),
 *  - no `<` inside a tag or an attribute value, no `<` that starts no tag,
 *  - every prefix of an element or attribute is declared (`<ns0:r>` → `<os0:r>`),
 *  - every `&` starts a reference XML defines (`&amp;`, `&#x79D8;`; not `& `, `&bogus;`, `&#xD800;`), and no NUL
 *    stands inside the root element, nor inside a tag or an attribute value (a byte flipped to `&` or NUL,
 *    an `&amp;` damaged).
 * Word and LibreOffice (and expat) refuse a part with any of these; the readers here are lenient, and such
 * a byte silently changed what they took from the part: an attribute lost with its element, a hidden or
 * deleted run's text joined to the visible text, a cell or a field lost, a character between 秘 and its
 * Confidential. The part is damaged instead. Nor what follows the root is checked here (xml-ends.ts).
 * A part with a document type declaration (none of Office's or OpenDocument's) is not checked.
 * It also notes a byte of 0x80 or more (`nonAscii`) as it reads every byte: until one, a UTF-8 check of the
 * part (xml-ends.ts) has nothing to decode, and a pass of its own only to learn that had cost ~10 ms of a
 * 56 MB sheet.
 */

const enum S {
  Text,
  Lt,
  StartName,
  InTag,
  AttrName,
  AttrEq,
  AttrQuote,
  AttrValue,
  AfterAttr,
  Empty,
  EndName,
  EndBlank,
  Bang,
  Comment,
  CData,
  Pi,
  Ref,
  Off,
}

const LT = 0x3c;
const GT = 0x3e;
const SLASH = 0x2f;
const EQ = 0x3d;
const COLON = 0x3a;
const QUOT = 0x22;
const APOS = 0x27;
const AMP = 0x26;
const SEMI = 0x3b;

/** Byte classes: 0 a name's byte, 1 a blank, 2 a byte that ends a name (or may not stand in one). */
const CLASS = new Uint8Array(256);
for (const b of [0x20, 0x0a, 0x0d, 0x09]) CLASS[b] = 1;
// A NUL too: inside a tag it ends a name, and is reported (a byte flipped to NUL in `t="s"` changed a cell's type).
for (const b of [GT, SLASH, LT, EQ, QUOT, APOS, 0]) CLASS[b] = 2;
/** Bytes of text that the Text loop stops at: 1 `<`, 2 `&` (a reference), 3 NUL, 4 a byte that is not ASCII. */
const TEXT = new Uint8Array(256).fill(4, 0x80);
TEXT[LT] = 1;
TEXT[AMP] = 2;
TEXT[0] = 3;
/** The name loop's: CLASS, with the bytes that are not ASCII apart (4: a name's too). */
const NAME = CLASS.slice().fill(4, 0x80);
/** Bytes of an attribute's value the loops stop at: 1 `<`, `&` or NUL, 2 a quote (its own ends the value), 3 not ASCII. */
const VALUE = new Uint8Array(256).fill(3, 0x80);
VALUE[LT] = VALUE[AMP] = VALUE[0] = 1;
VALUE[QUOT] = VALUE[APOS] = 2;
/** Bytes a reference may hold between `&` and `;`: a name's ASCII letters and digits, `#`. */
const REF = new Uint8Array(256);
for (let b = 0; b < 128; b++) if (/[A-Za-z0-9#]/.test(String.fromCharCode(b))) REF[b] = 1;
/** The entities XML defines without a document type (one with a DTD is not checked). */
const PREDEFINED = new Set(['amp', 'lt', 'gt', 'quot', 'apos']);

/**
 * Why a reference (what stands between `&` and `;`) is not one XML allows, or null. An undefined entity or a
 * character XML forbids (a NUL, a lone surrogate) is a fatal error: Word, Excel and LibreOffice refuse the part.
 */
function refDamage(ref: string): string | null {
  if (PREDEFINED.has(ref)) return null;
  const m = /^#(?:x([0-9A-Fa-f]+)|([0-9]+))$/.exec(ref);
  if (!m) return `a reference to an entity XML does not define (&${ref};)`;
  const c = m[1] !== undefined ? parseInt(m[1], 16) : parseInt(m[2], 10);
  const ok = c === 0x9 || c === 0xa || c === 0xd || (c >= 0x20 && c <= 0xd7ff) || (c >= 0xe000 && c <= 0xfffd) || (c >= 0x10000 && c <= 0x10ffff);
  return ok ? null : `a character reference to a character XML forbids (&${ref};)`;
}

/** quickTag's: CLASS, with the colon apart (3), which it leaves to the state machine, as a name not in ASCII. */
const QUICK = CLASS.slice().fill(3, 0x80);
QUICK[0x3a] = 3;

const FNV = 0x811c9dc5;
const step = (h: number, b: number): number => Math.imul(h ^ b, 0x01000193) >>> 0;
const hashOf = (s: string): number => [...new TextEncoder().encode(s)].reduce(step, FNV);
const XML = hashOf('xml');
const XMLNS = hashOf('xmlns');
const NONE: readonly number[] = [];

export class XmlSyntax {
  private state = S.Text;
  private offset = 0;
  /** Hash of the name being read, of its prefix (up to its first colon; -1: none yet), and of what follows the prefix. */
  private name = FNV;
  private prefix = -1;
  private local = FNV;
  private quote = 0;
  /** Bytes matched of a terminator (`-->`, `]]>`, `?>`) or of the `opener` after `<!`. */
  private seen = 0;
  private opener = '';
  /** The open elements' name hashes, and the prefixes each declared (popped with it). */
  private readonly open: number[] = [];
  private readonly declared: (readonly number[])[] = [];
  /** Prefix hash → how many open elements declare it. */
  private readonly bound = new Map<number, number>();
  /** The start tag being read: its name, its prefix, the prefixes it declares and (`uses` of) those its attributes use. */
  private tagName = FNV;
  private tagPrefix = -1;
  private tagDeclares: number[] | null = null;
  private readonly tagUses: number[] = [];
  private uses = 0;
  private error: string | null = null;
  /** A reference being read (after its `&`), and the state it stands in (text or an attribute's value). */
  private ref = '';
  private refIn: S = S.Text;
  /** A byte of 0x80 or more was read. Every byte is read while `reading()`; once it is not, this says nothing of the rest. */
  nonAscii = false;

  /** Whether the check still reads every byte pushed: no damage found yet, no document type turned it off. */
  reading(): boolean {
    return this.error === null && this.state !== S.Off;
  }

  /**
   * One chunk of the part. A single loop over local state (this runs over every byte of every sheet:
   * a method call or a field write per byte made it as slow as reading the sheet itself).
   */
  readonly push = (chunk: Uint8Array): void => {
    if (this.error !== null || this.state === S.Off) return;
    // The tables as locals (as in quickTag): ~4 % of this loop on a 30 MB part of prefixed tags.
    const textClass = TEXT;
    const byteClass = CLASS;
    const nameClass = NAME;
    const valueClass = VALUE;
    let st: S = this.state;
    let h = this.name;
    let prefix = this.prefix;
    let local = this.local;
    let why: string | null = null;
    let high = false;
    const n = chunk.length;
    let i = 0;
    loop: for (; i < n; i++) {
      let b = chunk[i];
      switch (st) {
        case S.Text:
          // Text up to a tag; a whole tag with no prefix in it (most of a sheet's) is read in quickTag's
          // tight loops and the text after it looked at here, with no state switch per tag.
          text: for (;;) {
            let t;
            while ((t = textClass[b]) !== 1) {
              if (t === 4) high = true;
              else if (t === 2) {
                st = S.Ref; // the reference is read from the byte after its &
                this.ref = '';
                this.refIn = S.Text;
                break text;
              }
              // A NUL inside the root element (a writer's padding after it is taken as blanks: xml-ends.ts).
              else if (t === 3 && this.open.length) {
                why = 'a NUL byte in its text';
                break loop;
              }
              if (++i === n) break loop;
              b = chunk[i];
            }
            if (++i === n) {
              st = S.Lt;
              break loop;
            }
            b = chunk[i];
            const close = b === SLASH;
            if (!close && (byteClass[b] !== 0 || b === 0x21 || b === 0x3f)) {
              st = S.Lt; // `<!`, `<?`, or a < that starts no tag: read again there
              i--;
              break;
            }
            const past = close && i + 1 === n ? 0 : this.quickTag(chunk, close ? i + 1 : i, close);
            if (past === 0) {
              // The state machine reads the tag byte by byte, from its name's first byte.
              h = FNV;
              prefix = -1;
              local = FNV;
              if (close) st = S.EndName;
              else {
                st = S.StartName;
                i--;
              }
              break;
            }
            i = past;
            if (i === n) break loop;
            b = chunk[i];
          }
          break;
        case S.Lt:
          if (b === SLASH) {
            const past = i + 1 === n ? 0 : this.quickTag(chunk, i + 1, true);
            if (past > 0) {
              i = past - 1;
              st = S.Text;
              break;
            }
            st = S.EndName;
          } else if (b === 0x21 || b === 0x3f) {
            st = b === 0x21 ? S.Bang : S.Pi;
            this.seen = 0;
            break;
          } else if (byteClass[b] !== 0) {
            why = 'a < that starts no tag';
            break loop;
          } else {
            // A whole tag with no prefix in it (most of a sheet's): read in one tight loop, or else byte by byte.
            const past = this.quickTag(chunk, i, false);
            if (past > 0) {
              i = past - 1;
              st = S.Text;
              break;
            }
            st = S.StartName;
            i--; // the name's first byte
          }
          h = FNV;
          prefix = -1;
          local = FNV;
          break;
        case S.StartName:
        case S.AttrName:
        case S.EndName:
          // Most bytes of markup are names: hashed here, in one loop.
          for (let c; (c = nameClass[b]) === 0 || (c === 4 && (high = true)); ) {
            if (b === COLON && prefix === -1) prefix = h;
            else if (prefix !== -1) local = step(local, b);
            h = step(h, b);
            if (++i === n) break loop;
            b = chunk[i];
          }
          if (b === 0) {
            why = 'a NUL byte inside a tag';
            break loop;
          }
          if (st === S.StartName) {
            this.tagName = h;
            this.tagPrefix = prefix;
            this.tagDeclares = null;
            this.uses = 0;
            st = S.InTag;
            i--; // the byte after the name, read in the tag
          } else if (st === S.AttrName) {
            // `xmlns:p` declares p; `xmlns` the default namespace; any other prefix must be declared.
            if (prefix === XMLNS) (this.tagDeclares ??= []).push(local);
            else if (prefix !== -1) this.tagUses[this.uses++] = prefix;
            if (b === EQ) st = S.AttrQuote;
            else if (byteClass[b] === 1) st = S.AttrEq;
            else {
              why = 'an attribute without a value';
              break loop;
            }
          } else if (byteClass[b] === 1) st = S.EndBlank;
          else if (b !== GT) {
            why = 'an end tag with more than a name';
            break loop;
          } else if ((why = this.endTag(h))) break loop;
          else st = S.Text;
          break;
        case S.InTag:
        case S.AfterAttr:
          if (b === 0) {
            why = 'a NUL byte inside a tag';
            break loop;
          }
          if (byteClass[b] === 1) st = S.InTag;
          else if (b === GT) {
            if ((why = this.startTag(false))) break loop;
            st = S.Text;
          } else if (b === SLASH) st = S.Empty;
          else if (st === S.AfterAttr) {
            why = 'attributes not parted by a blank (a quote too many?)';
            break loop;
          } else if (byteClass[b] !== 0) {
            why = 'an attribute without a name';
            break loop;
          } else {
            st = S.AttrName;
            h = FNV;
            prefix = -1;
            local = FNV;
            i--;
          }
          break;
        case S.AttrEq:
          if (b === EQ) st = S.AttrQuote;
          else if (byteClass[b] !== 1) {
            why = 'an attribute without a value';
            break loop;
          }
          break;
        case S.AttrQuote:
          if (b === QUOT || b === APOS) {
            this.quote = b;
            st = S.AttrValue;
          } else if (byteClass[b] !== 1) {
            why = 'an attribute value without its opening quote';
            break loop;
          }
          break;
        case S.AttrValue: {
          const quote = this.quote;
          for (let v; (v = valueClass[b]) !== 1 && b !== quote; ) {
            if (v === 3) high = true;
            if (++i === n) break loop;
            b = chunk[i];
          }
          if (b === 0) {
            why = 'a NUL byte in an attribute value';
            break loop;
          }
          if (b === LT) {
            why = 'a < in an attribute value (a quote missing?)';
            break loop;
          }
          if (b === AMP) {
            st = S.Ref;
            this.ref = '';
            this.refIn = S.AttrValue;
            break;
          }
          st = S.AfterAttr;
          break;
        }
        case S.Ref:
          if (b === SEMI) {
            if ((why = refDamage(this.ref))) break loop;
            st = this.refIn;
          } else if (REF[b] === 0 || this.ref.length >= 16) {
            why = 'a & that starts no entity or character reference (an &amp; damaged?)';
            break loop;
          } else this.ref += String.fromCharCode(b);
          break;
        case S.Empty:
          if (b !== GT) why = 'a / inside a tag';
          else why = this.startTag(true);
          if (why) break loop;
          st = S.Text;
          break;
        case S.EndBlank:
          if (byteClass[b] === 1) break;
          if (b !== GT) why = 'an end tag with more than a name';
          else why = this.endTag(h);
          if (why) break loop;
          st = S.Text;
          break;
        case S.Bang:
          // `<!--` opens a comment, `<![CDATA[` a CDATA section; a document type turns the check off.
          if (this.seen === 0) {
            if (b === 0x44 /* D */) {
              st = S.Off;
              break loop;
            }
            this.opener = b === 0x2d ? '--' : b === 0x5b ? '[CDATA[' : '';
          }
          if (b !== this.opener.charCodeAt(this.seen)) {
            why = 'a <! that opens no comment, CDATA section or document type';
            break loop;
          }
          if (++this.seen === this.opener.length) {
            st = this.opener === '--' ? S.Comment : S.CData;
            this.seen = 0;
          }
          break;
        case S.Comment:
        case S.CData: {
          if (b >= 0x80) high = true;
          // `-->` or `]]>` ends it.
          const dash = st === S.Comment ? 0x2d : 0x5d;
          this.seen = b === dash ? Math.min(this.seen + 1, 2) : b === GT && this.seen === 2 ? 3 : 0;
          if (this.seen === 3) st = S.Text;
          break;
        }
        case S.Pi:
          if (b >= 0x80) high = true;
          this.seen = b === 0x3f ? 1 : b === GT && this.seen === 1 ? 2 : 0;
          if (this.seen === 2) st = S.Text;
          break;
      }
    }
    if (high) this.nonAscii = true;
    this.state = st;
    this.name = h;
    this.prefix = prefix;
    this.local = local;
    if (why) this.error = `it is not well-formed XML at byte ${this.offset + i}: ${why}`;
    this.offset += n;
  };

  /**
   * The start or end tag whose name begins at `i` (after its `<` or `</`), read at once when it lies
   * whole in `chunk` with no colon in it (no prefix to bind, nothing declared) and nothing to report:
   * the index past its `>`, else 0 (the state machine reads it and says what is wrong). Per byte this
   * is a compare or two instead of a state switch: a 56 MB sheet of empty rows took twice as long.
   */
  private quickTag(chunk: Uint8Array, i: number, end: boolean): number {
    // The tables as locals: looked up through the module's bindings they cost ~10 % of this loop on a 56 MB sheet.
    const quickClass = QUICK;
    const byteClass = CLASS;
    const valueClass = VALUE;
    const n = chunk.length;
    let h = FNV;
    let b = chunk[i];
    let c;
    while ((c = quickClass[b]) === 0) {
      h = step(h, b);
      if (++i === n) return 0;
      b = chunk[i];
    }
    if (c === 3) return 0;
    if (end) {
      while (byteClass[b] === 1) {
        if (++i === n) return 0;
        b = chunk[i];
      }
      return b === GT && this.open[this.open.length - 1] === h && !this.endTag(h) ? i + 1 : 0;
    }
    for (;;) {
      let blank = false;
      while (byteClass[b] === 1) {
        blank = true;
        if (++i === n) return 0;
        b = chunk[i];
      }
      if (b === GT) {
        this.open.push(h);
        this.declared.push(NONE);
        return i + 1;
      }
      if (b === SLASH) return i + 1 < n && chunk[i + 1] === GT ? i + 2 : 0;
      if (!blank || quickClass[b] !== 0) return 0;
      // An attribute: its name, `=`, its quoted value.
      while ((c = quickClass[b]) === 0) {
        if (++i === n) return 0;
        b = chunk[i];
      }
      if (c === 3) return 0;
      while (byteClass[b] === 1) {
        if (++i === n) return 0;
        b = chunk[i];
      }
      if (b !== EQ || ++i === n) return 0;
      b = chunk[i];
      while (byteClass[b] === 1) {
        if (++i === n) return 0;
        b = chunk[i];
      }
      if (b !== QUOT && b !== APOS) return 0;
      // The value, to its closing quote: a reference, a NUL, a < or a byte that is not ASCII (noted there) is
      // read by the state machine. (Noted here, a field written in this loop cost ~6 ms of a 56 MB sheet.)
      const quote = b;
      for (;;) {
        if (++i === n) return 0;
        b = chunk[i];
        const v = valueClass[b];
        if (v === 0) continue;
        if (v !== 2) return 0;
        if (b === quote) break;
      }
      if (++i === n) return 0;
      b = chunk[i];
    }
  }

  /** Why the part is not well-formed, or null (also when it ended inside a tag: xml-ends.ts says it was cut). */
  damage(): string | null {
    if (this.error) return this.error;
    if (this.state !== S.Text) return null;
    return this.open.length ? `it is not well-formed XML: ${this.open.length} element(s) never closed` : null;
  }

  /** The start tag is whole: its declarations apply to itself, then its prefixes must be bound. Why not, or null. */
  private startTag(empty: boolean): string | null {
    const declares = this.tagDeclares ?? NONE;
    for (const p of declares) this.bound.set(p, (this.bound.get(p) ?? 0) + 1);
    if (this.tagPrefix !== -1 && this.tagPrefix !== XML && !this.bound.get(this.tagPrefix)) return 'an element whose prefix no xmlns declares';
    for (let k = 0; k < this.uses; k++) {
      const p = this.tagUses[k];
      if (p !== XML && !this.bound.get(p)) return 'an attribute whose prefix no xmlns declares';
    }
    if (empty) this.undeclare(declares);
    else {
      this.open.push(this.tagName);
      this.declared.push(declares);
    }
    return null;
  }

  /** The end tag named `name` (its hash) closes the element open. Why not, or null. */
  private endTag(name: number): string | null {
    const top = this.open.pop();
    if (top === undefined) return 'an end tag with no element open';
    if (top !== name) return 'an end tag that does not match the element it closes';
    // Most elements declare nothing: no call for them (one per end tag had cost ~15 % of the check of a sheet of cells).
    const declared = this.declared.pop();
    if (declared !== undefined && declared.length) this.undeclare(declared);
    return null;
  }

  private undeclare(prefixes: readonly number[]): void {
    for (const p of prefixes) {
      const n = (this.bound.get(p) ?? 1) - 1;
      if (n) this.bound.set(p, n);
      else this.bound.delete(p);
    }
  }
}
