/**
 * A spreadsheet's printed header or footer (xlsx `<oddHeader>`, xls HEADER/FOOTER, xlsb
 * BrtBeginHeaderFooter: one syntax for all three) as it prints: its codes (&L &C &R sections, &B bold,
 * &K colour, &"font,style", &12 size, &P page…) removed, so `&C&"MS Gothic,Bold"秘&"Arial"&12 Confidential`
 * reads as 秘 Confidential. Excel writes such codes whenever 秘 and the word are set in different fonts.
 * `&A` prints the sheet's name, given as `sheet` (「秘 &A」 on a sheet named Confidential prints the stamp),
 * and `&F` the workbook's file name, given as `file` (「秘 &F」 in Confidential.xlsx).
 */
export function headerText(s: string, sheet?: string, file?: string): string {
  return s.replace(/&([LCR])|&([AaFf])|&(?:"[^"]*"|K[0-9A-Fa-f]{6}|K\d\d[+-]\d{3}|\d+|[A-Za-z])|&(&)/g, (_, section?: string, name?: string, amp?: string) =>
    section ? '\n' : name ? ((/[Aa]/.test(name) ? sheet : file) ?? '') : (amp ?? ''),
  );
}
