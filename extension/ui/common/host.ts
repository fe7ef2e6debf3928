/** Where the guard's own UI goes: the top document when it is same-origin (a hidden upload iframe must not hide it). */
export function hostDocument(): Document {
  try {
    if (window.top && window.top !== window && window.top.document.documentElement) return window.top.document;
  } catch {
    /* cross-origin parent */
  }
  return document;
}
