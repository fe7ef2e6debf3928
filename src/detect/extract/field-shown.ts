/**
 * Word fields that show text of their own, taken from their instruction rather than from a result:
 * - EQ, as far as it carries ruby (phonetic guide): Word writes ruby in a .doc and in RTF as an EQ field
 *   whose instruction draws it, with no result: `EQ \* jc3 \* hps12 \o\al(\s\up 10(ひ),秘)`. As the page
 *   shows it, that is its base, 「秘」, on the line (the reading above it is not).
 * - EQ as Word's 囲い文字 (Home › Enclose Characters): `eq \o\ac(○,秘)`, the character overstruck on a
 *   frame (○ □ △ ◇), written with `\s\up 1(秘)` when the frame is enlarged around it. Word draws 秘 in a
 *   circle, which is ㊙ (NFKC: 秘): its character is on the line, the frame is not text.
 * - MACROBUTTON: `MACROBUTTON NoMacro 秘 Confidential` shows 「秘 Confidential」, the words after the macro's
 *   name (Word's placeholder text in templates; LibreOffice writes its placeholder fields this way).
 * - SYMBOL: one character by its code (below).
 */

/** Ruby drawn: `\o(\s\up N(reading),base)`, the base is group 1. */
const RUBY = /\\o(?:\\a[lcrd])?\(\\s\\up\s*-?\d+\([^()]*\),([^()]*)\)/g;
/** The instruction's ruby, one match per EQ field's `\o(\s\up N(reading),base)`: the base is group 1. */
const EQ_RUBY = new RegExp(String.raw`\bEQ\s(?:[^\\(]|\\\*)*` + RUBY.source, 'g');

/** An enclosed character drawn: `\o\ac(frame,秘)` or `\o\ac(frame,\s\up N(秘))`; the character is group 1 or 2. */
const ENCLOSED = /\\o\\ac\(\s*[○◯〇□△◇]\s*,\s*(?:\\s\\(?:up|do)\s*-?\d+\(([^()]*)\)|([^()]*))\)/gi;
/** The instruction's enclosed characters: Word writes the keyword in lower case (` eq \o\ac(○,秘)`). */
const EQ_ENCLOSED = new RegExp(String.raw`\bEQ\s(?:[^\\(]|\\\*)*` + ENCLOSED.source, 'gi');

/**
 * `text` with every EQ ruby or enclosed-character field instruction in it replaced by what it shows (a
 * .doc's text holds its fields' instructions).
 */
export function withRubyBases(text: string): string {
  return text.includes('\\o') ? text.replace(EQ_RUBY, '$1').replace(EQ_ENCLOSED, (_, up: string | undefined, plain: string | undefined) => up ?? plain ?? '') : text;
}

/** The characters an EQ instruction shows in enclosing frames (囲い文字), or null when it encloses none. */
export function enclosedShown(instruction: string): string | null {
  if (!instruction.includes('\\o')) return null;
  const shown = [...instruction.matchAll(EQ_ENCLOSED)].map((m) => m[1] ?? m[2]);
  return shown.length ? shown.join('') : null;
}

/** The base text an EQ ruby instruction shows on the line, or null when the instruction draws no ruby (RTF's \fldinst). */
export function rubyBase(instruction: string): string | null {
  if (!instruction.includes('\\o')) return null;
  const bases = [...instruction.matchAll(EQ_RUBY)].map((m) => m[1]);
  return bases.length ? bases.join('') : null;
}

/**
 * `SYMBOL 31192 \f "MS Mincho" \u`: one character by its code, decimal or `0x` hex; `\u` says the code is
 * Unicode, `\j` Shift_JIS, and otherwise it is the ANSI code page's (a Japanese document's is Shift_JIS,
 * whose characters take two bytes). Word and LibreOffice draw it from the instruction, whatever the
 * field's stored result holds.
 */
