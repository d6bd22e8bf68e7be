/**
 * The panel's CSS, scoped by the shadow root. Themed by --parley-primary / --parley-on-primary (the
 * owner's brand colour); light and dark follow prefers-color-scheme; logical properties make
 * right-to-left layouts work; under 480px wide the panel is full screen.
 */
export const CSS = `
.panel{--p:var(--parley-primary,#4f46e5);--op:var(--parley-on-primary,#fff);--bg:#fff;--fg:#1f2937;--mut:#4b5563;
--line:#e5e7eb;--soft:#f6f6f8;--bub:#fff;--err:#b91c1c;--lk:var(--p);--chip:#fff;
position:fixed;z-index:2147483000;bottom:88px;right:20px;width:380px;height:600px;max-height:calc(100vh - 108px);
display:flex;flex-direction:column;overflow:hidden;background:var(--bg);color:var(--fg);border-radius:16px;
box-shadow:0 12px 48px rgba(17,24,39,.18),0 2px 8px rgba(17,24,39,.08);
font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;-webkit-font-smoothing:antialiased;
transform-origin:bottom right;animation:pin .18s ease-out;box-sizing:border-box;text-align:start;outline:0}
@media (prefers-color-scheme:dark){.panel{--bg:#111827;--fg:#f3f4f6;--mut:#b6bcc6;--line:#374151;--soft:#0b1120;--bub:#1f2937;
--err:#fca5a5;--lk:color-mix(in srgb,var(--p) 35%,#fff);--chip:#1f2937}}
:host([data-left]) .panel{right:auto;left:20px;transform-origin:bottom left}
.panel[hidden]{display:none}
.panel *{box-sizing:border-box}
@keyframes pin{from{opacity:0;transform:translateY(8px) scale(.98)}to{opacity:1;transform:none}}
button,input{font:inherit;color:inherit;cursor:pointer;margin:0}
input{cursor:text}
svg{width:20px;height:20px;fill:none;stroke:currentColor;stroke-width:2;stroke-linecap:round;stroke-linejoin:round}
.header{display:flex;align-items:center;gap:12px;padding:14px;padding-inline-start:18px;background:var(--p);color:var(--op);flex:none}
.avatar{width:38px;height:38px;border-radius:50%;background:rgba(255,255,255,.22);display:flex;align-items:center;
justify-content:center;font-weight:600;font-size:16px;overflow:hidden;flex:none}
.avatar.sm{width:20px;height:20px;font-size:11px;background:var(--line);color:var(--fg)}
.avatar img{width:100%;height:100%;object-fit:cover}
.title{flex:1;min-width:0}
.name{font-weight:600;font-size:15px;margin:0;white-space:nowrap;overflow:hidden;text-overflow:ellipsis}
.sub{font-size:12px;white-space:nowrap;overflow:hidden;text-overflow:ellipsis}
.close{border:0;background:transparent;width:36px;height:36px;border-radius:10px;display:flex;align-items:center;justify-content:center;color:inherit}
.close:hover{background:rgba(127,127,127,.2)}
.list{flex:1;overflow-y:auto;padding:18px 16px 8px;background:var(--soft);display:flex;flex-direction:column;gap:10px;overscroll-behavior:contain}
.row{display:flex;flex-direction:column;align-items:flex-start;max-width:85%}
.row.me{align-self:flex-end;align-items:flex-end}
.who{display:flex;align-items:center;gap:6px;font-size:12px;color:var(--mut);margin:0 4px 3px;font-weight:500}
.bubble{padding:9px 13px;border-radius:16px;border-end-start-radius:4px;background:var(--bub);border:1px solid var(--line);
overflow-wrap:anywhere;box-shadow:0 1px 2px rgba(17,24,39,.04)}
.me .bubble{background:var(--p);color:var(--op);border-color:transparent;white-space:pre-wrap;border-end-start-radius:16px;border-end-end-radius:4px}
.me.sending .bubble{opacity:.75}
.me.failed .bubble{opacity:.6}
.md p,.md ul,.md ol,.md pre{margin:0 0 6px}.md>:last-child{margin-bottom:0}
.md ul,.md ol{padding-inline-start:20px}
.md a{color:var(--lk);text-decoration:underline}
.md code{font:12.5px ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;background:rgba(127,127,127,.15);border-radius:4px;padding:1px 4px}
.md pre{overflow-x:auto;background:rgba(127,127,127,.12);border-radius:8px;padding:8px}.md pre code{background:none;padding:0}
.cite{font-size:10px;font-weight:700;vertical-align:super;line-height:0;padding:0 2px;text-decoration:none!important}
.state{font-size:12px;color:var(--mut);margin-top:3px}
.state.failed{color:var(--err)}
.link{border:0;background:none;padding:0;color:inherit;text-decoration:underline;font-weight:600}
.caret{display:inline-block;width:7px;height:14px;margin-inline-start:2px;vertical-align:-2px;background:currentColor;opacity:.5;animation:blink 1s steps(2) infinite}
@keyframes blink{50%{opacity:0}}
.system{align-self:center;text-align:center;font-size:12px;color:var(--mut);padding:2px 10px;max-width:90%;white-space:pre-wrap}
.system.error{color:var(--err)}
.offline{background:var(--bub);border:1px solid var(--line);border-radius:10px;padding:8px 12px;white-space:normal}
.resolved{border-top:1px solid var(--line);padding-top:8px}
.sources{margin:6px 4px 0;font-size:12px;color:var(--mut)}
.sources-label{font-weight:600;margin-bottom:2px}
.sources ol{list-style:none;margin:0;padding:0;display:flex;flex-direction:column;gap:2px}
.sources li{display:flex;gap:6px;align-items:baseline}
.n{flex:none;min-width:16px;height:16px;border-radius:8px;background:var(--line);color:var(--fg);font-size:10px;font-weight:600;
display:inline-flex;align-items:center;justify-content:center;padding:0 4px}
.sources a{color:var(--lk);text-decoration:none}
.sources a:hover{text-decoration:underline}
.fb{display:flex;align-items:center;gap:2px;margin:2px 0 0;font-size:12px;color:var(--mut)}
.thumb{border:0;background:none;padding:4px;border-radius:6px;color:var(--mut);display:flex}
.thumb svg{width:15px;height:15px}.thumb.down svg{transform:scaleY(-1)}
.thumb:hover:not(:disabled),.thumb[aria-pressed=true]{color:var(--fg);background:var(--line)}
.thumb:disabled{cursor:default}
.fb-form,.composer{display:flex;align-items:flex-end;gap:8px;margin:0}
.fb-form{margin-top:4px;width:100%;align-items:center}
input,textarea{flex:1;border:1px solid var(--line);border-radius:12px;padding:10px 12px;font:inherit;font-size:16px;color:inherit;background:var(--bg);outline:none;min-width:0}
.fb-form input{padding:6px 10px;font-size:16px;border-radius:10px}
.typing{display:flex;gap:4px;padding:13px 14px}
.typing i{width:7px;height:7px;border-radius:50%;background:var(--mut);animation:dot 1.2s infinite ease-in-out}
.typing i:nth-child(2){animation-delay:.15s}.typing i:nth-child(3){animation-delay:.3s}
@keyframes dot{0%,60%,100%{transform:none;opacity:.5}30%{transform:translateY(-4px);opacity:1}}
.chips{display:flex;flex-wrap:wrap;gap:6px;margin-top:2px}
.chip{border:1px solid var(--lk);color:var(--lk);background:var(--chip);border-radius:999px;padding:6px 12px;font-size:13px;line-height:1.3;text-align:start}
.chip:hover{background:var(--p);color:var(--op);border-color:var(--p)}
.csat{align-self:center;text-align:center;font-size:13px}
.stars{display:flex;gap:2px;justify-content:center;margin-top:4px}
.stars button{border:0;background:none;padding:4px;color:#b45309;border-radius:6px}
.stars button:hover svg{fill:currentColor}
.stars svg{width:26px;height:26px}
.prechat{flex:1;overflow-y:auto;padding:20px 18px;display:flex;flex-direction:column;gap:14px;background:var(--soft)}
.prechat label{display:flex;flex-direction:column;gap:4px;font-size:13px;font-weight:500}
.start{border:0;border-radius:12px;padding:11px;background:var(--p);color:var(--op);font-weight:600}
.footer{flex:none;border-top:1px solid var(--line);background:var(--bg);padding:8px 12px 12px}
.human{display:inline-flex;align-items:center;gap:6px;border:0;background:none;padding:4px 6px;margin:0 -2px 6px;
font-size:12px;color:var(--mut);border-radius:8px}
.human svg{width:15px;height:15px}
.human:hover{background:var(--soft);color:var(--fg)}
textarea{resize:none;max-height:120px;min-height:42px;line-height:1.4}
input:focus,textarea:focus{border-color:var(--lk);box-shadow:0 0 0 3px color-mix(in srgb,var(--lk) 25%,transparent)}
.send{flex:none;width:42px;height:42px;border:0;border-radius:12px;background:var(--p);color:var(--op);display:flex;align-items:center;justify-content:center}
.send.sm{width:32px;height:32px;border-radius:10px}
.send:disabled{opacity:.4;cursor:default}
button:focus-visible,a:focus-visible{outline:2px solid var(--lk);outline-offset:2px}
.header button:focus-visible{outline-color:var(--op)}
@media (max-width:480px){.panel{inset:0;width:100%;height:100%;max-height:none;border-radius:0;animation:none}}
@media (prefers-reduced-motion:reduce){.panel,.caret,.typing i{animation:none}}
`
