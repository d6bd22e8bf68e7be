/** The panel's CSS, scoped by the shadow root. Themed through --parley-primary / --parley-on-primary. */
export const CSS = `
.panel{--p:var(--parley-primary,#4f46e5);--op:var(--parley-on-primary,#fff);position:fixed;bottom:88px;right:20px;
width:380px;height:600px;max-height:calc(100vh - 108px);display:flex;flex-direction:column;overflow:hidden;
background:#fff;color:#1f2937;border-radius:16px;box-shadow:0 12px 48px rgba(17,24,39,.18),0 2px 8px rgba(17,24,39,.08);
font:14px/1.45 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;-webkit-font-smoothing:antialiased;
transform-origin:bottom right;animation:pin .18s ease-out;box-sizing:border-box;text-align:left}
:host([data-position=left]) .panel{right:auto;left:20px;transform-origin:bottom left}
.panel[hidden]{display:none}
.panel *{box-sizing:border-box}
@keyframes pin{from{opacity:0;transform:translateY(8px) scale(.98)}to{opacity:1;transform:none}}
button{font:inherit;color:inherit;cursor:pointer}
svg{width:20px;height:20px;fill:none;stroke:currentColor;stroke-width:2;stroke-linecap:round;stroke-linejoin:round}
.header{display:flex;align-items:center;gap:12px;padding:14px 14px 14px 18px;background:var(--p);color:var(--op);flex:none}
.avatar{width:38px;height:38px;border-radius:50%;background:rgba(255,255,255,.22);display:flex;align-items:center;
justify-content:center;font-weight:600;font-size:16px;overflow:hidden;flex:none}
.avatar img{width:100%;height:100%;object-fit:cover}
.title{flex:1;min-width:0}
.name{font-weight:600;font-size:15px;white-space:nowrap;overflow:hidden;text-overflow:ellipsis}
.sub{font-size:12px;opacity:.85;white-space:nowrap;overflow:hidden;text-overflow:ellipsis}
.close{border:0;background:transparent;width:36px;height:36px;border-radius:10px;display:flex;align-items:center;justify-content:center;color:inherit}
.close:hover{background:rgba(255,255,255,.16)}
.list{flex:1;overflow-y:auto;padding:18px 16px 8px;background:#f7f7f9;display:flex;flex-direction:column;gap:10px;overscroll-behavior:contain}
.row{display:flex;flex-direction:column;align-items:flex-start;max-width:85%}
.row.me{align-self:flex-end;align-items:flex-end}
.who{font-size:12px;color:#6b7280;margin:0 0 3px 4px;font-weight:500}
.bubble{padding:9px 13px;border-radius:16px 16px 16px 4px;background:#fff;border:1px solid #e7e7ec;white-space:pre-wrap;
overflow-wrap:anywhere;box-shadow:0 1px 2px rgba(17,24,39,.04)}
.me .bubble{background:var(--p);color:var(--op);border-color:transparent;border-radius:16px 16px 4px 16px}
.me.sending .bubble{opacity:.7}
.me.failed .bubble{opacity:.6}
.failed{font-size:12px;color:#b91c1c;margin-top:3px}
.link{border:0;background:none;padding:0;color:#b91c1c;text-decoration:underline;font-weight:600}
.caret{display:inline-block;width:7px;height:14px;margin-left:2px;vertical-align:-2px;background:currentColor;opacity:.5;animation:blink 1s steps(2) infinite}
@keyframes blink{50%{opacity:0}}
.system{align-self:center;text-align:center;font-size:12px;color:#6b7280;padding:2px 10px;max-width:90%;white-space:pre-wrap}
.system.error{color:#b91c1c}
.resolved{border-top:1px solid #e5e7eb;padding-top:8px}
.sources{margin:6px 0 0 4px;font-size:12px;color:#6b7280}
.sources-label{font-weight:600;margin-bottom:2px}
.sources ol{list-style:none;margin:0;padding:0;display:flex;flex-direction:column;gap:2px}
.sources li{display:flex;gap:6px;align-items:baseline}
.n{flex:none;min-width:16px;height:16px;border-radius:8px;background:#e5e7eb;color:#374151;font-size:10px;font-weight:600;
display:inline-flex;align-items:center;justify-content:center;padding:0 4px}
.sources a{color:var(--p);text-decoration:none}
.sources a:hover{text-decoration:underline}
.typing{display:flex;gap:4px;padding:13px 14px}
.typing i{width:7px;height:7px;border-radius:50%;background:#9ca3af;animation:dot 1.2s infinite ease-in-out}
.typing i:nth-child(2){animation-delay:.15s}.typing i:nth-child(3){animation-delay:.3s}
@keyframes dot{0%,60%,100%{transform:none;opacity:.5}30%{transform:translateY(-4px);opacity:1}}
.chips{display:flex;flex-wrap:wrap;gap:6px;margin-top:2px}
.chip{border:1px solid var(--p);color:var(--p);background:#fff;border-radius:999px;padding:6px 12px;font-size:13px;line-height:1.3;text-align:left}
.chip:hover{background:var(--p);color:var(--op)}
.footer{flex:none;border-top:1px solid #ececf1;background:#fff;padding:8px 12px 12px}
.human{display:inline-flex;align-items:center;gap:6px;border:0;background:none;padding:4px 6px;margin:0 0 6px -2px;
font-size:12px;color:#4b5563;border-radius:8px}
.human svg{width:15px;height:15px}
.human:hover{background:#f3f4f6;color:#111827}
.composer{display:flex;align-items:flex-end;gap:8px;margin:0}
textarea{flex:1;resize:none;border:1px solid #dcdce3;border-radius:12px;padding:10px 12px;font:inherit;color:inherit;
background:#fff;max-height:120px;min-height:42px;outline:none;line-height:1.4}
textarea:focus{border-color:var(--p);box-shadow:0 0 0 3px color-mix(in srgb,var(--p) 18%,transparent)}
.send{flex:none;width:42px;height:42px;border:0;border-radius:12px;background:var(--p);color:var(--op);display:flex;align-items:center;justify-content:center}
.send:disabled{opacity:.4;cursor:default}
button:focus-visible{outline:2px solid var(--p);outline-offset:2px}
.header button:focus-visible{outline-color:var(--op)}
@media (max-width:480px){.panel{inset:0;width:100%;height:100%;max-height:none;border-radius:0;animation:none}}
@media (prefers-reduced-motion:reduce){.panel,.caret,.typing i{animation:none}}
`