const SYMBOL = /^\s*SYMBOL\s+(0x[0-9a-f]{1,6}|\d{1,7})(?![0-9a-z])([^]*)$/i;

/** The character a SYMBOL field shows, or null for another field. */
export function symbolShown(instruction: string): string | null {
  const m = SYMBOL.exec(instruction);
  if (!m) return null;
  const code = Number(m[1]);
  if (/\\u\b/i.test(m[2])) return code > 0 && code <= 0x10ffff && (code < 0xd800 || code > 0xdfff) ? String.fromCodePoint(code) : '';
  if (/\\j\b/i.test(m[2]) || code > 0xff) return code <= 0xffff ? new TextDecoder('shift_jis').decode(Uint8Array.of(code >> 8, code & 0xff)).replace(/^\0/, '') : '';
  return new TextDecoder('windows-1252').decode(Uint8Array.of(code));
}

/** `MACROBUTTON name display text`: group 1 is what the field shows. */
const MACROBUTTON = /^\s*MACROBUTTON\s+\S+\s?([^]*)$/i;

/** The text a field shows from its instruction alone (EQ ruby or 囲い文字, MACROBUTTON), or null when it shows none of its own. */
export function shownByInstruction(instruction: string): string | null {
  return rubyBase(instruction) ?? enclosedShown(instruction) ?? MACROBUTTON.exec(instruction)?.[1] ?? null;
}

/**
 * What a field whose instruction is taken out of the text shows in its place (a .docx complex field, a
 * .doc field): EQ ruby's base, MACROBUTTON's words or a SYMBOL's character; '' for any other field.
 */
export function instructionShows(instruction: string): string {
  return shownByInstruction(instruction) ?? symbolShown(instruction) ?? '';
}

/**
 * What a .doc field's instruction shows: as instructionShows, but ruby drawn is its base whatever the
 * keyword before it says. A .doc's field table (plcfld) gives each field its type, and LibreOffice
 * takes the type from there: an EQ field whose keyword lost a byte (`ｅQ`, a bit flipped) still shows
 * 「秘」 on the line. The ruby switches belong to EQ alone, so an instruction drawing them is one.
 */
function docInstructionShows(instruction: string): string {
  const shown = instructionShows(instruction);
  if (shown || !instruction.includes('\\o')) return shown;
  return [...instruction.matchAll(RUBY)].map((m) => m[1]).join('');
}

/**
 * A .doc's text with each field as Word shows it: a field is 0x13, its instruction, 0x14 and its result,
 * then 0x15 (no 0x14 when it has no result); fields nest inside instructions. The instruction (and a
 * nested field's result inside it) is blanked with NUL, which readable() drops, and what the instruction
 * shows of its own is written at its start: 「秘 」 + { DOCPROPERTY "Classification" } reads 「秘
 * Confidential」. Never longer than what it replaces, so every offset into the text stays valid.
 */
export function withFieldsShown(text: string): string {
  if (!text.includes('\x13')) return text;
  const out = text.split('');
  /** Open fields, innermost last: where each began, and whether its instruction is still being read. */
  const open: { begin: number; inInstruction: boolean }[] = [];
  /** How many open fields are in their instruction (a count: no walk per mark). */
  let reading = 0;
  for (let i = 0; i < out.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x13) {
      open.push({ begin: i, inInstruction: true });
      reading++;
    } else if (c === 0x14 || c === 0x15) {
      const f = c === 0x15 ? open.pop() : open.at(-1);
      if (!f?.inInstruction) continue;
      f.inInstruction = false;
      if (--reading > 0) continue; // blanked with the instruction around it
      const instr = text.slice(f.begin + 1, i);
      const shown = docInstructionShows(instr).slice(0, i - f.begin - 1);
      for (let k = f.begin + 1; k < i; k++) out[k] = '\0';
      for (let k = 0; k < shown.length; k++) out[f.begin + 1 + k] = shown[k];
    }
  }
  return out.join('');
}
