/// The page's script (`GET /counter.js`). Everything shown is set through `textContent` (never HTML),
/// writes are JSON to the same origin, and the event stream reconnects by itself (EventSource).
enum CounterPageScript {
    static let text = #"""
"use strict";
(() => {
  const $ = (id) => document.getElementById(id);
  const api = (path) => "/api/v1/" + path;
  const state = { voidWindowSeconds: 600, timeZone: undefined, muted: localStorage.getItem("counterd-muted") === "1", confirming: null,
                  staffRequired: false, signedIn: null, selected: null, managers: [], approving: null };

  function element(tag, className, text) {
    const node = document.createElement(tag);
    if (className) node.className = className;
    if (text !== undefined) node.textContent = text;
    return node;
  }
  // Times in the shop's time zone (from status), like the receipts and the messages.
  function time(iso) {
    if (!iso) return "";
    return new Date(iso).toLocaleTimeString("zh-CN", { hour12: false, timeZone: state.timeZone });
  }
  async function getJSON(path) {
    const response = await fetch(api(path), { cache: "no-store" });
    if (!response.ok) throw new Error(path + ": HTTP " + response.status);
    return response.json();
  }
  async function postJSON(path, body) {
    const response = await fetch(api(path), {
      method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
    const data = await response.json().catch(() => ({}));
    return { status: response.status, data };
  }

  // Staff: while the shop has staff, the page opens on the sign-in screen (pick your name, enter your PIN). The
  // session is an HttpOnly cookie the script never sees; a 401 or a no_staff verdict brings the screen back.
  function signInShown() { return !$("signin").hidden; }
  async function refreshSession() {
    let list;
    try { list = await getJSON("staff"); } catch (error) { return; }
    state.staffRequired = list.staff_required;
    state.managers = list.staff.filter((member) => member.role === "manager");
    let session = null;
    if (state.staffRequired) {
      const response = await fetch(api("session"), { cache: "no-store" }).catch(() => null);
      if (response && response.ok) session = await response.json();
    }
    state.signedIn = session;
    $("who").hidden = !session;
    $("who").textContent = session ? (session.role === "manager" ? "店长 " : "收银 ") + session.name : "";
    $("lock").hidden = $("signout").hidden = !session;
    refreshShift();
    const needed = state.staffRequired && !session;
    if (needed) showSignIn(list.staff); else $("signin").hidden = true;
    focusEntry();
  }
  function showSignIn(staff) {
    const panel = $("signin");
    const wasHidden = panel.hidden;
    panel.hidden = false;
    // Rebuilt only when something changed: a button being pressed is not replaced under the finger.
    state.staffKey = JSON.stringify(staff);
    const key = state.staffKey + "|" + state.selected;
    if (!wasHidden && panel.dataset.key === key) return;
    panel.dataset.key = key;
    const names = $("staff-list");
    names.replaceChildren();
    for (const member of staff) {
      const locked = member.locked_until && new Date(member.locked_until) > new Date();
      const button = element("button", member.staff_id === state.selected ? "selected" : "",
                             (member.role === "manager" ? "店长 " : "") + member.name + (locked ? " 🔒" : ""));
      button.type = "button";
      button.dataset.staffId = member.staff_id;
      button.disabled = !!locked;
      button.addEventListener("click", () => selectStaff(member));
      names.append(button);
    }
    if (!staff.length) names.append(element("li", "", "没有可登录的员工 No staff can sign in"));
    const chosen = staff.find((member) => member.staff_id === state.selected);
    $("pin-form").hidden = !chosen;
    if (chosen) $("pin-name").textContent = chosen.name;
    if (wasHidden) $("signin-error").textContent = "";
  }
  function selectStaff(member) {
    state.selected = member.staff_id;
    $("signin").dataset.key = state.staffKey + "|" + state.selected;
    for (const button of $("staff-list").querySelectorAll("button")) {
      button.classList.toggle("selected", button.dataset.staffId === member.staff_id);
    }
    $("pin-name").textContent = member.name;
    $("pin-form").hidden = false;
    $("signin-error").textContent = "";
    $("pin").value = "";
    $("pin").focus();
  }
  async function signIn(event) {
    event.preventDefault();
    const pin = $("pin").value;
    $("pin").value = "";
    if (!state.selected) return;
    const { status, data } = await postJSON("session", { staff_id: state.selected, pin });
    if (status === 200) {
      $("signin-error").textContent = "";
      await refreshSession();
      closeApproval();
      refreshRecent();
      return;
    }
    $("signin-error").textContent = (data.error && data.error.message) || ("HTTP " + status);
    await refreshSession();
    $("pin").focus();
  }
  async function endSession(how) {
    const path = how === "lock" ? "session/lock" : "session";
    await fetch(api(path), { method: how === "lock" ? "POST" : "DELETE", headers: { "Content-Type": "application/json" }, body: "{}" })
      .catch(() => null);
    // Lock keeps the name selected, so the same person signs in again with the PIN.
    if (how !== "lock") state.selected = null;
    closeApproval();
    await refreshSession();
    refreshRecent();
  }

  // Shifts (交班): the manager's while the shop has staff; anyone's in a shop without staff.
  function yuan(fen) { return (fen < 0 ? "-" : "") + "￥" + (Math.abs(fen) / 100).toFixed(2); }
  async function refreshShift() {
    const allowed = !state.staffRequired || (state.signedIn && state.signedIn.role === "manager");
    $("shift-panel").hidden = !allowed;
    if (!allowed) return;
    let shift;
    try { shift = await getJSON("shift"); } catch (error) { return; }
    const current = shift.current, last = shift.last_closed;
    const parts = [];
    if (current) {
      parts.push("开班 Opened " + time(current.opened_at) + " · 核销 " + current.redemptions.count + " 笔 · 撤销 " + current.voids.count
                 + " · 服务点奖励 " + yuan(current.reward_fen));
    } else {
      parts.push("未开班 No shift open");
    }
    if (last) {
      const status = last.reconciliation ? last.reconciliation.status : "pending";
      parts.push("上次" + (last.kind === "day" ? "日结" : "交班") + " Last close " + time(last.closed_at) + " · "
                 + (status === "matched" ? "对账一致" : status === "mismatched" ? "对账不一致" : "待对账"));
    }
    $("shift-summary").textContent = parts.join(" — ");
    $("shift-open").hidden = !!current;
    $("shift-close").hidden = !current;
  }
  async function shiftAction(path, button) {
    if (path === "shift/close" && !button.classList.contains("confirming")) {
      button.classList.add("confirming");
      button.textContent = "确认交班？Confirm close";
      setTimeout(() => { button.classList.remove("confirming"); button.textContent = "交班 Close"; }, 5000);
      return;
    }
    button.classList.remove("confirming");
    button.textContent = path === "shift/close" ? "交班 Close" : button.textContent;
    const { status, data } = await postJSON(path, path === "shift/open" ? {} : { print: true });
    const report = data.report || data;
    $("notice").textContent = status >= 400 ? ((data.error && data.error.message) || ("HTTP " + status))
      : path === "shift/open" ? "已开班 Shift opened"
      : (path === "shift/close" ? "已交班 Shift closed" : "已打印 Printed") + " · 核销 " + report.redemptions.count + " 笔 · 服务点奖励 "
        + yuan(report.reward_fen) + (data.print_problem ? " · 未打印 not printed: " + data.print_problem : "");
    refreshShift();
    refreshRecent();
  }

  // Sound: a rising two-tone for accepted, a low buzz for rejected (WebAudio, no files).
  let audio = null;
  function play(accepted) {
    if (state.muted) return;
    try {
      audio = audio || new AudioContext();
      const tones = accepted ? [[880, 0, 0.12], [1320, 0.14, 0.16]] : [[220, 0, 0.45]];
      for (const [frequency, start, length] of tones) {
        const oscillator = audio.createOscillator(), gain = audio.createGain();
        oscillator.type = accepted ? "sine" : "square";
        oscillator.frequency.value = frequency;
        gain.gain.value = 0.2;
        oscillator.connect(gain).connect(audio.destination);
        oscillator.start(audio.currentTime + start);
        oscillator.stop(audio.currentTime + start + length);
      }
    } catch (error) { /* no audio device: the colour still says it */ }
  }
  function showMute() {
    $("mute").textContent = state.muted ? "🔕 静音 Muted" : "🔔 声音开 Sound on";
    $("mute").setAttribute("aria-pressed", state.muted ? "true" : "false");
  }

  function showVerdict(verdict, source, at) {
    const panel = $("verdict");
    const accepted = verdict.verdict === "accepted";
    panel.className = "verdict " + (accepted ? "accepted" : "rejected");
    panel.dataset.reason = verdict.reason || "";
    // The Chinese message's first clause is the headline, large enough to read across the counter;
    // its details (when, where, how many) follow smaller.
    const zh = (verdict.message && verdict.message.zh) || (accepted ? "核销成功" : "核销失败");
    const cut = zh.search(/[：:，,（(]/);
    $("verdict-zh").textContent = cut > 0 ? zh.slice(0, cut) : zh;
    $("verdict-more").textContent = cut > 0 ? zh.slice(cut).replace(/^[：:，,]\s*/, "") : "";
    $("verdict-en").textContent = (verdict.message && verdict.message.en) || (accepted ? "Redeemed" : "Rejected");
    // The messages already say the campaign, the uses left and, for a used code, when and where;
    // the detail adds what they leave out.
    const said = zh + " " + ((verdict.message && verdict.message.en) || "");
    const detail = [verdict.campaign_title, verdict.product].filter((text) => text && !said.includes(text));
    $("verdict-detail").textContent = detail.join(" · ");
    const meta = [time(at), source ? "来自 from " + source : "", verdict.code_last4 ? "…" + verdict.code_last4 : "", verdict.reason || ""];
    $("verdict-meta").textContent = meta.filter(Boolean).join(" · ");
    play(accepted);
  }

  async function redeemTyped(event) {
    event.preventDefault();
    const input = $("code");
    const code = input.value.trim();
    if (!code) return;
    input.value = "";
    try {
      const { status, data } = await postJSON("redeem", { code, source: "manual" });
      if (status === 401) refreshSession();
      if (status !== 200) {
        showVerdict({ verdict: "rejected", reason: (data.error && data.error.code) || "error",
                      message: { zh: "请求失败", en: (data.error && data.error.message) || ("HTTP " + status) } }, "manual", new Date());
      }
      // A 200 verdict also arrives on the event stream; show it at once in case the stream is down.
      else if (!stream || stream.readyState !== EventSource.OPEN) showVerdict(data, "manual", new Date());
    } catch (error) {
      showVerdict({ verdict: "rejected", reason: "unreachable",
                    message: { zh: "连不上 counterd", en: "counterd cannot be reached: " + error.message } }, "manual", new Date());
    }
    refreshRecent();
    focusEntry();
  }

  // Manager approval (授权): a cashier's void past their window, or of another member's redemption, goes through
  // with a manager's PIN; both ids are recorded.
  function askApproval(entry) {
    state.approving = entry;
    const select = $("approval-manager");
    select.replaceChildren(...state.managers.map((member) => {
      const option = element("option", "", "店长 " + member.name);
      option.value = member.staff_id;
      return option;
    }));
    $("approval-what").textContent = [time(entry.redeemed_at), entry.campaign_title || entry.campaign_id, "…" + entry.code_last4].join(" · ");
    $("approval-pin").value = "";
    $("approval-reason").value = "";
    $("approval").hidden = false;
    $("approval-pin").focus();
  }
  function closeApproval() {
    state.approving = null;
    $("approval").hidden = true;
    focusEntry();
  }
  async function approve(event) {
    event.preventDefault();
    const entry = state.approving;
    if (!entry) return;
    const pin = $("approval-pin").value;
    $("approval-pin").value = "";
    const reason = $("approval-reason").value.trim() || "manager approval";
    const { status, data } = await postJSON("voids", { redemption_id: entry.redemption_id, reason, source: "page",
                                                       approval: { staff_id: $("approval-manager").value, pin } });
    $("notice").textContent = (data.message && (data.message.zh + " · " + data.message.en)) ||
      (data.error && data.error.message) || ("HTTP " + status);
    if (status === 200) closeApproval(); else $("approval-pin").focus();
    refreshRecent();
  }

  async function voidClicked(button, entry) {
    if (state.confirming !== button) {
      if (state.confirming) resetConfirm(state.confirming);
      state.confirming = button;
      button.classList.add("confirming");
      button.textContent = "确认作废？Confirm void";
      setTimeout(() => { if (state.confirming === button) resetConfirm(button); }, 5000);
      return;
    }
    state.confirming = null;
    button.disabled = true;
    const { status, data } = await postJSON("voids", { redemption_id: entry.redemption_id, reason: "cashier", source: "page" });
    if (status === 401 && data.error && data.error.code === "sign_in_required") refreshSession();
    if ((data.status === "window_closed" || data.status === "not_yours") && state.signedIn && state.signedIn.role !== "manager"
        && state.managers.length) askApproval(entry);
    $("notice").textContent = (data.message && (data.message.zh + " · " + data.message.en)) ||
      (data.error && data.error.message) || ("HTTP " + status);
    refreshRecent();
    refreshStatus();
    focusEntry();
  }
  function resetConfirm(button) {
    state.confirming = null;
    button.classList.remove("confirming");
    button.textContent = "作废 Void";
  }

  async function refreshRecent() {
    let history;
    try { history = await getJSON("redemptions?limit=50"); } catch (error) { return; }
    // This shift: since midnight in the shop's time zone.
    const day = (date) => date.toLocaleDateString("en-CA", { timeZone: state.timeZone });
    const today = day(new Date());
    const list = $("recent");
    list.replaceChildren();
    for (const entry of history.redemptions) {
      const at = new Date(entry.redeemed_at);
      if (day(at) !== today) continue;
      const item = element("li", entry.voided_at ? "voided" : "");
      item.dataset.id = entry.redemption_id;
      const what = [time(entry.redeemed_at), entry.campaign_title || entry.campaign_id, "…" + entry.code_last4,
                    entry.uses > 1 ? "×" + entry.uses : "", entry.source, entry.staff_name || entry.staff_id || "",
                    entry.voided_at ? "已作废 voided" : ""];
      item.append(element("span", "what", what.filter(Boolean).join(" · ")));
      const inWindow = (Date.now() - at.getTime()) / 1000 < state.voidWindowSeconds;
      const me = state.signedIn;
      // Without staff: inside the window. A cashier: their own inside it, the rest with a manager's approval.
      // A manager: any of today's (counterd checks the shop's manager window).
      const mine = !me || me.role === "manager" || entry.staff_id === me.staff_id;
      const open = !entry.voided_at && (me && me.role === "manager" ? true : inWindow && mine);
      if (open) {
        const button = element("button", "void", "作废 Void");
        button.type = "button";
        button.addEventListener("click", () => voidClicked(button, entry));
        item.append(button);
      } else if (!entry.voided_at && me && state.managers.length) {
        const button = element("button", "approve", "授权作废 Approval");
        button.type = "button";
        button.addEventListener("click", () => askApproval(entry));
        item.append(button);
      }
      list.append(item);
    }
    if (!list.children.length) list.append(element("li", "", "暂无 None yet"));
  }

  function setLine(id, text, bad) {
    const line = $(id);
    line.textContent = text;
    line.classList.toggle("bad", !!bad);
  }
  async function refreshStatus() {
    try {
      const [status, devices] = await Promise.all([getJSON("status"), getJSON("devices")]);
      state.voidWindowSeconds = status.void_window_seconds;
      state.timeZone = status.time_zone;
      const scanners = devices.scanners || [];
      const reading = scanners.filter((s) => s.state === "reading");
      const failing = scanners.filter((s) => s.state === "error");
      setLine("status-scanners", "扫码枪 Scanners: " + (scanners.length === 0 ? "未连接 none attached"
        : reading.length + " 在线 ready" + (failing.length ? " · " + failing.length + " 故障 failing: " + failing.map((s) => s.problem).join("; ") : "")),
        scanners.length === 0 || failing.length > 0);
      const printer = devices.printer;
      setLine("status-printer", "打印机 Printer: " + (!printer ? "未启用 off"
        : printer.state === "ready" ? "就绪 ready" : printer.state === "printing" ? "打印中 printing"
        : "故障 failing: " + (printer.problem || "")), printer && printer.state === "failing");
      const sync = status.sync;
      if (!sync) setLine("status-sync", "网络 Network: 未注册（演示）not enrolled (demo)", false);
      else if (sync.last_error) setLine("status-sync", "网络 Network: 离线 offline · " + sync.last_error, true);
      else setLine("status-sync", "网络 Network: 在线 online · 上次同步 last sync " + time(sync.last_complete_sync_at), false);
      state.training = !!status.training;
      $("training").hidden = !state.training;
      $("training-toggle").textContent = state.training ? "退出练习 End training" : "练习模式 Training";
      const reconciliation = status.reconciliation;
      $("status-reconciliation").hidden = !reconciliation;
      if (reconciliation) {
        const words = reconciliation.status === "matched" ? "对账一致 Matched"
          : reconciliation.status === "mismatched" ? "对账不一致 Mismatched: " + reconciliation.missing_events + " 笔待补传 to resend"
          : "待对账 Pending";
        setLine("status-reconciliation", "对账 Reconciliation: " + words, reconciliation.status === "mismatched");
        $("status-reconciliation").classList.toggle("matched", reconciliation.status === "matched");
      }
      setLine("status-queue", "待上传 Upload queue: " + status.ledger.outbox_pending + (status.ledger.outbox_dead ? " · 死信 dead letters " + status.ledger.outbox_dead : ""),
        status.ledger.outbox_dead > 0);
      const warnings = $("status-warnings");
      warnings.replaceChildren(...(status.warnings || []).map((text) => element("li", "", text)));
    } catch (error) {
      setLine("status-sync", "counterd: " + error.message, true);
    }
  }

  let stream = null;
  function connect() {
    stream = new EventSource(api("events"));
    stream.addEventListener("open", () => {
      $("connection").className = "connection online";
      $("connection").textContent = "实时 Live";
      refreshStatus();
      refreshRecent();
    });
    stream.addEventListener("error", () => {
      $("connection").className = "connection offline";
      $("connection").textContent = "重新连接… Reconnecting…";
    });
    stream.addEventListener("verdict", (event) => {
      const message = JSON.parse(event.data);
      showVerdict(message.verdict, message.source, message.at);
      if (message.verdict.reason === "no_staff") refreshSession();
      refreshRecent();
      refreshStatus();
    });
    stream.addEventListener("device", () => refreshStatus());
  }

  // Keep the cursor in the manual entry field (the PIN field on the sign-in screen), except while a void waits for its
  // confirmation.
  function focusEntry() {
    if (signInShown()) { if (!$("pin-form").hidden) $("pin").focus(); return; }
    if (!$("approval").hidden) return;
    if (!state.confirming) $("code").focus();
  }

  document.addEventListener("DOMContentLoaded", () => {
    $("manual").addEventListener("submit", redeemTyped);
    $("mute").addEventListener("click", () => {
      state.muted = !state.muted;
      localStorage.setItem("counterd-muted", state.muted ? "1" : "0");
      showMute();
      focusEntry();
    });
    $("code").addEventListener("blur", () => setTimeout(focusEntry, 200));
    $("pin-form").addEventListener("submit", signIn);
    $("approval").addEventListener("submit", approve);
    $("approval-cancel").addEventListener("click", closeApproval);
    $("training-toggle").addEventListener("click", async () => {
      const { status, data } = await postJSON("training", { training: !state.training });
      $("notice").textContent = status === 200 ? (data.training ? "练习模式已开 Training mode on" : "练习模式已关 Training mode off")
        : ((data.error && data.error.message) || ("HTTP " + status));
      refreshStatus();
    });
    for (const [id, path] of [["shift-open", "shift/open"], ["shift-print", "shift/print"], ["shift-close", "shift/close"]]) {
      $(id).addEventListener("click", () => shiftAction(path, $(id)));
    }
    $("lock").addEventListener("click", () => endSession("lock"));
    $("signout").addEventListener("click", () => endSession("signout"));
    showMute();
    focusEntry();
    connect();
    refreshSession();
    refreshStatus();
    refreshRecent();
    // The session's idle timeout ends it at counterd: polling notices and shows the sign-in screen.
    // The list too: a void button goes away when its window closes.
    setInterval(() => { refreshStatus(); refreshSession(); if (!state.confirming) refreshRecent(); }, 10000);
    // On the sign-in screen, a staff badge scanned on any scanner signs its holder in: the page asks every 2 s.
    setInterval(async () => {
      if (!signInShown()) return;
      const { status } = await postJSON("session/badge", {});
      if (status === 200) { await refreshSession(); refreshRecent(); }
    }, 2000);
  });
})();
"""#
}
