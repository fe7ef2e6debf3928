/** What the library reported on the page (success, error), so a failing test can say what the site saw. */
export function log(event: string, name: string, detail = ''): void {
  const w = window as unknown as { __events?: { event: string; name: string; detail: string }[] };
  (w.__events ??= []).push({ event, name, detail });
}
