/* shopassist chat widget: one <script src=".../widget.js"> tag, no build step. Shadow DOM keeps the host page's
   CSS out. Options as data attributes on the script tag: data-lang (en|zh), data-token (shop-signed shopper
   token), data-open (start opened). API: window.ShopAssist.setToken(token), .open(), .setLanguage(lang).
   Add-to-cart dispatches a cancelable `shopassist:add-to-cart` event on window; if the shop does not
   preventDefault() it, the widget asks the assistant to add it (which then needs the shopper's confirmation).
   Behaviour `event` frames feed the shopper's profile: `view` for the first VIEWED cards of a live answer,
   `click` on a card's link, `add_to_cart` when the shop handled the add itself (an add through the assistant is
   recorded by the server when the shopper confirms it). While a turn works, its latest `status` frame shows as a
   live line in the assistant's bubble until the answer starts. Icons are inline SVG: emoji render as empty boxes
   on machines without an emoji font. */
(function () {
  "use strict";
  if (window.ShopAssist) return;
  var script = document.currentScript;
  var base = new URL(script ? script.src : "/widget.js", location.href);
  var wsUrl = (base.protocol === "https:" ? "wss://" : "ws://") + base.host + "/ws/chat";
  var STORE = "shopassist.session";
  var VIEWED = 3;  // view events for only the first cards of an answer: the rest are often never looked at
  var SILENT_ERRORS = ["unknown_product", "events_rate_limited"];
  var T = {
    en: { title: "Shopping assistant", placeholder: "Ask about products, orders, returns…", send: "Send",
          addToCart: "Add to cart", added: "Added", sources: "Sources", confirm: "Confirm", reject: "Cancel",
          confirmed: "Done", rejected: "Cancelled", failed: "Failed", queued: "Connecting you to a person…",
          human: "You are chatting with our support team.", bot: "You are back with the assistant.",
          reconnecting: "Reconnecting…", operator: "Support", you: "You", assistant: "Assistant",
          thanks: "Thanks for the feedback!", open: "Chat", close: "Close", lang: "中文",
          up: "Helpful", down: "Not helpful",
          alert_below: "Price alert", alert_any_drop: "Price drop", alert_back_in_stock: "Back in stock",
          alert_auto_order: "Automatic order",
          remembered: "Remembered for your next searches",
          rememberedHint: "Ask \u201cwhat do you know about me?\u201d to see or change them.",
          priceChart: "Price over the last 12 months", low: "Low", high: "High", today: "Today",
          addMessage: function (t, id) { return "Please add " + t + " (product " + id + ") to my cart."; } },
    zh: { title: "购物助手", placeholder: "问问商品、订单、退换货…", send: "发送", addToCart: "加入购物车",
          added: "已添加", sources: "来源", confirm: "确认", reject: "取消", confirmed: "已完成", rejected: "已取消",
          failed: "失败", queued: "正在为您转接人工客服…", human: "您正在与客服人员对话。", bot: "已切回智能助手。",
          reconnecting: "正在重新连接…", operator: "客服", you: "我", assistant: "助手", thanks: "感谢您的反馈！",
          open: "咨询", close: "关闭", lang: "EN", up: "有帮助", down: "没帮助",
          alert_below: "降价提醒", alert_any_drop: "降价通知", alert_back_in_stock: "到货提醒",
          alert_auto_order: "自动购买",
          remembered: "已记住，以后搜索时会用到",
          rememberedHint: "问\u201c你知道我什么？\u201d即可查看或修改。",
          priceChart: "近12个月价格走势", low: "最低", high: "最高", today: "今天",
          addMessage: function (t, id) { return "请把 " + t + "（商品 " + id + "）加入我的购物车。"; } }
  };
  // 24×24 stroke paths (after Feather icons, MIT).
  var ICONS = {
    chat: "M21 15a2 2 0 0 1-2 2H7l-4 4V5a2 2 0 0 1 2-2h14a2 2 0 0 1 2 2z",
    close: "M18 6 6 18M6 6l12 12",
    bag: "M6 2 3 6v14a2 2 0 0 0 2 2h14a2 2 0 0 0 2-2V6l-3-4zM3 6h18M16 10a4 4 0 0 1-8 0",
    up: "M14 9V5a3 3 0 0 0-3-3l-4 9v11h11.28a2 2 0 0 0 2-1.7l1.38-9a2 2 0 0 0-2-2.3zM7 22H4a2 2 0 0 1-2-2v-7a2 2 " +
        "0 0 1 2-2h3",
    down: "M10 15v4a3 3 0 0 0 3 3l4-9V2H5.72a2 2 0 0 0-2 1.7l-1.38 9a2 2 0 0 0 2 2.3zm7-13h2.67A2.31 2.31 0 0 1 " +
          "22 4v7a2.31 2.31 0 0 1-2.33 2H17"
  };
  var STYLE = [
    ":host{all:initial}",
    "*{box-sizing:border-box;font-family:system-ui,-apple-system,'Segoe UI','PingFang SC','Noto Sans CJK SC',sans-serif}",
    ".launcher{position:fixed;right:20px;bottom:20px;z-index:2147483000;border:0;border-radius:28px;padding:14px 20px;",
    "background:#1f6feb;color:#fff;font-size:15px;cursor:pointer;box-shadow:0 4px 14px rgba(0,0,0,.25);",
    "display:flex;align-items:center;gap:8px}",
    "svg.icon{width:18px;height:18px;flex:none;display:block}",
    ".panel{position:fixed;right:20px;bottom:20px;z-index:2147483001;width:380px;max-width:calc(100vw - 24px);",
    "height:600px;max-height:calc(100vh - 40px);display:none;flex-direction:column;background:#fff;color:#1b1f24;",
    "border-radius:14px;box-shadow:0 8px 30px rgba(0,0,0,.3);overflow:hidden;font-size:14px}",
    ".panel.open{display:flex}",
    "header{display:flex;align-items:center;gap:8px;padding:12px 14px;background:#1f6feb;color:#fff}",
    "header .t{flex:1;font-weight:600;font-size:15px}",
    "header button{background:rgba(255,255,255,.18);color:#fff;border:0;border-radius:6px;padding:4px 8px;cursor:pointer;",
    "display:flex;align-items:center}",
    "header button svg.icon{width:16px;height:16px}",
    ".status{padding:6px 14px;font-size:12px;background:#fff8c5;color:#5c4a00;display:none}",
    ".status.on{display:block}",
    ".log{flex:1;overflow-y:auto;padding:12px;display:flex;flex-direction:column;gap:8px;background:#f6f8fa}",
    ".log>*{flex-shrink:0}",
    ".msg{max-width:88%;padding:8px 11px;border-radius:12px;white-space:pre-wrap;line-height:1.4;word-wrap:break-word}",
    ".user{align-self:flex-end;background:#1f6feb;color:#fff}",
    ".assistant{align-self:flex-start;background:#fff;border:1px solid #d0d7de}",
    ".operator{align-self:flex-start;background:#dafbe1;border:1px solid #4ac26b}",
    ".who{font-size:11px;color:#57606a;margin-bottom:2px}",
    ".err{align-self:center;color:#cf222e;font-size:12px}",
    ".cards{display:flex;gap:8px;overflow-x:auto;padding:2px 0 4px;align-self:stretch}",
    ".card{flex:0 0 150px;background:#fff;border:1px solid #d0d7de;border-radius:10px;padding:8px;display:flex;",
    "flex-direction:column;gap:4px}",
    ".card img{width:100%;height:90px;object-fit:cover;border-radius:6px;background:#eaeef2}",
    ".card .ph{width:100%;height:90px;border-radius:6px;background:linear-gradient(135deg,#dbe7ff,#f0f4ff);",
    "display:flex;align-items:center;justify-content:center;color:#1f6feb}",
    ".card .ph svg.icon{width:34px;height:34px;opacity:.7}",
    ".card a{color:#1b1f24;font-weight:600;font-size:13px;text-decoration:none;line-height:1.25}",
    ".card .price{color:#1a7f37;font-weight:600}",
    ".card .why{font-size:11px;color:#57606a}",
    ".card button,.action button{border:0;border-radius:6px;padding:6px;cursor:pointer;background:#1f6feb;color:#fff}",
    ".card button[disabled]{background:#8c959f}",
    ".cites{font-size:11px;color:#57606a;align-self:flex-start}",
    ".notice{align-self:stretch;background:#fff;border:1px solid #1a7f37;border-left-width:4px;border-radius:10px;",
    "padding:8px 10px;display:flex;flex-direction:column;gap:3px}",
    ".notice .kind{font-size:11px;font-weight:600;color:#1a7f37;letter-spacing:.02em}",
    ".notice .price{color:#1a7f37;font-weight:600}",
    ".notice.pref{border-color:#1f6feb}.notice.pref .kind{color:#1f6feb}",
    ".notice .chips{display:flex;flex-wrap:wrap;gap:4px;margin:4px 0}",
    ".notice .chip{background:#eef4ff;color:#1f3b70;border-radius:999px;padding:2px 8px;font-size:12px}",
    ".notice .hint{font-size:11px;color:#57606a}",
    ".notice.chart{border-color:#8250df}.notice.chart .kind{color:#8250df}",
    ".notice.chart svg{width:100%;height:auto;display:block}.notice .title{font-weight:600}",
    ".notice .range{display:flex;justify-content:space-between;font-size:12px;color:#57606a}",
    ".action{align-self:stretch;background:#fff;border:1px solid #bf8700;border-radius:10px;padding:8px;",
    "display:flex;flex-direction:column;gap:6px}",
    ".action .row{display:flex;gap:6px}.action .no{background:#6e7781}",
    ".thumbs{display:flex;gap:4px;align-self:flex-start}",
    ".thumbs button{border:1px solid #d0d7de;background:#fff;color:#57606a;border-radius:6px;cursor:pointer;padding:4px 6px}",
    ".thumbs button:hover{color:#1f6feb;border-color:#1f6feb}",
    ".thumbs svg.icon{width:14px;height:14px}",
    ".progress{display:flex;align-items:center;gap:8px;color:#57606a;font-size:12.5px;white-space:normal}",
    ".progress .dots{display:flex;gap:3px;flex:none}",
    ".progress .dots i{width:5px;height:5px;border-radius:50%;background:#1f6feb;opacity:.25;",
    "animation:sa-pulse 1.2s infinite ease-in-out}",
    ".progress .dots i:nth-child(2){animation-delay:.2s}.progress .dots i:nth-child(3){animation-delay:.4s}",
    "@keyframes sa-pulse{0%,80%,100%{opacity:.25;transform:scale(.8)}40%{opacity:1;transform:scale(1)}}",
    "@media (prefers-reduced-motion:reduce){.progress .dots i{animation:none;opacity:.6}}",
    "form{display:flex;gap:6px;padding:10px;border-top:1px solid #d0d7de;background:#fff}",
    "input{flex:1;border:1px solid #d0d7de;border-radius:8px;padding:9px;font-size:14px}",
    "form button{border:0;border-radius:8px;padding:0 14px;background:#1f6feb;color:#fff;cursor:pointer}"
  ].join("");

  function el(tag, cls, text) {
    var node = document.createElement(tag);
    if (cls) node.className = cls;
    if (text != null) node.textContent = text;
    return node;
  }
  function icon(name) {
    var ns = "http://www.w3.org/2000/svg";
    var svg = document.createElementNS(ns, "svg");
    var attrs = { viewBox: "0 0 24 24", fill: "none", stroke: "currentColor", "stroke-width": "2",
                  "stroke-linecap": "round", "stroke-linejoin": "round", "aria-hidden": "true", focusable: "false" };
    Object.keys(attrs).forEach(function (k) { svg.setAttribute(k, attrs[k]); });
    svg.setAttribute("class", "icon");
    var path = document.createElementNS(ns, "path");
    path.setAttribute("d", ICONS[name]);
    svg.appendChild(path);
    return svg;
  }
  // Step line of each price from when it took effect until the next; sold-out stretches in grey, dashed.
  function priceChart(f, todayLabel, lang) {
    var ns = "http://www.w3.org/2000/svg", W = 340, H = 110, PAD = 6, BOTTOM = 16;
    var start = Date.parse(f.since), end = Date.parse(f.until), pts = f.points || [];
    var prices = pts.map(function (p) { return p.price; }).concat([f.price_now]);
    var lo = Math.min.apply(null, prices), hi = Math.max.apply(null, prices), pad = (hi - lo) * 0.1 || lo * 0.05 || 1;
    function x(t) { return PAD + (W - 2 * PAD) * Math.min(1, Math.max(0, (t - start) / (end - start || 1))); }
    function y(v) { return PAD + (H - PAD - BOTTOM) * (1 - (v - lo + pad) / (hi - lo + 2 * pad)); }
    var svg = document.createElementNS(ns, "svg");
    svg.setAttribute("viewBox", "0 0 " + W + " " + H);
    svg.setAttribute("aria-hidden", "true");
    function add(tag, attrs, text) {
      var node = document.createElementNS(ns, tag);
      Object.keys(attrs).forEach(function (k) { node.setAttribute(k, attrs[k]); });
      if (text != null) node.textContent = text;
      svg.appendChild(node);
      return node;
    }
    add("line", { x1: PAD, x2: W - PAD, y1: H - BOTTOM, y2: H - BOTTOM, stroke: "#d0d7de" });
    pts.forEach(function (p, i) {
      var from = x(Date.parse(p.at)), to = i + 1 < pts.length ? x(Date.parse(pts[i + 1].at)) : x(end);
      var level = y(p.price), next = i + 1 < pts.length ? y(pts[i + 1].price) : level;
      var d = "M" + from.toFixed(1) + " " + level.toFixed(1) + "H" + to.toFixed(1) + "V" + next.toFixed(1);
      add("path", { d: d, fill: "none", stroke: p.in_stock ? "#8250df" : "#8c959f", "stroke-width": "2",
                    "stroke-dasharray": p.in_stock ? "" : "3 3", "data-price": String(p.price) });
    });
    add("circle", { cx: x(end), cy: y(f.price_now), r: 3.5, fill: "#1a7f37" });
    var locale = lang === "zh" ? "zh-CN" : "en-US";
    add("text", { x: PAD, y: H - 3, "font-size": "10", fill: "#57606a" },
        new Date(start).toLocaleDateString(locale, { month: "short", year: "numeric" }));
    add("text", { x: W - PAD, y: H - 3, "font-size": "10", fill: "#57606a", "text-anchor": "end" }, todayLabel);
    return svg;
  }
  function safeUrl(url) {
    if (!url) return "";
    try { var u = new URL(url, location.href); return /^https?:$/.test(u.protocol) ? u.href : ""; }
    catch (e) { return ""; }
  }
  function newId() {
    return (crypto.randomUUID ? crypto.randomUUID() : String(Date.now()) + Math.random().toString(16).slice(2));
  }

  function Widget(options) {
    this.lang = options.lang === "zh" ? "zh" : "en";
    this.token = options.token || null;
    this.sessionId = localStorage.getItem(STORE);
    this.pending = {};      // client_message_id -> text, until acked (resent after a reconnect)
    this.sent = {};         // client_message_id -> text: a turn its server lost (`interrupted`) is resent by id
    this.live = null;       // the assistant bubble being streamed
    this.attempt = 0;
    this.build(options.open);
    this.connect();
  }
  Widget.prototype.t = function (key) { return T[this.lang][key]; };
  Widget.prototype.build = function (startOpen) {
    var host = el("div");
    host.id = "shopassist-widget";
    document.body.appendChild(host);
    var root = host.attachShadow({ mode: "open" });
    var style = el("style");
    style.textContent = STYLE;
    root.appendChild(style);
    this.launcher = el("button", "launcher");
    this.launcher.setAttribute("data-role", "launcher");
    this.panel = el("div", "panel");
    this.panel.setAttribute("data-role", "panel");
    var header = el("header");
    this.titleEl = el("span", "t");
    this.langBtn = el("button");
    this.langBtn.setAttribute("data-role", "language");
    this.closeBtn = el("button");
    header.append(this.titleEl, this.langBtn, this.closeBtn);
    this.status = el("div", "status");
    this.status.setAttribute("data-role", "status");
    this.log = el("div", "log");
    this.log.setAttribute("data-role", "log");
    this.form = el("form");
    this.input = el("input");
    this.input.setAttribute("data-role", "input");
    this.sendBtn = el("button");
    this.sendBtn.type = "submit";
    this.form.append(this.input, this.sendBtn);
    this.panel.append(header, this.status, this.log, this.form);
    root.append(this.launcher, this.panel);
    var self = this;
    this.launcher.onclick = function () { self.open(); };
    this.closeBtn.onclick = function () { self.panel.classList.remove("open"); self.launcher.style.display = ""; };
    this.langBtn.onclick = function () { self.setLanguage(self.lang === "en" ? "zh" : "en"); };
    this.form.onsubmit = function (e) {
      e.preventDefault();
      var text = self.input.value.trim();
      if (text) { self.input.value = ""; self.send(text); }
    };
    this.labels();
    if (startOpen) this.open();
  };
  Widget.prototype.labels = function () {
    this.launcher.replaceChildren(icon("chat"), el("span", "", this.t("open")));
    this.titleEl.textContent = this.t("title");
    this.langBtn.textContent = this.t("lang");
    this.closeBtn.replaceChildren(icon("close"));
    this.closeBtn.title = this.t("close");
    this.closeBtn.setAttribute("aria-label", this.t("close"));
    this.input.placeholder = this.t("placeholder");
    this.sendBtn.textContent = this.t("send");
  };
  Widget.prototype.open = function () {
    this.panel.classList.add("open");
    this.launcher.style.display = "none";
    this.input.focus();
  };
  Widget.prototype.setLanguage = function (lang) { this.lang = lang === "zh" ? "zh" : "en"; this.labels(); };
  Widget.prototype.setToken = function (token) {
    this.token = token || null;
    if (this.ws) this.ws.close();
  };
  Widget.prototype.note = function (text) {
    this.status.textContent = text || "";
    this.status.classList.toggle("on", !!text);
  };

  Widget.prototype.connect = function () {
    var self = this;
    var ws = new WebSocket(wsUrl);
    this.ws = ws;
    ws.onopen = function () {
      ws.send(JSON.stringify({ type: "hello", session_id: self.sessionId, token: self.token, language: self.lang }));
    };
    ws.onmessage = function (event) { self.receive(JSON.parse(event.data)); };
    ws.onclose = function () {
      if (self.ws !== ws) return;
      self.note(self.t("reconnecting"));
      // Exponential backoff with jitter, capped at 15 s.
      var delay = Math.min(15000, 500 * Math.pow(2, self.attempt++)) * (0.75 + Math.random() * 0.5);
      setTimeout(function () { self.connect(); }, delay);
    };
  };
  Widget.prototype.frame = function (frame) {
    if (this.ws && this.ws.readyState === WebSocket.OPEN) { this.ws.send(JSON.stringify(frame)); return true; }
    return false;
  };
  Widget.prototype.track = function (kind, productId) {
    this.frame({ type: "event", kind: kind, product_id: productId });
  };
  Widget.prototype.send = function (text) {
    var id = newId();
    this.pending[id] = text;
    this.sent[id] = text;
    this.bubble("user", text);
    this.frame({ type: "message", text: text, client_message_id: id, language: this.lang });
  };

  Widget.prototype.receive = function (f) {
    var handler = this["on_" + f.type];
    if (handler) handler.call(this, f);
  };
  Widget.prototype.on_session = function (f) {
    this.attempt = 0;
    this.note(f.state === "bot" ? "" : this.t(f.state));
    if (f.session_id !== this.sessionId) { localStorage.setItem(STORE, f.session_id); }
    this.sessionId = f.session_id;
    var answered = {};
    this.log.textContent = "";
    this.live = null;
    var self = this;
    f.history.forEach(function (item) {
      if (item.client_message_id) answered[item.client_message_id] = true;
      self.bubble(item.role, item.text);
      if (item.role === "assistant") {
        self.cards(item.products);
        self.citations(item.citations);
        self.thumbs(item.message_id);
      }
    });
    // Messages typed while offline (never stored) are shown and sent now, with their original ids.
    Object.keys(this.pending).forEach(function (id) {
      if (!answered[id]) {
        self.bubble("user", self.pending[id]);
        self.frame({ type: "message", text: self.pending[id], client_message_id: id, language: self.lang });
      }
    });
  };
  Widget.prototype.on_ack = function (f) {
    delete this.pending[f.client_message_id];
  };
  // Turns of one conversation run one at a time, so one live bubble receives the streamed tokens.
  Widget.prototype.liveBubble = function () {
    if (!this.live) this.live = this.bubble("assistant", "");
    return this.live;
  };
  // The latest `status` shows in the live bubble until the answer itself (tokens, cards or done) arrives.
  Widget.prototype.on_status = function (f) {
    var bubble = this.liveBubble();
    if (bubble.answered) return;
    if (!bubble.progress) {
      bubble.progress = el("div", "progress");
      bubble.progress.setAttribute("data-role", "turn-status");
      bubble.progress.setAttribute("role", "status");
      bubble.progress.setAttribute("aria-live", "polite");
      var dots = el("span", "dots");
      dots.setAttribute("aria-hidden", "true");
      dots.append(el("i"), el("i"), el("i"));
      bubble.progressText = el("span");
      bubble.progress.append(dots, bubble.progressText);
      bubble.node.insertBefore(bubble.progress, bubble.text);
    }
    bubble.progressText.textContent = f.text;
    this.scroll();
  };
  Widget.prototype.answering = function () {
    var bubble = this.liveBubble();
    bubble.answered = true;
    if (bubble.progress) { bubble.progress.remove(); bubble.progress = null; }
    return bubble;
  };
  Widget.prototype.on_token = function (f) { this.answering().text.textContent += f.text; this.scroll(); };
  Widget.prototype.on_products = function (f) {
    this.answering();
    this.cards(f.products);
    var self = this;
    f.products.slice(0, VIEWED).forEach(function (p) { self.track("view", p.id); });
  };
  Widget.prototype.on_citations = function (f) { this.citations(f.citations); };
  Widget.prototype.on_done = function (f) {
    var bubble = this.answering();
    if (f.text) bubble.text.textContent = f.text;
    bubble.node.setAttribute("data-done", "true");
    this.live = null;
    this.thumbs(f.message_id);
  };
  Widget.prototype.on_error = function (f) {
    if (SILENT_ERRORS.indexOf(f.code) >= 0) return;  // about a behaviour event: nothing the shopper must see
    if (f.code === "interrupted" && this.sent[f.client_message_id]) {  // same id: the server runs it once
      this.frame({ type: "message", text: this.sent[f.client_message_id], client_message_id: f.client_message_id,
                   language: this.lang });
      return;
    }
    if (f.client_message_id && this.live) { this.answering(); this.live = null; }
    if (f.code === "token_expired" || f.code === "token_invalid") this.token = null;
    var node = el("div", "err", f.message);
    node.setAttribute("data-role", "error");
    this.log.appendChild(node);
    this.scroll();
  };
  Widget.prototype.on_handoff = function () { this.note(this.t("queued")); };
  Widget.prototype.on_state = function (f) {
    this.note(f.state === "bot" ? "" : this.t(f.state));
    if (f.state === "bot") { var n = el("div", "err", this.t("bot")); n.style.color = "#57606a"; this.log.appendChild(n); }
  };
  Widget.prototype.on_operator = function (f) { this.bubble("operator", f.text); };
  Widget.prototype.on_action_required = function (f) { this.action(f); };
  // A price or stock alert the shopper set: its sentence comes from the server in the session's language.
  Widget.prototype.on_notification = function (f) {
    var box = el("div", "notice");
    box.setAttribute("data-role", "notification");
    box.setAttribute("role", "status");
    box.appendChild(el("div", "kind", this.t("alert_" + f.kind)));
    box.appendChild(el("div", "", f.text));
    box.appendChild(el("div", "price", new Intl.NumberFormat(this.lang === "zh" ? "zh-CN" : "en-US",
      { style: "currency", currency: f.currency || "USD" }).format(f.price)));
    this.log.appendChild(box);
    this.scroll();
  };
  // Preferences the signed-in shopper stated and the assistant kept, one chip each (worded by the server).
  Widget.prototype.on_preference_noted = function (f) {
    var box = el("div", "notice pref");
    box.setAttribute("data-role", "preference-noted");
    box.setAttribute("role", "status");
    box.appendChild(el("div", "kind", this.t("remembered")));
    var items = f.items || [];
    if (items.length) {
      var chips = el("div", "chips");
      items.forEach(function (item) { chips.appendChild(el("span", "chip", item)); });
      box.appendChild(chips);
    } else {
      box.appendChild(el("div", "", f.text));
    }
    box.appendChild(el("div", "hint", this.t("rememberedHint")));
    this.log.appendChild(box);
    this.scroll();
  };
  // A product's price over the last year as a step chart drawn here (inline SVG); every text is set as text.
  Widget.prototype.on_price_history = function (f) {
    var fmt = new Intl.NumberFormat(this.lang === "zh" ? "zh-CN" : "en-US",
      { style: "currency", currency: f.currency || "USD" });
    var box = el("div", "notice chart");
    box.setAttribute("data-role", "price-history");
    box.setAttribute("role", "figure");
    box.appendChild(el("div", "kind", this.t("priceChart")));
    box.appendChild(el("div", "title", f.title + " \u2014 " + fmt.format(f.price_now)));
    box.appendChild(priceChart(f, this.t("today"), this.lang));
    var range = el("div", "range");
    if (f.low != null) range.appendChild(el("span", "", this.t("low") + " " + fmt.format(f.low)));
    if (f.high != null) range.appendChild(el("span", "", this.t("high") + " " + fmt.format(f.high)));
    box.appendChild(range);
    box.appendChild(el("div", "", f.text));
    this.log.appendChild(box);
    this.scroll();
  };
  Widget.prototype.on_action_result = function (f) {
    var card = this.log.querySelector('[data-action="' + CSS.escape(f.action_id) + '"]');
    if (!card) return;
    card.querySelector(".row").textContent = this.t(f.status) + (f.message ? " — " + f.message : "");
  };

  Widget.prototype.bubble = function (role, text) {
    var node = el("div", "msg " + role);
    node.setAttribute("data-role", role);
    if (role !== "user") node.appendChild(el("div", "who", this.t(role)));
    var body = el("span", "", text);
    node.appendChild(body);
    this.log.appendChild(node);
    this.scroll();
    return { node: node, text: body };
  };
  Widget.prototype.cards = function (products) {
    if (!products || !products.length) return;
    var row = el("div", "cards");
    row.setAttribute("data-role", "cards");
    var self = this;
    products.forEach(function (p) {
      var card = el("div", "card");
      card.setAttribute("data-role", "product");
      var image = safeUrl(p.image);
      if (image) { var img = el("img"); img.src = image; img.alt = ""; card.appendChild(img); }
      else { var ph = el("div", "ph"); ph.appendChild(icon("bag")); card.appendChild(ph); }
      var link = el("a", "", p.title);
      var url = safeUrl(p.url);
      if (url) { link.href = url; link.target = "_top"; }
      link.onclick = function () { self.track("click", p.id); };
      card.appendChild(link);
      card.appendChild(el("div", "price", new Intl.NumberFormat(self.lang === "zh" ? "zh-CN" : "en-US",
        { style: "currency", currency: p.currency || "USD" }).format(p.price)));
      if (p.reason) card.appendChild(el("div", "why", p.reason));
      var add = el("button", "", self.t("addToCart"));
      add.setAttribute("data-role", "add-to-cart");
      add.onclick = function () {
        var event = new CustomEvent("shopassist:add-to-cart", { detail: { product: p }, cancelable: true });
        if (window.dispatchEvent(event)) self.send(self.t("addMessage")(p.title, p.id));
        else self.track("add_to_cart", p.id);
        add.textContent = self.t("added");
        add.disabled = true;
      };
      card.appendChild(add);
      row.appendChild(card);
    });
    this.log.appendChild(row);
    this.scroll();
  };
  Widget.prototype.citations = function (citations) {
    if (!citations || !citations.length) return;
    var names = citations.map(function (c) { return c.title + (c.section ? " › " + c.section : ""); });
    var node = el("div", "cites", this.t("sources") + ": " + names.join(" · "));
    node.setAttribute("data-role", "citations");
    this.log.appendChild(node);
  };
  Widget.prototype.action = function (f) {
    var box = el("div", "action");
    box.setAttribute("data-action", f.action_id);
    box.appendChild(el("div", "", f.summary));
    var row = el("div", "row");
    var yes = el("button", "", this.t("confirm"));
    var no = el("button", "no", this.t("reject"));
    var self = this;
    yes.onclick = function () { self.frame({ type: "confirm", action_id: f.action_id }); };
    no.onclick = function () { self.frame({ type: "reject", action_id: f.action_id }); };
    row.append(yes, no);
    box.appendChild(row);
    this.log.appendChild(box);
    this.scroll();
  };
  Widget.prototype.thumbs = function (messageId) {
    var row = el("div", "thumbs");
    var self = this;
    ["up", "down"].forEach(function (rating) {
      var b = el("button");
      b.appendChild(icon(rating));
      b.title = self.t(rating);
      b.setAttribute("aria-label", self.t(rating));
      b.setAttribute("data-role", "thumb-" + rating);
      b.onclick = function () {
        self.frame({ type: "feedback", message_id: messageId, rating: rating });
        row.textContent = self.t("thanks");
      };
      row.appendChild(b);
    });
    this.log.appendChild(row);
    this.scroll();
  };
  Widget.prototype.scroll = function () { this.log.scrollTop = this.log.scrollHeight; };

  function mount() {
    var data = script ? script.dataset : {};
    var widget = new Widget({ lang: data.lang || (navigator.language || "").slice(0, 2), token: data.token,
                              open: data.open === "true" });
    window.ShopAssist = {
      open: function () { widget.open(); },
      setToken: function (token) { widget.setToken(token); },
      setLanguage: function (lang) { widget.setLanguage(lang); },
      send: function (text) { widget.send(text); }
    };
  }
  if (document.body) mount(); else document.addEventListener("DOMContentLoaded", mount);
})();
