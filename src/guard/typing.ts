/** What a text field will hold once an insertion lands: `data` in place of the selection [start, end). */
export function predictInsert(value: string, start: number, end: number, data: string): string {
  const a = Math.max(0, Math.min(start, value.length));
  const b = Math.max(a, Math.min(end, value.length));
  return value.slice(0, a) + data + value.slice(b);
}
