/// The cashier's page (`GET /`): the sign-in screen while the shop has staff, then the verdict, manual entry, this
/// shift's redemptions and the counter's health. No inline script or style, so the Content-Security-Policy can forbid both.
enum CounterPageHTML {
    static let text = #"""
<!DOCTYPE html>
<html lang="zh-CN">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>核销台 Counter · counterd</title>
<link rel="stylesheet" href="/counter.css">
<script src="/counter.js" defer></script>
</head>
<body>
<header>
  <h1>核销台 <span lang="en">Counter</span></h1>
  <span id="connection" class="connection offline">连接中… Connecting…</span>
  <span id="training" class="training" hidden>练习模式 TRAINING</span>
  <span id="who" class="who" hidden></span>
  <button id="lock" type="button" hidden>🔒 锁定 Lock</button>
  <button id="signout" type="button" hidden>退出 Sign out</button>
  <button id="mute" type="button" aria-pressed="false">🔔 声音开 Sound on</button>
</header>
<section id="signin" class="signin" hidden aria-labelledby="signin-title">
  <h2 id="signin-title">登录 <span lang="en">Sign in</span></h2>
  <p class="hint">选择您的名字并输入 PIN <span lang="en">Pick your name, then enter your PIN</span></p>
  <ul id="staff-list" class="staff-list"></ul>
  <form id="pin-form" autocomplete="off" hidden>
    <label for="pin"><span id="pin-name"></span> · PIN</label>
    <div class="entry">
      <input id="pin" name="pin" type="password" inputmode="numeric" pattern="[0-9]*" minlength="6" maxlength="12"
             autocomplete="off" placeholder="••••••">
      <button type="submit">登录 Sign in</button>
    </div>
  </form>
  <p id="signin-error" class="signin-error" role="alert"></p>
</section>
<main>
  <section id="verdict" class="verdict idle" aria-live="assertive">
    <p id="verdict-zh" class="zh">请扫码</p>
    <p id="verdict-more" class="more"></p>
    <p id="verdict-en" class="en">Scan a code</p>
    <p id="verdict-detail" class="detail"></p>
    <p id="verdict-meta" class="meta"></p>
  </section>
  <aside>
    <form id="manual" autocomplete="off">
      <label for="code">手动核销 <span lang="en">Manual entry</span></label>
      <div class="entry">
        <input id="code" name="code" type="text" inputmode="latin" autocapitalize="characters" spellcheck="false"
               maxlength="200" placeholder="输入核销码 Code" autofocus>
        <button type="submit">核销 Redeem</button>
      </div>
    </form>
    <section class="panel">
      <h2>状态 <span lang="en">Status</span></h2>
      <ul id="status" class="status">
        <li id="status-scanners">扫码枪 Scanners: …</li>
        <li id="status-printer">打印机 Printer: …</li>
        <li id="status-sync">网络 Network: …</li>
        <li id="status-queue">待上传 Upload queue: …</li>
        <li id="status-reconciliation" hidden></li>
      </ul>
      <ul id="status-warnings" class="warnings"></ul>
    </section>
    <section id="shift-panel" class="panel" hidden>
      <h2>交班 <span lang="en">Shift</span></h2>
      <p id="shift-summary" class="shift-summary"></p>
      <div class="shift-actions">
        <button id="shift-open" type="button">开班 Open</button>
        <button id="shift-print" type="button">打印报表 Print report</button>
        <button id="shift-close" type="button">交班 Close</button>
        <button id="training-toggle" type="button">练习模式 Training</button>
      </div>
    </section>
    <section class="panel">
      <h2>本班核销 <span lang="en">This shift</span></h2>
      <p id="notice" class="notice" role="status"></p>
      <form id="approval" class="approval" autocomplete="off" hidden>
        <p class="approval-title">店长授权 <span lang="en">Manager approval</span>: <span id="approval-what"></span></p>
        <select id="approval-manager" aria-label="店长 Manager"></select>
        <input id="approval-pin" type="password" inputmode="numeric" pattern="[0-9]*" minlength="6" maxlength="12"
               autocomplete="off" placeholder="店长 PIN" aria-label="店长 PIN">
        <input id="approval-reason" type="text" maxlength="100" placeholder="原因 Reason" aria-label="原因 Reason">
        <button type="submit">授权作废 Approve void</button>
        <button id="approval-cancel" type="button">取消 Cancel</button>
      </form>
      <ol id="recent" class="recent"></ol>
    </section>
  </aside>
</main>
</body>
</html>
"""#
}
