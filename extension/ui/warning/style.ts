/** Styles live inside the closed shadow root; `all: initial` on the host keeps the page's CSS out. */
export const CSS = `
:host { all: initial; }
.backdrop { position: fixed; inset: 0; z-index: 2147483647; background: rgba(0,0,0,.45);
  display: flex; align-items: center; justify-content: center;
  font: 14px/1.6 system-ui, "Hiragino Sans", "Noto Sans CJK JP", "Yu Gothic UI", Meiryo, sans-serif; color: #1a1a1a; }
.dialog { background: #fff; max-width: 560px; width: calc(100% - 32px); max-height: calc(100% - 32px); overflow: auto;
  border-radius: 10px; box-shadow: 0 12px 40px rgba(0,0,0,.35); padding: 20px 24px; border-top: 6px solid #c62828; }
h2 { font-size: 18px; margin: 0 0 8px; color: #b71c1c; }
h3 { font-size: 14px; margin: 12px 0 4px; }
p { margin: 0 0 8px; }
.rows { margin: 8px 0; padding: 0; list-style: none; }
.rows li { padding: 6px 10px; background: #fdecea; border-radius: 6px; margin-bottom: 6px; }
.name { display: block; word-break: break-all; }
.reason { display: block; color: #5d1a1a; }
.instead { background: #f3f6fb; border-radius: 6px; padding: 4px 10px 8px; }
a { color: #0b57d0; }
label { display: block; font-weight: 600; margin: 12px 0 4px; }
textarea { box-sizing: border-box; width: 100%; font: inherit; padding: 6px 8px; border: 1px solid #888; border-radius: 6px; }
.buttons { display: flex; gap: 8px; justify-content: flex-end; margin-top: 14px; }
button { font: inherit; padding: 6px 16px; border-radius: 6px; border: 1px solid #666; background: #fff; cursor: pointer; }
button.primary { background: #b71c1c; border-color: #b71c1c; color: #fff; }
button[disabled] { opacity: .5; cursor: not-allowed; }
:focus-visible { outline: 3px solid #0b57d0; outline-offset: 2px; }
`;
