/** Styles live inside the closed shadow root; `all: initial` on the host keeps the page's CSS out. */
export const CSS = `
:host { all: initial; }
.backdrop { position: fixed; inset: 0; z-index: 2147483647; background: rgba(0,0,0,.45);
  display: flex; align-items: center; justify-content: center;
  font: 14px/1.6 system-ui, "Hiragino Sans", "Noto Sans CJK JP", "Yu Gothic UI", Meiryo, sans-serif; color: #1a1a1a; }
.dialog { background: #fff; max-width: 600px; width: calc(100% - 32px); max-height: calc(100% - 32px); overflow: auto;
  border-radius: 10px; box-shadow: 0 12px 40px rgba(0,0,0,.35); padding: 20px 24px; border-top: 6px solid #c62828; }
h2 { font-size: 18px; margin: 0 0 8px; color: #b71c1c; }
h3 { font-size: 14px; margin: 4px 0; }
p { margin: 0 0 8px; }
.rows { margin: 8px 0; padding: 0; list-style: none; }
.rows li { padding: 6px 10px; border-radius: 6px; margin-bottom: 6px; background: #fdecea; }
.rows li.clean { background: #edf7ee; }
.rows li.unscannable, .rows li.policy { background: #fff4e5; }
.status { float: right; margin-left: 8px; font-size: 12px; font-weight: 600; padding: 0 8px; border-radius: 10px; border: 1px solid currentColor; color: #b71c1c; }
.clean .status { color: #1b5e20; }
.unscannable .status, .policy .status { color: #8a4b00; }
.name { display: block; word-break: break-all; }
.reason { display: block; color: #3c3c3c; }
.recorded { font-size: 13px; color: #444; }
.instead { background: #f3f6fb; border-radius: 6px; padding: 6px 10px 8px; }
.contact { margin: 6px 0 0; }
.contact dt { font-weight: 600; }
.contact dd { margin: 0; }
a { color: #0b57d0; }
fieldset { border: 0; padding: 0; margin: 12px 0 0; }
legend { font-weight: 600; padding: 0; margin-bottom: 4px; }
.choice { display: block; }
textarea { box-sizing: border-box; width: 100%; font: inherit; padding: 6px 8px; border: 1px solid #888; border-radius: 6px; margin-top: 4px; }
.buttons { display: flex; flex-direction: row-reverse; flex-wrap: wrap; gap: 8px; justify-content: flex-start; margin-top: 14px; }
button { font: inherit; padding: 6px 16px; border-radius: 6px; border: 1px solid #666; background: #fff; cursor: pointer; }
button.primary { background: #b71c1c; border-color: #b71c1c; color: #fff; }
button.link { border: 0; padding: 0; background: none; color: #0b57d0; text-decoration: underline; }
button[disabled] { opacity: .5; cursor: not-allowed; }
.dispute { margin-top: 12px; padding-top: 8px; border-top: 1px solid #e0e0e0; font-size: 13px; }
.dispute .buttons { justify-content: flex-start; flex-direction: row; margin-top: 6px; }
.dispute.sent { color: #1b5e20; }
.dispute.failed { color: #b71c1c; }
:focus-visible { outline: 3px solid #0b57d0; outline-offset: 2px; }
`;
