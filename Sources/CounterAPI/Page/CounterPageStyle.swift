/// The page's style sheet (`GET /counter.css`): readable from across the counter on a 1024×600 screen
/// and on full HD.
enum CounterPageStyle {
    static let text = #"""
* { box-sizing: border-box; }
html, body { margin: 0; height: 100%; }
body { font-family: "Noto Sans CJK SC", "Source Han Sans SC", "WenQuanYi Micro Hei", "PingFang SC", sans-serif;
       background: #111; color: #eee; display: flex; flex-direction: column; }
header { display: flex; align-items: center; gap: 1rem; padding: .4rem 1rem; background: #222; }
header h1 { font-size: 1.2rem; margin: 0; flex: 1; }
button { font: inherit; padding: .4rem .8rem; border-radius: .4rem; border: 1px solid #666; background: #333; color: #eee; cursor: pointer; }
button:focus-visible, input:focus-visible { outline: 3px solid #4af; }
.connection { font-size: .9rem; padding: .2rem .6rem; border-radius: 1rem; }
.connection.online { background: #1b5e20; }
.connection.offline { background: #8a5a00; }
main { flex: 1; display: flex; gap: 1rem; padding: 1rem; min-height: 0; }
.verdict { flex: 3; display: flex; flex-direction: column; justify-content: center; align-items: center; text-align: center;
           border-radius: 1rem; padding: 1rem; min-width: 0; transition: background .15s; }
.verdict.idle { background: #263238; }
.verdict.accepted { background: #1b7d2f; }
.verdict.rejected { background: #b71c1c; }
.verdict .zh { font-size: clamp(2.4rem, 6.5vw, 7.5rem); font-weight: 700; margin: 0 0 .3rem; line-height: 1.15; overflow-wrap: anywhere; }
.verdict .more { font-size: clamp(1.1rem, 2.6vw, 2.8rem); margin: 0 0 .4rem; overflow-wrap: anywhere; }
.verdict .more:empty { display: none; }
.verdict .en { font-size: clamp(1rem, 2.2vw, 2.4rem); margin: 0 0 .8rem; overflow-wrap: anywhere; opacity: .95; }
.verdict .detail { font-size: clamp(1rem, 2.2vw, 2.2rem); margin: 0 0 .5rem; overflow-wrap: anywhere; }
.verdict .meta { font-size: clamp(.9rem, 1.4vw, 1.4rem); opacity: .85; margin: 0; }
aside { flex: 2; display: flex; flex-direction: column; gap: .8rem; min-width: 18rem; max-width: 34rem; min-height: 0; }
#manual label { display: block; font-size: 1.1rem; margin-bottom: .3rem; }
.entry { display: flex; gap: .5rem; }
.entry input { flex: 1; min-width: 0; font-size: 1.6rem; padding: .4rem .6rem; border-radius: .4rem; border: 2px solid #4af;
               background: #000; color: #fff; text-transform: uppercase; }
.entry button { font-size: 1.2rem; background: #0d47a1; border-color: #4af; }
.panel { background: #1c1c1c; border-radius: .6rem; padding: .5rem .8rem; overflow: auto; }
.panel h2 { font-size: 1rem; margin: .2rem 0 .4rem; color: #aaa; }
.status, .warnings, .recent { list-style: none; margin: 0; padding: 0; }
.status li { padding: .15rem 0; }
.status li.bad, .warnings li { color: #ffab91; }
.recent li { display: flex; align-items: center; gap: .5rem; padding: .3rem 0; border-top: 1px solid #333; }
.recent li .what { flex: 1; min-width: 0; overflow-wrap: anywhere; }
.recent li.voided .what { text-decoration: line-through; opacity: .6; }
.recent button.void { background: #5d1a1a; border-color: #a33; white-space: nowrap; }
.recent button.void.confirming { background: #c62828; }
.notice { margin: 0; min-height: 1.2em; color: #ffe082; }
aside > .panel:last-child { flex: 1; }
.who { font-size: 1rem; padding: .2rem .6rem; border-radius: 1rem; background: #0d47a1; }
.signin { position: fixed; inset: 3rem 0 0 0; background: #111; z-index: 10; display: flex; flex-direction: column;
          align-items: center; padding: 2rem 1rem; gap: 1rem; overflow: auto; }
.signin[hidden] { display: none; }
.signin h2 { font-size: 2rem; margin: 0; }
.signin .hint { margin: 0; opacity: .85; }
.staff-list { list-style: none; margin: 0; padding: 0; display: flex; flex-wrap: wrap; gap: .8rem; justify-content: center; max-width: 60rem; }
.staff-list button { font-size: 1.4rem; padding: .8rem 1.4rem; min-width: 10rem; }
.staff-list button.selected { background: #0d47a1; border-color: #4af; }
.staff-list button:disabled { opacity: .5; cursor: not-allowed; }
#pin-form { width: min(28rem, 100%); }
#pin-form label { display: block; font-size: 1.2rem; margin-bottom: .3rem; }
#pin-form input { text-transform: none; letter-spacing: .3em; }
.signin-error { color: #ffab91; font-size: 1.2rem; min-height: 1.4em; margin: 0; text-align: center; }
.approval { display: flex; flex-wrap: wrap; gap: .4rem; align-items: center; padding: .5rem; margin: .4rem 0;
            border: 2px solid #ffb300; border-radius: .4rem; }
.approval[hidden] { display: none; }
.approval .approval-title { flex-basis: 100%; margin: 0; color: #ffe082; }
.approval input, .approval select { font: inherit; padding: .3rem; background: #000; color: #fff; border: 1px solid #666; border-radius: .3rem; min-width: 0; }
.approval input { flex: 1; }
.recent button.approve { background: #5d4a00; border-color: #ffb300; white-space: nowrap; }
.training { font-size: 1rem; font-weight: 700; padding: .2rem .6rem; border-radius: 1rem; background: #ffb300; color: #000; }
.shift-summary { margin: 0 0 .4rem; }
.shift-actions { display: flex; flex-wrap: wrap; gap: .4rem; }
.shift-actions button.confirming { background: #c62828; }
#status-reconciliation.matched { color: #a5d6a7; }
@media (max-width: 800px) { main { flex-direction: column; } aside { max-width: none; } }
"""#
}
