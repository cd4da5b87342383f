/*
 * Tokyo Life-Event Concierge — embeddable chat widget. No build step, no dependencies, nothing from a CDN.
 *
 *   <script src="https://HOST/widget.js" data-municipality="131121" data-lang="ja" defer></script>
 *
 * data-lang: ja (default), easy (やさしい日本語) or en; the resident can switch in the panel's header. Until the
 * page or the resident picks easy or en, the server detects the language of each message (kana-only writing gets
 * やさしい日本語) and the panel follows the language of the reply.
 *
 * Renders a launcher button and a chat panel inside a Shadow DOM (the host page's CSS cannot break it and it
 * cannot break the page). Every string from the server or the resident is inserted with textContent only;
 * links are created only for http(s) URLs.
 */
(function () {
  "use strict";
  var script = document.currentScript || document.querySelector('script[src*="widget.js"]');
  if (!script || window.__lifeEventConcierge) return;
  window.__lifeEventConcierge = true;

  var BASE = new URL(script.getAttribute("src"), document.baseURI);
  var API = (script.dataset.api ? new URL(script.dataset.api, document.baseURI) : BASE).origin;
  var MUNICIPALITY = /^13\d{4}$/.test(script.dataset.municipality || "") ? script.dataset.municipality : null;
  var LANGS = ["ja", "easy", "en"];
  var state = { lang: LANGS.indexOf(script.dataset.lang) >= 0 ? script.dataset.lang : "ja", session: null, busy: false, open: false };
  var chosen = state.lang !== "ja";  // an explicit language (page or resident) is sent; otherwise the server detects

  var T = {
    ja: {
      launcher: "手続きコンシェルジュ", title: "手続きコンシェルジュ", close: "閉じる", restart: "最初から",
      langGroup: "表示する言語", input: "できごとを入力してください",
      placeholder: "例：先週、子どもが生まれました", send: "送信", thinking: "回答を作成しています…",
      greeting: "こんにちは。出産・引っ越し・おくやみ・介護など、あったことを教えてください。必要な手続きと期限、持ち物をまとめてご案内します。",
      due: "期限", office: "窓口", bring: "持ち物", online: "オンライン申請", sources: "出典", why: "理由",
      maybe: "条件によっては必要な手続き", applies: "必要な手続き", checklist: "持ち物チェックリスト（まとめて）",
      milestones: "この先の予定", pages: "参考ページ", save: "保存・カレンダー・印刷", saving: "保存しています…",
      saved: "保存しました。バンドル番号", open: "バンドルを開く", ics: "カレンダーに追加（.ics）",
      feed: "カレンダーを購読", feedUrl: "購読用のアドレス（カレンダーアプリに貼り付け）", copy: "コピー",
      copied: "コピーしました", print: "印刷用ページ",
      switched: "ここからは日本語でお答えします（上のご案内は前の言語のままです）。", error: "エラーが発生しました。", you: "あなた",
      bot: "コンシェルジュ", noDeadline: "期限の定めなし", quick: "回答の候補", skip: "スキップ",
      network: "サーバーに接続できませんでした。時間をおいてもう一度お試しください。", opens: "受付開始",
      kind_official: "公式", kind_public: "公的機関", kind_private: "非公式・要確認", kind_copy: "保存コピー",
      reference: "参考：他の区市町村のページ", pageDate: "ページの日付", noPageDate: "ページに日付の記載なし",
      unconfirmed: "公式ページで未確認"
    },
    easy: {
      launcher: "てつづきの あんない", title: "てつづきの あんない", close: "とじる", restart: "はじめから",
      langGroup: "ことば", input: "あったことを 書いて ください",
      placeholder: "れい：子どもが うまれました", send: "おくる", thinking: "こたえを 作って います…",
      greeting: "こんにちは。子どもが うまれた、ひっこし、かぞくが なくなった など、あったことを 書いて ください。する てつづき、きげん、もって いく ものを おしえます。",
      due: "きげん", office: "まどぐち", bring: "もって いく もの", online: "オンラインで もうしこむ", sources: "でどころ", why: "りゆう",
      maybe: "ひつような ときが ある てつづき", applies: "する てつづき", checklist: "もって いく もの（まとめ）",
      milestones: "これからの よてい", pages: "さんこうの ページ", save: "ほぞん・カレンダー・いんさつ", saving: "ほぞん して います…",
      saved: "ほぞん しました。ばんごう", open: "まとめを ひらく", ics: "カレンダーに 入れる（.ics）",
      feed: "カレンダーを こうどく する", feedUrl: "こうどく する アドレス（カレンダーの アプリに はる）",
      copy: "コピー", copied: "コピー しました", print: "いんさつ する ページ",
      switched: "ここからは やさしい にほんごで こたえます（上の あんないは まえの ことばの ままです）。", error: "エラーが おきました。", you: "あなた",
      bot: "あんない", noDeadline: "きげんは ありません", quick: "こたえの れい", skip: "スキップ",
      network: "サーバーに つながりません。すこし まって、もう 一ど ためして ください。", opens: "はじまる 日",
      kind_official: "こうしき", kind_public: "おおやけの きかん", kind_private: "こうしきでは ない・たしかめて ください",
      kind_copy: "ほぞんした コピー", reference: "さんこう：ほかの 区や 市の ページ", pageDate: "ページの 日づけ",
      noPageDate: "ページに 日づけが ありません", unconfirmed: "こうしきの ページで たしかめて いません"
    },
    en: {
      launcher: "Procedure concierge", title: "Procedure concierge", close: "Close", restart: "Start over",
      langGroup: "Language", input: "Tell me what happened",
      placeholder: "e.g. Our baby was born last week", send: "Send", thinking: "Preparing the answer…",
      greeting: "Hello. Tell me what happened — a birth, a move, a death in the family, care… I will list the procedures, their due dates and what to bring.",
      due: "Due", office: "Office", bring: "Bring", online: "Apply online", sources: "Sources", why: "Why",
      maybe: "Might also apply", applies: "Procedures to do", checklist: "What to bring (once each)",
      milestones: "Coming up", pages: "Pages", save: "Save / calendar / print", saving: "Saving…",
      saved: "Saved. Plan code", open: "Open the plan", ics: "Add to calendar (.ics)",
      feed: "Subscribe to the calendar", feedUrl: "Feed address (paste it into your calendar app)", copy: "Copy",
      copied: "Copied", print: "Printable page",
      switched: "From now on I answer in English (the plan above stays in the language it was written in).", error: "Something went wrong.", you: "You",
      bot: "Concierge", noDeadline: "No legal deadline", quick: "Suggested answers", skip: "skip",
      network: "Could not reach the server. Please try again in a moment.", opens: "Opens",
      kind_official: "Official", kind_public: "Public body", kind_private: "Unofficial – please confirm",
      kind_copy: "Stored copy", reference: "For reference: another municipality's page", pageDate: "Page dated",
      noPageDate: "page states no date", unconfirmed: "not confirmed on an official page"
    }
  };
  var READINGS = /（[\u3041-\u3096ー・ ]+）/g;  // the kana readings bot/render.py adds after harder kanji
  function t(key, lang) { return T[lang || state.lang][key]; }
  function htmlLang(lang) { return lang === "en" ? "en" : "ja"; }
  // Until the page or the resident picks a language, the server detects it from each message and the panel follows
  // the reply. What the panel shows before a reply (the "thinking" line, an error) follows the writing, by the
  // server's first rules: no Japanese script at all is English, kana without kanji is やさしい日本語.
  var JAPANESE_SCRIPT = /[\u3041-\u30ff\u3400-\u9fff\uf900-\ufaff\uff66-\uff9f]/;
  var KANJI = /[\u3400-\u9fff\uf900-\ufaff]/;
  function writtenLang(text) {
    if (chosen) return state.lang;
    if (!JAPANESE_SCRIPT.test(text)) return /[A-Za-z]{2}/.test(text) ? "en" : state.lang;
    if (!KANJI.test(text) && /[\u3041-\u3096]/.test(text)) return "easy";
    return state.lang === "easy" ? "easy" : "ja";
  }
  // "窓口：" / "Office: " and "必要な手続き（3）" / "Procedures to do (3)": no full-width marks in English
  function label(key) { return t(key) + (state.lang === "en" ? ": " : "："); }
  function counted(key, n) { return t(key) + (state.lang === "en" ? " (" + n + ")" : "（" + n + "）"); }

  // ---- tiny DOM helpers (text only) ----------------------------------------------------------------------
  function el(tag, attrs, children) {
    var node = document.createElement(tag);
    if (attrs) {
      Object.keys(attrs).forEach(function (k) {
        if (k === "text") node.textContent = attrs[k];
        else if (k === "class") node.className = attrs[k];
        else if (attrs[k] !== null && attrs[k] !== undefined && attrs[k] !== false) node.setAttribute(k, attrs[k]);
      });
    }
    (children || []).forEach(function (c) {
      if (c === null || c === undefined) return;
      node.appendChild(typeof c === "string" ? document.createTextNode(c) : c);
    });
    return node;
  }
  function safeUrl(url) {
    try {
      var u = new URL(url, API);
      return u.protocol === "https:" || u.protocol === "http:" ? u.href : null;
    } catch (e) { return null; }
  }
  function link(url, text, cls) {
    var href = safeUrl(url);
    if (!href) return el("span", { text: text });
    return el("a", { href: href, target: "_blank", rel: "noopener noreferrer", class: cls || null, text: text });
  }
  // a page of the saved plan opens in the panel's language
  function inPanelLang(url) {
    var href = safeUrl(url);
    if (!href) return url;
    var u = new URL(href);
    u.searchParams.set("lang", state.lang);
    return u.href;
  }
  // ---- provenance: a visible badge per source and the page's own date; screen readers hear both --------------
  var KIND_KEY = { municipal: "kind_official", metropolitan: "kind_official", national: "kind_official",
    "public-body": "kind_public", "copy-of-official": "kind_copy", "private": "kind_private" };
  function kindLabel(kind) { return t(KIND_KEY[kind] || "kind_private"); }
  function sourceItem(s) {
    var kind = KIND_KEY[s.kind] ? s.kind : "private";
    var date = s.page_date ? t("pageDate") + " " + formatDay(s.page_date) : t("noPageDate");
    var sep = state.lang === "en" ? "; " : "・";
    var info = [kindLabel(kind)].concat(s.reference ? [t("reference")] : [], s.publisher ? [s.publisher] : [], [date]).join(sep);
    var a = link(s.url, s.title);
    a.setAttribute("aria-label", s.title + (state.lang === "en" ? " (" + info + ")" : "（" + info + "）"));
    var parts = [el("span", { class: "badge kind-" + kind, "aria-hidden": "true", text: kindLabel(kind) })];
    if (s.reference) parts.push(el("span", { class: "badge ref", "aria-hidden": "true", text: t("reference") }));
    parts.push(a);
    parts.push(el("span", { class: "src-meta", "aria-hidden": "true", text: (s.publisher ? s.publisher + " · " : "") + date }));
    return el("li", { class: "source" + (s.reference ? " reference" : ""), "data-kind": kind }, parts);
  }
  function formatDay(iso) {
    var d = new Date(iso + "T00:00:00Z");
    if (isNaN(d)) return iso;
    var opts = { timeZone: "UTC", year: "numeric", month: "long", day: "numeric" };
    return new Intl.DateTimeFormat(state.lang === "en" ? "en-GB" : "ja-JP", opts).format(d);
  }
  function formatDate(iso) {
    var d = new Date(iso + "T00:00:00Z");
    if (isNaN(d)) return iso;
    var opts = { timeZone: "UTC", year: "numeric", month: "long", day: "numeric", weekday: "short" };
    return new Intl.DateTimeFormat(state.lang === "en" ? "en-GB" : "ja-JP", opts).format(d);
  }

  // ---- skeleton -----------------------------------------------------------------------------------------
  var host = el("div", { id: "life-event-concierge" });
  var root = host.attachShadow({ mode: "open" });
  root.appendChild(el("link", { rel: "stylesheet", href: new URL("/static/widget.css", BASE).href }));

  var launcher = el("button", { class: "launcher", type: "button", "aria-expanded": "false", "aria-controls": "lec-panel" });
  var launcherText = el("span", { text: t("launcher") });
  launcher.appendChild(el("span", { class: "launcher-icon", "aria-hidden": "true", text: "💬" }));
  launcher.appendChild(launcherText);

  var titleEl = el("h2", { id: "lec-title", class: "title", text: t("title") });
  // the language switch: each button names its language in that language
  var LANG_NAMES = { ja: "日本語", easy: "やさしい にほんご", en: "English" };
  var langBtns = LANGS.map(function (code) {
    return el("button", { type: "button", class: "ghost lang", "data-lang": code, lang: code === "en" ? "en" : "ja", text: LANG_NAMES[code] });
  });
  var langGroup = el("div", { class: "lang-switch", role: "group" }, langBtns);
  var restartBtn = el("button", { type: "button", class: "ghost restart" });
  var closeBtn = el("button", { type: "button", class: "ghost close" });
  var header = el("div", { class: "head" }, [titleEl, el("div", { class: "head-actions" }, [langGroup, restartBtn, closeBtn])]);

  var log = el("div", { class: "log", role: "log", "aria-live": "polite", "aria-relevant": "additions", "aria-labelledby": "lec-title" });
  var plan = el("div", { class: "plan" });
  var scroller = el("div", { class: "body", tabindex: "-1" }, [log, plan]);
  var status = el("div", { class: "status", role: "status", "aria-live": "polite" });
  var quick = el("div", { class: "quick", role: "group" });
  var inputLabel = el("label", { for: "lec-input", class: "sr-only" });
  var input = el("input", { id: "lec-input", type: "text", autocomplete: "off", maxlength: "2000", enterkeyhint: "send" });
  var sendBtn = el("button", { type: "submit", class: "send" });
  var form = el("form", { class: "composer" }, [inputLabel, input, sendBtn]);
  var panel = el("div", { id: "lec-panel", class: "panel", role: "dialog", "aria-modal": "false", "aria-labelledby": "lec-title", hidden: "" },
    [header, scroller, status, quick, form]);
  root.appendChild(launcher);
  root.appendChild(panel);

  function applyLabels() {
    panel.setAttribute("lang", htmlLang(state.lang));
    // what the widget already wrote (the greeting, speaker labels, buttons in the plan) follows the new language
    root.querySelectorAll("[data-t]").forEach(function (n) { n.textContent = t(n.dataset.t) + (n.dataset.suffix || ""); });
    launcherText.textContent = t("launcher");
    titleEl.textContent = t("title");
    langGroup.setAttribute("aria-label", t("langGroup"));
    langBtns.forEach(function (b) { b.setAttribute("aria-pressed", b.dataset.lang === state.lang ? "true" : "false"); });
    restartBtn.textContent = t("restart");
    closeBtn.textContent = "×";
    closeBtn.setAttribute("aria-label", t("close"));
    inputLabel.textContent = t("input");
    input.setAttribute("placeholder", t("placeholder"));
    sendBtn.textContent = t("send");
    quick.setAttribute("aria-label", t("quick"));
  }

  // ---- messages -----------------------------------------------------------------------------------------
  // text in ``lang`` when it differs from the panel's (the resident's writing, an error before the first reply);
  // ``key``: the widget's own text (the greeting), rewritten when the language changes
  function addMessage(who, text, kind, lang, key) {
    var speaker = who === "user" ? "you" : "bot";
    var msg = el("div", { class: "msg " + who + (kind ? " " + kind : "") }, [
      el("span", { class: "sr-only", "data-t": speaker, "data-suffix": ": ", text: t(speaker) + ": " }),
      el("p", { "data-t": key || null, lang: lang && lang !== state.lang ? htmlLang(lang) : null, text: text })
    ]);
    if (kind === "error") msg.setAttribute("role", "alert");
    log.appendChild(msg);
    return msg;
  }
  function scrollToEnd(node) {
    (node || log.lastElementChild || scroller).scrollIntoView({ block: "nearest" });
    return node;
  }

  function card(p) {
    var body = [el("h4", { class: "card-title", text: p.title })];
    body.push(el("p", { class: "office" }, [el("span", { class: "k", text: label("office") }), p.office]));
    var d = p.deadline;
    if (d) {
      var due = el("p", { class: "due" }, [el("span", { class: "k", text: label("due") })]);
      if (d.due) {
        due.appendChild(el("time", { datetime: d.due, class: "due-date", text: formatDate(d.due) }));
      } else if (d.opens) {
        due.appendChild(document.createTextNode(t("opens") + " " + formatDate(d.opens)));
      }
      due.appendChild(el("span", { class: "due-text", text: d.explanation || d.text }));
      body.push(due);
      if (d.overdue && d.late) body.push(el("p", { class: "late", role: "note", text: d.late }));
    } else {
      body.push(el("p", { class: "due none" }, [el("span", { class: "k", text: label("due") }), t("noDeadline")]));
    }
    if (p.conditional) body.push(el("p", { class: "conditional", text: p.conditional }));
    else if (p.why) body.push(el("p", { class: "why" }, [el("span", { class: "k", text: label("why") }), p.why]));
    if (p.amounts && p.amounts.length) {
      body.push(el("ul", { class: "amounts" }, p.amounts.map(function (a) {
        var li = el("li", { text: state.lang === "en" ? a.label + " ¥" + a.yen.toLocaleString("en-GB") : a.label + " " + a.yen.toLocaleString("ja-JP") + "円" });
        if (a.confirmed === false) li.appendChild(el("span", { class: "badge kind-private", text: t("unconfirmed") }));
        return li;
      })));
    }
    if (p.unconfirmed) body.push(el("p", { class: "unconfirmed", role: "note", text: p.unconfirmed }));
    if (p.documents && p.documents.length) {
      body.push(el("div", { class: "docs" }, [
        el("span", { class: "k", text: label("bring") }),
        el("ul", null, p.documents.map(function (x) { return el("li", { text: x }); }))
      ]));
    }
    if (p.online_url && safeUrl(p.online_url)) body.push(el("p", { class: "online" }, [link(p.online_url, t("online") + " ↗")]));
    if (p.sources && p.sources.length) {
      body.push(el("details", { class: "sources" }, [
        el("summary", { text: counted("sources", p.sources.length) }),
        el("ul", null, p.sources.map(sourceItem))
      ]));
    }
    return el("article", { class: "card" + (p.conditional ? " maybe" : ""), "data-procedure": p.id }, body);
  }

  function renderPlan(resp) {
    plan.textContent = "";
    var procs = resp.procedures || [];
    if (!procs.length && !(resp.citations || []).length) return;
    var applies = procs.filter(function (p) { return !p.conditional; });
    var maybe = procs.filter(function (p) { return p.conditional; });
    if (applies.length) {
      plan.appendChild(el("h3", { text: counted("applies", applies.length) }));
      plan.appendChild(el("div", { class: "cards" }, applies.map(card)));
    }
    if (maybe.length) {
      plan.appendChild(el("h3", { text: counted("maybe", maybe.length) }));
      plan.appendChild(el("div", { class: "cards" }, maybe.map(card)));
    }
    if ((resp.checklist || []).length) {
      plan.appendChild(el("section", { class: "checklist" }, [
        el("h3", { text: t("checklist") }),
        el("ul", null, resp.checklist.map(function (x) { return el("li", { text: x }); }))
      ]));
    }
    if ((resp.milestones || []).length) {
      plan.appendChild(el("section", { class: "milestones" }, [
        el("h3", { text: t("milestones") }),
        el("ul", null, resp.milestones.map(function (m) {
          return el("li", null, [m.date ? el("time", { datetime: m.date, text: formatDate(m.date) + " " }) : null, m.title]);
        }))
      ]));
    }
    if ((resp.citations || []).length) {
      plan.appendChild(el("section", { class: "citations" }, [
        el("h3", { text: t("pages") }),
        el("ul", null, resp.citations.map(function (c) {
          var li = sourceItem(c);
          li.appendChild(el("p", { class: "snippet", text: c.snippet }));
          return li;
        }))
      ]));
    }
    if (procs.length) {
      var saveBox = el("div", { class: "save" });
      var saveBtn = el("button", { type: "button", class: "secondary save-btn", "data-t": "save", text: t("save") });
      saveBtn.addEventListener("click", function () { saveBundle(saveBtn, saveBox); });
      saveBox.appendChild(saveBtn);
      plan.appendChild(saveBox);
    }
  }

  function renderQuick(replies) {
    quick.textContent = "";
    (replies || []).forEach(function (q) {
      var b = el("button", { type: "button", class: "chip", text: q.label, "data-value": q.value });
      b.addEventListener("click", function () {
        // やさしい日本語 labels carry kana readings (扶養（ふよう）); the answer is sent without them
        send(q.value === "skip" ? (state.lang === "en" ? "skip" : "スキップ") : q.label.replace(READINGS, ""), false);
      });
      quick.appendChild(b);
    });
    quick.hidden = !quick.childElementCount;
  }

  // ---- network ------------------------------------------------------------------------------------------
  // the server's error message in ``lang`` (message_ja / message_easy on Japanese pages), else our own words
  function errorText(body, lang) {
    var e = body && body.error;
    var text = e && (lang === "en" ? e.message : (lang === "easy" && e.message_easy) || e.message_ja);
    return typeof text === "string" && text ? text : t("error", lang);
  }
  function post(path, payload) {
    return fetch(API + path, {
      method: "POST", mode: "cors", credentials: "omit",
      headers: { "Content-Type": "application/json" }, body: JSON.stringify(payload)
    }).then(function (r) {
      return r.json().catch(function () { return null; }).then(function (body) { return { ok: r.ok, status: r.status, body: body }; });
    });
  }

  function setBusy(busy, lang) {
    state.busy = busy;
    panel.setAttribute("aria-busy", busy ? "true" : "false");
    sendBtn.disabled = busy;
    status.setAttribute("lang", htmlLang(lang || state.lang));
    status.textContent = busy ? t("thinking", lang) : "";
  }
  // after a reply: the input (to type on), except after a tap on a touch screen, where the on-screen keyboard would
  // cover the reply; there the reply itself takes focus
  var TOUCH = window.matchMedia ? window.matchMedia("(pointer: coarse)") : { matches: false };
  function focusAfter(reply, fromInput) {
    if (reply && !fromInput && TOUCH.matches) {
      reply.setAttribute("tabindex", "-1");
      reply.focus({ preventScroll: true });
    } else {
      input.focus({ preventScroll: true });
    }
  }

  function send(text, fromInput) {
    text = (text || "").trim();
    if (!text || state.busy) return;
    var lang = writtenLang(text);
    addMessage("user", text, null, lang);
    input.value = "";
    renderQuick([]);
    setBusy(true, lang);
    var payload = { message: text };
    if (chosen) payload.lang = state.lang;
    if (state.session) payload.session_id = state.session;
    if (MUNICIPALITY) payload.municipality = MUNICIPALITY;
    post("/api/chat", payload).then(function (res) {
      setBusy(false);
      if (!res.ok || !res.body) {
        return scrollToEnd(addMessage("bot", errorText(res.body, lang), "error", lang));
      }
      var resp = res.body;
      state.session = resp.session_id;
      if (!chosen && LANGS.indexOf(resp.lang) >= 0 && resp.lang !== state.lang) {
        state.lang = resp.lang;  // the resident wrote kana-only (or English): the panel follows
        applyLabels();
      }
      var msg = addMessage("bot", resp.reply);
      renderPlan(resp);
      renderQuick(resp.quick_replies);
      scrollToEnd(msg);
      return msg;
    }, function () {
      setBusy(false);
      return scrollToEnd(addMessage("bot", t("network", lang), "error", lang));
    }).then(function (reply) { focusAfter(reply, fromInput); });
  }

  // the feed as webcal:// (a calendar app subscribes instead of importing once) and its https address to paste
  function subscribeLink(url) {
    var href = safeUrl(url);
    if (!href) return el("span", { text: t("feed") });
    return el("a", { href: href.replace(/^https?:/, "webcal:"), class: "feed", text: t("feed") });
  }
  function feedAddress(url) {
    var href = safeUrl(url);
    if (!href) return null;
    var field = el("input", { class: "feed-url", type: "text", readonly: "", value: href, dir: "ltr", spellcheck: "false" });
    field.addEventListener("focus", function () { field.select(); });
    var copy = el("button", { type: "button", class: "secondary copy", text: t("copy") });
    copy.addEventListener("click", function () {
      field.select();  // without the clipboard API the address is selected, to copy by hand
      if (navigator.clipboard && navigator.clipboard.writeText) {
        navigator.clipboard.writeText(href).then(function () { copy.textContent = t("copied"); }, function () {});
      }
    });
    return el("div", { class: "feed-box" }, [el("label", null, [el("span", { text: t("feedUrl") }), field]), copy]);
  }

  function saveBundle(btn, box) {
    if (!state.session) return;
    btn.disabled = true;
    btn.textContent = t("saving");
    post("/api/bundles", { session_id: state.session }).then(function (res) {
      btn.remove();
      if (!res.ok || !res.body) {
        box.appendChild(el("p", { class: "error", role: "alert", text: errorText(res.body, state.lang) }));
        return;
      }
      var b = res.body;
      var links = el("ul", { class: "save-links" }, [
        el("li", null, [link(inPanelLang(b.print_url), t("print"), "print")]),
        el("li", null, [link(b.ics_url, t("ics"), "ics")]),
        el("li", null, [subscribeLink(b.feed_url)]),
        el("li", null, [link(inPanelLang(b.url), t("open"), "open")])
      ]);
      var result = el("div", { class: "saved", role: "status", tabindex: "-1" }, [
        el("p", null, [t("saved") + " ", el("strong", { class: "code", text: b.display_code || b.code })]), links,
        feedAddress(b.feed_url)
      ]);
      box.appendChild(result);
      result.focus();
    }, function () {
      btn.remove();
      box.appendChild(el("p", { class: "error", role: "alert", text: t("network") }));
    });
  }

  // ---- open / close / restart / language --------------------------------------------------------------------
  // a switch in the middle of a conversation: what is shown stays as written; say that the next reply follows
  function switchedNote() {
    var last = log.lastElementChild;
    if (last && last.classList.contains("note")) last.remove();
    scrollToEnd(addMessage("note", t("switched"), null, null, "switched"));  // not counted as a reply
  }
  function greet() {
    log.textContent = "";
    plan.textContent = "";
    renderQuick([]);
    addMessage("bot", t("greeting"), "greeting", null, "greeting");
  }
  function openPanel() {
    state.open = true;
    panel.hidden = false;
    launcher.setAttribute("aria-expanded", "true");
    launcher.hidden = true;
    if (!log.childElementCount) greet();
    input.focus();
  }
  function closePanel() {
    state.open = false;
    panel.hidden = true;
    launcher.hidden = false;
    launcher.setAttribute("aria-expanded", "false");
    launcher.focus();
  }
  launcher.addEventListener("click", openPanel);
  closeBtn.addEventListener("click", closePanel);
  restartBtn.addEventListener("click", function () {
    state.session = null;
    greet();
    input.focus();
  });
  langBtns.forEach(function (b) {
    b.addEventListener("click", function () {
      state.lang = b.dataset.lang;
      chosen = true;
      applyLabels();
      if (!state.session) greet();
      else switchedNote();
      b.focus();
    });
  });
  panel.addEventListener("keydown", function (e) {
    // Escape while a Japanese IME converts cancels the conversion, not the panel
    if (e.key === "Escape" && !e.isComposing && e.keyCode !== 229) { e.preventDefault(); closePanel(); }
  });
  form.addEventListener("submit", function (e) {
    e.preventDefault();
    send(input.value, true);
  });

  applyLabels();
  renderQuick([]);
  function mount() { document.body.appendChild(host); }
  if (document.body) mount(); else document.addEventListener("DOMContentLoaded", mount);
})();
