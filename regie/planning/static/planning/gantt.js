// Regie Gantt chart: a dependency-free SVG Gantt widget for a project's planning page.
//
//   var g = RegieGantt.create(container, data, options);
//   g.update(newData);          // re-render, keeping zoom, scroll position and collapsed summaries
//   g.setZoom("week");          // "day" | "week" | "month" | "quarter"
//
// Data usually comes from a json_script block (RegieGantt.readJSON(id)); every visible string comes from
// options.labels so the page's language is used. Dates are local ISO strings without a zone; they are
// handled as UTC internally so that daylight-saving changes never shift a bar.
(function (global) {
  "use strict";

  var DAY_MS = 86400000;
  var ROW_H = 30;            // must match --gantt-row-h in gantt.css
  var TIER_H = 24;
  var HEAD_H = TIER_H * 2;   // must match --gantt-head-h in gantt.css
  var BAR_H = 14;
  var MS_HALF = 7;           // half the width of a milestone diamond
  var SVG_NS = "http://www.w3.org/2000/svg";
  var ZOOMS = {
    day: { ppd: 28, snap: 1, top: "month", bottom: "day", align: "week", padBefore: 3, padAfter: 7 },
    week: { ppd: 9, snap: 1, top: "month", bottom: "week", align: "week", padBefore: 7, padAfter: 21 },
    month: { ppd: 3, snap: 7, top: "quarter", bottom: "month", align: "month", padBefore: 10, padAfter: 60 },
    quarter: { ppd: 1.1, snap: 7, top: "year", bottom: "quarter", align: "quarter", padBefore: 30, padAfter: 180 }
  };
  var ZOOM_ORDER = ["day", "week", "month", "quarter"];
  var NARROW_WIDTH = 640;
  var WHOLE_ROWS = 150;      // up to this many rows everything is rendered; above, only rows near the viewport
  var DEFAULT_LABELS = {
    chart: "Gantt chart", wbs: "WBS", task: "Task", start: "Start", finish: "Finish", duration: "Duration",
    today: "Today", critical: "Critical", baseline: "Baseline", milestone: "Milestone", summary: "Summary",
    slack: "Slack", complete: "Complete", external: "External", zoom: "Zoom",
    zoom_day: "Day", zoom_week: "Week", zoom_month: "Month", zoom_quarter: "Quarter",
    expand: "Expand", collapse: "Collapse", week_abbr: "W", quarter_abbr: "Q", day_abbr: "d",
    link: "Dependency", lag: "Lag", delete_link_confirm: "Delete this dependency?",
    link_FS: "Finish-to-start", link_SS: "Start-to-start", link_FF: "Finish-to-finish", link_SF: "Start-to-finish",
    empty: "No tasks to show."
  };
  var ESC = { "&": "&amp;", "<": "&lt;", ">": "&gt;", "\"": "&quot;", "'": "&#39;" };
  var ISO_RE = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2}))?)?/;
  var instances = 0;

  // ---- small helpers -------------------------------------------------------------------------------

  function esc(s) {
    if (s === null || s === undefined) { return ""; }
    return String(s).replace(/[&<>"']/g, function (c) { return ESC[c]; });
  }

  function pad2(n) { return n < 10 ? "0" + n : String(n); }

  // Days since 1970-01-01 (a float: the time of day is the fraction).
  function parseDay(s) {
    if (!s) { return NaN; }
    var m = ISO_RE.exec(String(s));
    if (!m) { return NaN; }
    return Date.UTC(+m[1], +m[2] - 1, +m[3], +(m[4] || 0), +(m[5] || 0), +(m[6] || 0)) / DAY_MS;
  }

  function isoOf(d) {
    var dt = new Date(Math.round(d * 1440) * 60000);
    return dt.getUTCFullYear() + "-" + pad2(dt.getUTCMonth() + 1) + "-" + pad2(dt.getUTCDate()) +
      "T" + pad2(dt.getUTCHours()) + ":" + pad2(dt.getUTCMinutes());
  }

  function weekday(n) { return ((Math.floor(n) + 4) % 7 + 7) % 7; }  // 0 = Sunday, like getDay()

  function isWeekend(n) { var w = weekday(n); return w === 0 || w === 6; }

  // Weekdays in the whole days [a, b).
  function weekdaysBetween(a, b) {
    var count = 0;
    for (var n = a; n < b; n++) { if (!isWeekend(n)) { count++; } }
    return count;
  }

  function unitStart(d, unit) {
    var n = Math.floor(d);
    if (unit === "day") { return n; }
    if (unit === "week") { return n - (weekday(n) + 6) % 7; }
    var dt = new Date(n * DAY_MS), y = dt.getUTCFullYear(), m = dt.getUTCMonth();
    if (unit === "month") { return Date.UTC(y, m, 1) / DAY_MS; }
    if (unit === "quarter") { return Date.UTC(y, m - m % 3, 1) / DAY_MS; }
    return Date.UTC(y, 0, 1) / DAY_MS;
  }

  function unitNext(n, unit) {
    if (unit === "day") { return n + 1; }
    if (unit === "week") { return n + 7; }
    var dt = new Date(n * DAY_MS), y = dt.getUTCFullYear(), m = dt.getUTCMonth();
    if (unit === "month") { return Date.UTC(y, m + 1, 1) / DAY_MS; }
    if (unit === "quarter") { return Date.UTC(y, m + 3, 1) / DAY_MS; }
    return Date.UTC(y + 1, 0, 1) / DAY_MS;
  }

  function isoWeek(n) {
    var thursday = n - (weekday(n) + 6) % 7 + 3;
    var year = new Date(thursday * DAY_MS).getUTCFullYear();
    return Math.floor((thursday - Date.UTC(year, 0, 1) / DAY_MS) / 7) + 1;
  }

  function closest(el, selector) {
    while (el && el.nodeType === 1) {
      if (el.matches && el.matches(selector)) { return el; }
      el = el.parentNode;
    }
    return null;
  }

  function num(x) { return Math.round(x * 10) / 10; }

  function crisp(x) { return Math.round(x) + 0.5; }

  function makeFormatter(locale, opts, fallback) {
    var cache = {};
    var format = fallback;
    try {
      opts.timeZone = "UTC";
      var intl = new Intl.DateTimeFormat(locale || undefined, opts);
      format = function (d) { return intl.format(new Date(d * DAY_MS)); };
    } catch (e) { /* keep the ISO fallback */ }
    return function (d) {
      if (!isFinite(d)) { return ""; }
      var key = Math.round(d * 1440);
      if (!(key in cache)) { cache[key] = format(key / 1440); }
      return cache[key];
    };
  }

  function readJSON(id) {
    var node = document.getElementById(id);
    return node ? JSON.parse(node.textContent) : null;
  }

  // ---- the widget ----------------------------------------------------------------------------------

  function create(container, data, options) {
    options = options || {};
    var labels = options.labels || {};
    var uid = "gantt" + (++instances);
    var locale = options.locale || document.documentElement.getAttribute("lang") || undefined;
    var fmtDate = makeFormatter(locale, { day: "2-digit", month: "2-digit", year: "2-digit" },
      function (d) { return isoOf(d).slice(0, 10); });
    var fmtDateTime = makeFormatter(locale, { day: "2-digit", month: "short", year: "numeric", hour: "2-digit", minute: "2-digit" },
      function (d) { return isoOf(d).replace("T", " "); });
    var fmtMonthLong = makeFormatter(locale, { month: "long", year: "numeric" },
      function (d) { return isoOf(d).slice(0, 7); });
    var fmtMonthShort = makeFormatter(locale, { month: "short" },
      function (d) { return isoOf(d).slice(5, 7); });
    var gridDate = options.formatDate ? function (d, iso) { return options.formatDate(iso); } : function (d) { return fmtDate(d); };

    var state = {
      data: null, tasks: [], byId: {}, links: [], linkById: {}, childCount: {},
      visible: [], rowOf: {}, collapsed: {}, zoom: ZOOMS[options.zoom] ? options.zoom : "week",
      d0: 0, d1: 0, ppd: 9, width: 0, height: 0, today: NaN, hasBaseline: false,
      selectedId: null, focusId: null, hoverIndex: -1, rendered: false, narrow: false,
      win: null, topLabels: []
    };
    var drag = null;
    var suppressClick = false;
    var editable = { move: typeof options.onTaskChange === "function", link: typeof options.onLinkCreate === "function" };
    var canDeleteLinks = typeof options.onLinkDelete === "function";

    function L(key) {
      if (labels[key] !== undefined && labels[key] !== null) { return labels[key]; }
      return DEFAULT_LABELS[key] !== undefined ? DEFAULT_LABELS[key] : key;
    }

    // -- skeleton (built once) --
    var root = document.createElement("div");
    root.className = "gantt" + (editable.move || editable.link ? " gantt-editable" : " gantt-readonly");
    var toolbar = [
      "<div class=\"gantt-toolbar\">",
      "<div class=\"btn-group gantt-zoom\" role=\"group\" aria-label=\"", esc(L("zoom")), "\">"
    ];
    ZOOM_ORDER.forEach(function (z) {
      toolbar.push("<button type=\"button\" class=\"btn btn-sm btn-outline-secondary\" data-zoom=\"", z,
        "\" aria-pressed=\"false\">", esc(L("zoom_" + z)), "</button>");
    });
    toolbar.push("</div>",
      "<button type=\"button\" class=\"btn btn-sm btn-outline-secondary gantt-today-btn\" data-action=\"today\">",
      esc(L("today")), "</button>",
      "<div class=\"gantt-legend\" aria-hidden=\"true\">",
      "<span class=\"gantt-legend-item\"><i class=\"gantt-swatch gantt-swatch-task\"></i>", esc(L("task")), "</span>",
      "<span class=\"gantt-legend-item\"><i class=\"gantt-swatch gantt-swatch-critical\"></i>", esc(L("critical")), "</span>",
      "<span class=\"gantt-legend-item\"><i class=\"gantt-swatch gantt-swatch-milestone\"></i>", esc(L("milestone")), "</span>",
      "<span class=\"gantt-legend-item gantt-legend-baseline\"><i class=\"gantt-swatch gantt-swatch-baseline\"></i>", esc(L("baseline")), "</span>",
      "</div></div>",
      "<div class=\"gantt-scroll\">",
      "<div class=\"gantt-canvas\">",
      "<div class=\"gantt-head\">",
      "<div class=\"gantt-grid-head\" aria-hidden=\"true\">",
      "<div class=\"gantt-hcell gantt-c-wbs\">", esc(L("wbs")), "</div>",
      "<div class=\"gantt-hcell gantt-c-name\">", esc(L("task")), "</div>",
      "<div class=\"gantt-hcell gantt-c-start\">", esc(L("start")), "</div>",
      "<div class=\"gantt-hcell gantt-c-finish\">", esc(L("finish")), "</div>",
      "<div class=\"gantt-hcell gantt-c-dur\">", esc(L("duration")), "</div>",
      "</div>",
      "<div class=\"gantt-time-head\"></div>",
      "</div>",
      "<div class=\"gantt-main\">",
      "<div class=\"gantt-grid\" role=\"treegrid\" aria-label=\"", esc(L("chart")), "\"></div>",
      "<div class=\"gantt-chart\"></div>",
      "</div></div></div>");
    root.innerHTML = toolbar.join("");
    container.innerHTML = "";
    container.appendChild(root);

    var scroller = root.querySelector(".gantt-scroll");
    var timeHead = root.querySelector(".gantt-time-head");
    var main = root.querySelector(".gantt-main");
    var grid = root.querySelector(".gantt-grid");
    var chart = root.querySelector(".gantt-chart");
    var svg = null, dragLayer = null, hoverRect = null, selectRect = null, layers = null;

    // -- data --

    function prepare(input) {
      input = input || {};
      var tasks = [], byId = {}, childCount = {}, hasBaseline = false;
      (input.tasks || []).forEach(function (src) {
        var t = {
          src: src, id: src.id, key: String(src.id), parent: src.parent === null || src.parent === undefined ? null : String(src.parent),
          level: Math.max(0, +src.level || 0), name: src.name === null || src.name === undefined ? "" : String(src.name),
          summary: !!src.summary, milestone: !!src.milestone, critical: !!src.critical, external: !!src.external,
          editable: src.editable !== false && !src.external,
          s: parseDay(src.start), f: parseDay(src.finish),
          bs: parseDay(src.baseline_start), bf: parseDay(src.baseline_finish),
          pct: Math.max(0, Math.min(100, +src.percent_complete || 0))
        };
        if (!isFinite(t.f)) { t.f = t.s; }
        if (!isFinite(t.s)) { t.s = t.f; }
        if (t.f < t.s) { t.f = t.s; }
        if (isFinite(t.bs) && !isFinite(t.bf)) { t.bf = t.bs; }
        if (isFinite(t.bf) && !isFinite(t.bs)) { t.bs = t.bf; }
        if (isFinite(t.bs)) { hasBaseline = true; }
        if (isFinite(t.s)) {
          var first = Math.floor(t.s), last = Math.floor(t.f - 1e-6);
          t.days = Math.max(1, weekdaysBetween(first, Math.max(first, last) + 1));
        }
        tasks.push(t);
        byId[t.key] = t;
        if (t.parent !== null) { childCount[t.parent] = (childCount[t.parent] || 0) + 1; }
      });
      var links = [], linkById = {};
      (input.links || []).forEach(function (src) {
        var l = { src: src, id: src.id, key: String(src.id), pred: String(src.pred), succ: String(src.succ),
          type: String(src.type || "FS").toUpperCase(), lag: src.lag_label || "", external: !!src.external };
        if (!/^(FS|SS|FF|SF)$/.test(l.type)) { l.type = "FS"; }
        links.push(l);
        linkById[l.key] = l;
      });
      var today = parseDay(input.today);
      if (!isFinite(today)) {
        var now = new Date();
        today = Date.UTC(now.getFullYear(), now.getMonth(), now.getDate()) / DAY_MS;
      }
      state.data = input;
      state.tasks = tasks;
      state.byId = byId;
      state.childCount = childCount;
      state.links = links;
      state.linkById = linkById;
      state.today = Math.floor(today);
      state.hasBaseline = hasBaseline;
    }

    function isCollapsible(t) { return t.summary || !!state.childCount[t.key]; }

    function computeVisible() {
      var hidden = {}, visible = [], rowOf = {};
      state.tasks.forEach(function (t) {
        var p = t.parent;
        if (p !== null && (hidden[p] || state.collapsed[p])) {
          hidden[t.key] = true;
        } else {
          rowOf[t.key] = visible.length;
          visible.push(t);
        }
      });
      state.visible = visible;
      state.rowOf = rowOf;
    }

    function timelineViewWidth() {
      return Math.max(0, scroller.clientWidth - grid.offsetWidth);
    }

    function computeRange() {
      var z = ZOOMS[state.zoom], lo = Infinity, hi = -Infinity;
      state.tasks.forEach(function (t) {
        if (isFinite(t.s)) { lo = Math.min(lo, t.s); hi = Math.max(hi, t.f); }
        if (isFinite(t.bs)) { lo = Math.min(lo, t.bs); hi = Math.max(hi, t.bf); }
      });
      state.span = isFinite(lo) ? [lo, hi] : null;
      if (!isFinite(lo)) { lo = state.today - 7; hi = state.today + 30; }
      lo = Math.min(lo, state.today);
      hi = Math.max(hi, state.today + 1);
      state.ppd = z.ppd;
      var d0 = unitStart(lo - z.padBefore, z.align);
      var d1 = hi + Math.max(z.padAfter, 220 / z.ppd);
      var minDays = timelineViewWidth() / z.ppd;
      if (d1 - d0 < minDays) { d1 = d0 + minDays; }
      d1 = unitNext(unitStart(d1, z.align), z.align);
      state.d0 = d0;
      state.d1 = d1;
      state.width = Math.ceil((d1 - d0) * z.ppd);
      state.height = Math.max(state.visible.length * ROW_H, ROW_H);
    }

    function X(d) { return (d - state.d0) * state.ppd; }

    // -- geometry of one row's bar --

    function barTop(row) { return row * ROW_H + (state.hasBaseline ? 6 : 8); }

    function geometry(t, row) {
      var top = barTop(row);
      var g = { top: top, cy: top + BAR_H / 2 };
      if (t.milestone) {
        var cx = X(t.f);
        g.x1 = cx - MS_HALF; g.x2 = cx + MS_HALF; g.cx = cx;
      } else {
        g.x1 = X(t.s);
        g.x2 = Math.max(g.x1 + 3, X(t.f));
        if (t.summary) { g.cy = top + 4; }
      }
      return g;
    }

    // -- markup --

    function gridHTML() {
      var h = [];
      var expandLabel = esc(L("expand")), collapseLabel = esc(L("collapse"));
      // the row that takes part in the Tab order: the focused one, else its nearest shown ancestor, else the first
      var focusKey = null, ft = state.focusId === null ? null : state.byId[String(state.focusId)];
      while (ft && state.rowOf[ft.key] === undefined) { ft = state.byId[ft.parent]; }
      if (ft) { focusKey = ft.key; } else if (state.visible.length) { focusKey = state.visible[0].key; }
      var win = state.win;
      if (win.r0 < win.r1 && state.rowOf[focusKey] !== undefined &&
          (state.rowOf[focusKey] < win.r0 || state.rowOf[focusKey] >= win.r1)) {
        focusKey = state.visible[win.r0].key;
      }
      state.visible.slice(win.r0, win.r1).forEach(function (t) {
        var cls = "gantt-row";
        if (t.summary) { cls += " summary"; }
        if (t.milestone) { cls += " milestone"; }
        if (t.critical) { cls += " critical"; }
        if (t.external) { cls += " external"; }
        if (t.key === String(state.selectedId)) { cls += " selected"; }
        var collapsible = isCollapsible(t), collapsed = !!state.collapsed[t.key];
        var focusable = t.key === focusKey;
        h.push("<div class=\"", cls, "\" role=\"row\" data-row-id=\"", esc(t.id), "\" tabindex=\"", focusable ? "0" : "-1",
          "\" aria-level=\"", t.level + 1, "\" aria-selected=\"", t.key === String(state.selectedId) ? "true" : "false", "\"");
        if (collapsible) { h.push(" aria-expanded=\"", collapsed ? "false" : "true", "\""); }
        h.push(">",
          "<div class=\"gantt-cell gantt-c-wbs\" role=\"gridcell\">", esc(t.src.wbs), "</div>",
          "<div class=\"gantt-cell gantt-c-name\" role=\"gridcell\" style=\"--gantt-level:", t.level, "\" title=\"",
          esc((t.external && t.src.project_code ? t.src.project_code + " · " : "") + t.name), "\">");
        if (collapsible) {
          h.push("<button type=\"button\" class=\"gantt-toggle", collapsed ? " collapsed" : "", "\" data-toggle-id=\"", esc(t.id),
            "\" tabindex=\"-1\" aria-label=\"", collapsed ? expandLabel : collapseLabel, "\" aria-expanded=\"", collapsed ? "false" : "true",
            "\"><svg viewBox=\"0 0 16 16\" aria-hidden=\"true\"><path d=\"M4 6l4 4 4-4\"/></svg></button>");
        } else {
          h.push("<span class=\"gantt-toggle-space\"></span>");
        }
        if (t.milestone) { h.push("<span class=\"gantt-ms-icon\" aria-hidden=\"true\"></span>"); }
        if (t.external && t.src.project_code) { h.push("<span class=\"gantt-ext-code\">", esc(t.src.project_code), "</span>"); }
        h.push("<span class=\"gantt-name\">", esc(t.name), "</span></div>",
          "<div class=\"gantt-cell gantt-c-start\" role=\"gridcell\">", isFinite(t.s) ? esc(gridDate(t.s, t.src.start)) : "", "</div>",
          "<div class=\"gantt-cell gantt-c-finish\" role=\"gridcell\">", isFinite(t.f) ? esc(gridDate(t.f, t.src.finish)) : "", "</div>",
          "<div class=\"gantt-cell gantt-c-dur\" role=\"gridcell\">", esc(t.src.duration_label), "</div>",
          "</div>");
      });
      if (!state.visible.length) { h.push("<div class=\"gantt-empty\">", esc(L("empty")), "</div>"); }
      return h.join("");
    }

    function headerHTML() {
      return "<svg class=\"gantt-head-svg\" xmlns=\"" + SVG_NS + "\" width=\"" + state.width + "\" height=\"" + HEAD_H +
        "\" aria-hidden=\"true\"><g class=\"gantt-head-cells\"></g><line class=\"gantt-hline-tier\" x1=\"0\" x2=\"" + state.width +
        "\" y1=\"" + (TIER_H - 0.5) + "\" y2=\"" + (TIER_H - 0.5) + "\"/>" + todayTagHTML() + "</svg>";
    }

    function todayTagHTML() {
      var tx = X(state.today + 0.5);
      if (tx < 0 || tx > state.width) { return ""; }
      var text = L("today"), tw = text.length * 6.2 + 12;
      return "<g class=\"gantt-today-label\"><rect x=\"" + num(tx - tw / 2) + "\" y=\"4\" width=\"" + num(tw) + "\" height=\"16\" rx=\"8\"/>" +
        "<text x=\"" + num(tx) + "\" y=\"15.5\" text-anchor=\"middle\">" + esc(text) + "</text>" +
        "<line x1=\"" + num(tx) + "\" x2=\"" + num(tx) + "\" y1=\"20\" y2=\"" + HEAD_H + "\"/></g>";
    }

    // The header cells between the window's days c0 and c1; top-tier labels are kept in view while scrolling.
    function headerCellsHTML() {
      var z = ZOOMS[state.zoom], h = [], win = state.win;
      var u, next, x1, x2, label;
      state.topLabels = [];
      for (u = unitStart(win.c0, z.bottom); u < win.c1; u = next) {
        next = unitNext(u, z.bottom);
        x1 = X(Math.max(u, state.d0)); x2 = X(Math.min(next, state.d1));
        var cls = "gantt-tier-cell";
        if (z.bottom === "day" && isWeekend(u)) { cls += " weekend"; }
        if (state.today >= u && state.today < next) { cls += " today"; }
        if (cls !== "gantt-tier-cell") {
          h.push("<rect class=\"", cls, "\" x=\"", num(x1), "\" y=\"", TIER_H, "\" width=\"", num(x2 - x1), "\" height=\"", TIER_H, "\"/>");
        }
        if (u >= state.d0) { h.push("<line class=\"gantt-hline-minor\" x1=\"", crisp(x1), "\" x2=\"", crisp(x1), "\" y1=\"", TIER_H, "\" y2=\"", HEAD_H, "\"/>"); }
        label = unitLabel(u, z.bottom, "bottom");
        if (x2 - x1 >= label.length * 6.5 + 4) {
          h.push("<text class=\"gantt-tier-bottom\" x=\"", num((x1 + x2) / 2), "\" y=\"", TIER_H + 16, "\" text-anchor=\"middle\">", esc(label), "</text>");
        }
      }
      for (u = unitStart(win.c0, z.top); u < win.c1; u = next) {
        next = unitNext(u, z.top);
        x1 = X(Math.max(u, state.d0)); x2 = X(Math.min(next, state.d1));
        if (u >= state.d0) { h.push("<line class=\"gantt-hline-major\" x1=\"", crisp(x1), "\" x2=\"", crisp(x1), "\" y1=\"0\" y2=\"", HEAD_H, "\"/>"); }
        label = unitLabel(u, z.top, "top");
        var lw = label.length * 7;
        if (x2 - x1 >= lw + 16) {
          state.topLabels.push({ x1: x1, x2: x2, w: lw });
          h.push("<text class=\"gantt-tier-top\" x=\"", num(x1 + 8), "\" y=\"16\">", esc(label), "</text>");
        }
      }
      return h.join("");
    }

    function placeTopLabels() {
      var texts = timeHead.querySelectorAll(".gantt-tier-top"), left = scroller.scrollLeft;
      for (var i = 0; i < texts.length && i < state.topLabels.length; i++) {
        var c = state.topLabels[i];
        var x = Math.max(c.x1 + 8, Math.min(left + 8, c.x2 - c.w - 8));
        texts[i].setAttribute("x", num(x));
      }
    }

    function unitLabel(n, unit, tier) {
      var dt = new Date(n * DAY_MS);
      if (unit === "day") { return String(dt.getUTCDate()); }
      if (unit === "week") { return L("week_abbr") + isoWeek(n); }
      if (unit === "month") { return tier === "top" ? fmtMonthLong(n) : fmtMonthShort(n); }
      if (unit === "quarter") {
        var q = L("quarter_abbr") + (Math.floor(dt.getUTCMonth() / 3) + 1);
        return tier === "top" ? q + " " + dt.getUTCFullYear() : q;
      }
      return String(dt.getUTCFullYear());
    }

    function barTitle(t) {
      var lines = [];
      lines.push((t.external && t.src.project_code ? t.src.project_code + " · " : "") + (t.src.wbs ? t.src.wbs + " " : "") + t.name);
      if (t.milestone) {
        lines.push(L("milestone") + ": " + fmtDateTime(t.f));
      } else {
        lines.push(L("start") + ": " + fmtDateTime(t.s));
        lines.push(L("finish") + ": " + fmtDateTime(t.f));
      }
      if (t.src.duration_label) { lines.push(L("duration") + ": " + t.src.duration_label); }
      if (t.src.total_slack_label) { lines.push(L("slack") + ": " + t.src.total_slack_label); }
      if (!t.milestone) { lines.push(L("complete") + ": " + Math.round(t.pct) + "%"); }
      if (isFinite(t.bs)) { lines.push(L("baseline") + ": " + fmtDate(t.bs) + " – " + fmtDate(t.bf)); }
      if (t.critical) { lines.push(L("critical")); }
      if (t.external) { lines.push(L("external")); }
      return esc(lines.join("\n"));
    }

    function diamond(cx, cy, r) {
      return "M" + num(cx) + " " + num(cy - r) + "L" + num(cx + r) + " " + num(cy) + "L" + num(cx) + " " + num(cy + r) + "L" + num(cx - r) + " " + num(cy) + "Z";
    }

    function barsHTML() {
      var h = [], win = state.win;
      state.visible.slice(win.r0, win.r1).forEach(function (t, i) {
        var row = win.r0 + i;
        if (!isFinite(t.s)) { return; }
        var g = geometry(t, row), top = g.top;
        var cls = "gantt-bar";
        if (t.summary) { cls += " summary"; }
        if (t.milestone) { cls += " milestone"; }
        if (t.critical) { cls += " critical"; }
        if (t.external) { cls += " external"; }
        if (t.key === String(state.selectedId)) { cls += " selected"; }
        var movable = editable.move && t.editable && !t.summary;
        var resizable = movable && !t.milestone;
        var linkable = editable.link && !t.external;
        if (movable) { cls += " movable"; }
        h.push("<g class=\"", cls, "\" data-task-id=\"", esc(t.id), "\"><title>", barTitle(t), "</title>");
        if (isFinite(t.bs)) {
          var by = row * ROW_H + 22;
          if (t.milestone || t.bf - t.bs < 1e-6) {
            h.push("<path class=\"gantt-baseline\" d=\"", diamond(X(t.bf), by + 2, 3.5), "\"/>");
          } else {
            var bx = X(t.bs);
            h.push("<rect class=\"gantt-baseline\" x=\"", num(bx), "\" y=\"", by, "\" width=\"", num(Math.max(2, X(t.bf) - bx)), "\" height=\"4\" rx=\"1\"/>");
          }
        }
        var w = g.x2 - g.x1;
        if (t.milestone) {
          h.push("<path class=\"gantt-bar-body\" d=\"", diamond(g.cx, g.cy, MS_HALF), "\"", movable ? " data-handle=\"move\"" : "", "/>");
        } else if (t.summary) {
          var tip = Math.min(5, w / 2);
          h.push("<path class=\"gantt-bar-body\" d=\"M", num(g.x1), " ", top + 1, "H", num(g.x2), "V", top + 12, "L", num(g.x2 - tip), " ", top + 7,
            "H", num(g.x1 + tip), "L", num(g.x1), " ", top + 12, "Z\"/>");
          if (t.pct > 0) {
            h.push("<rect class=\"gantt-bar-progress\" x=\"", num(g.x1), "\" y=\"", top + 1, "\" width=\"", num(w * t.pct / 100), "\" height=\"3\"/>");
          }
        } else {
          h.push("<rect class=\"gantt-bar-body\" x=\"", num(g.x1), "\" y=\"", top, "\" width=\"", num(w), "\" height=\"", BAR_H, "\" rx=\"3\"",
            movable ? " data-handle=\"move\"" : "", "/>");
          if (t.pct > 0) {
            h.push("<rect class=\"gantt-bar-progress\" x=\"", num(g.x1), "\" y=\"", top, "\" width=\"", num(w * t.pct / 100), "\" height=\"", BAR_H, "\" rx=\"3\"/>");
          }
          if (resizable) {
            h.push("<rect class=\"gantt-handle gantt-handle-resize\" data-handle=\"resize\" x=\"", num(g.x2 - 5), "\" y=\"", top - 1,
              "\" width=\"8\" height=\"", BAR_H + 2, "\" rx=\"2\"/>");
          }
        }
        var lx = g.x2 + 6;
        if (linkable) {
          var hx = g.x2 + 9;
          h.push("<circle class=\"gantt-handle gantt-handle-link\" cx=\"", num(hx), "\" cy=\"", g.cy, "\" r=\"4\"/>",
            "<circle class=\"gantt-handle-hit\" data-handle=\"link\" cx=\"", num(hx), "\" cy=\"", g.cy, "\" r=\"9\"/>");
          lx = g.x2 + 17;
        }
        h.push("<text class=\"gantt-bar-label\" x=\"", num(lx), "\" y=\"", top + BAR_H / 2 + 4, "\">",
          esc((t.external && t.src.project_code ? t.src.project_code + " · " : "") + t.name), "</text></g>");
      });
      return h.join("");
    }

    function linkPath(l) {
      var a = state.byId[l.pred], b = state.byId[l.succ];
      var ra = state.rowOf[l.pred], rb = state.rowOf[l.succ];
      if (!a || !b || ra === undefined || rb === undefined || !isFinite(a.s) || !isFinite(b.s)) { return null; }
      var ga = geometry(a, ra), gb = geometry(b, rb);
      var fromEnd = l.type === "FS" || l.type === "FF";     // leaves the predecessor's finish (going right)
      var toStart = l.type === "FS" || l.type === "SS";     // enters the successor's start (from the left)
      var x1 = fromEnd ? ga.x2 : ga.x1, y1 = ga.cy;
      var x2 = toStart ? gb.x1 : gb.x2, y2 = gb.cy;
      var off = 8;
      var xs = x1 + (fromEnd ? off : -off);                 // first corner
      var xe = x2 + (toStart ? -off : off);                 // last corner before the arrowhead
      var d = "M" + num(x1) + " " + y1;
      var direct = toStart ? xs <= xe : xs >= xe;
      if (toStart && !fromEnd) { xs = Math.min(xs, xe); direct = true; }      // SS: turn left of both
      if (!toStart && fromEnd) { xs = Math.max(xs, xe); direct = true; }      // FF: turn right of both
      if (direct) {
        d += "H" + num(xs) + "V" + y2 + "H" + num(x2);
      } else {
        var ym = (rb > ra ? ra + 1 : ra) * ROW_H;                            // the gap between the two rows
        d += "H" + num(xs) + "V" + ym + "H" + num(xe) + "V" + y2 + "H" + num(x2);
      }
      return d;
    }

    function linkCritical(l) {
      if (l.src.critical !== undefined && l.src.critical !== null) { return !!l.src.critical; }
      var a = state.byId[l.pred], b = state.byId[l.succ];
      return !!(a && b && a.critical && b.critical);
    }

    function linkTitle(l) {
      var a = state.byId[l.pred], b = state.byId[l.succ];
      var text = (a ? a.name : "?") + " → " + (b ? b.name : "?") + "\n" + L("link_" + l.type) + " (" + l.type + ")";
      if (l.lag) { text += "\n" + L("lag") + ": " + l.lag; }
      return esc(text);
    }

    function linksHTML() {
      var h = [], win = state.win;
      state.links.forEach(function (l) {
        var ra = state.rowOf[l.pred], rb = state.rowOf[l.succ];
        if (ra === undefined || rb === undefined || Math.max(ra, rb) < win.r0 || Math.min(ra, rb) >= win.r1) { return; }
        var d = linkPath(l);
        if (!d) { return; }
        var critical = linkCritical(l);
        var title = "<title>" + linkTitle(l) + "</title>";
        if (canDeleteLinks) {
          h.push("<path class=\"gantt-link-hit\" data-link-hit=\"", esc(l.id), "\" d=\"", d, "\">", title, "</path>");
        }
        h.push("<path class=\"gantt-link", critical ? " critical" : "", l.external ? " external" : "", "\" data-link-id=\"", esc(l.id),
          "\" data-link-type=\"", l.type, "\" d=\"", d, "\" marker-end=\"url(#", uid, critical ? "-arrow-critical" : "-arrow", ")\">", title, "</path>");
      });
      return h.join("");
    }

    function backgroundHTML() {
      var z = ZOOMS[state.zoom], h = [], H = state.height, u, win = state.win;
      if (z.bottom === "day") {
        for (u = Math.floor(win.c0); u < win.c1; u++) {
          if (weekday(u) === 6 || (weekday(u) === 0 && u === Math.floor(win.c0))) {
            var wx = X(Math.max(u, state.d0)), wend = X(Math.min(u + (weekday(u) === 6 ? 2 : 1), state.d1));
            h.push("<rect class=\"gantt-weekend\" x=\"", num(wx), "\" y=\"0\" width=\"", num(wend - wx), "\" height=\"", H, "\"/>");
          }
        }
      }
      var minor = [], major = [];
      for (u = unitStart(win.c0, z.bottom); u < win.c1; u = unitNext(u, z.bottom)) {
        if (u > state.d0) { minor.push("M", crisp(X(u)), " 0V", H); }
      }
      for (u = unitStart(win.c0, z.top); u < win.c1; u = unitNext(u, z.top)) {
        if (u > state.d0) { major.push("M", crisp(X(u)), " 0V", H); }
      }
      if (minor.length) { h.push("<path class=\"gantt-vline-minor\" d=\"", minor.join(""), "\"/>"); }
      if (major.length) { h.push("<path class=\"gantt-vline-major\" d=\"", major.join(""), "\"/>"); }
      return h.join("");
    }

    function chartHTML() {
      var w = state.width, H = state.height;
      var h = ["<svg class=\"gantt-svg\" xmlns=\"", SVG_NS, "\" width=\"", w, "\" height=\"", H, "\">",
        "<defs>",
        "<pattern id=\"", uid, "-rows\" width=\"", w, "\" height=\"", ROW_H, "\" patternUnits=\"userSpaceOnUse\">",
        "<line class=\"gantt-row-line\" x1=\"0\" x2=\"", w, "\" y1=\"", ROW_H - 0.5, "\" y2=\"", ROW_H - 0.5, "\"/></pattern>",
        "<marker id=\"", uid, "-arrow\" viewBox=\"0 0 10 10\" refX=\"9\" refY=\"5\" markerWidth=\"7\" markerHeight=\"7\" markerUnits=\"userSpaceOnUse\" orient=\"auto\">",
        "<path class=\"gantt-arrowhead\" d=\"M0 1L10 5L0 9Z\"/></marker>",
        "<marker id=\"", uid, "-arrow-critical\" viewBox=\"0 0 10 10\" refX=\"9\" refY=\"5\" markerWidth=\"7\" markerHeight=\"7\" markerUnits=\"userSpaceOnUse\" orient=\"auto\">",
        "<path class=\"gantt-arrowhead critical\" d=\"M0 1L10 5L0 9Z\"/></marker>",
        "</defs>",
        "<rect class=\"gantt-rows\" x=\"0\" y=\"0\" width=\"", w, "\" height=\"", H, "\" fill=\"url(#", uid, "-rows)\"/>",
        "<g class=\"gantt-bg\"></g>",
        "<rect class=\"gantt-row-hover\" x=\"0\" y=\"0\" width=\"", w, "\" height=\"", ROW_H, "\" visibility=\"hidden\"/>",
        "<rect class=\"gantt-row-selected\" x=\"0\" y=\"0\" width=\"", w, "\" height=\"", ROW_H, "\" visibility=\"hidden\"/>",
        "<g class=\"gantt-links\"></g>",
        "<g class=\"gantt-bars\"></g>"];
      var tx = X(state.today + 0.5);
      if (tx >= 0 && tx <= w) {
        h.push("<g class=\"gantt-today\"><title>", esc(L("today") + ": " + fmtDate(state.today)), "</title>",
          "<line x1=\"", num(tx), "\" x2=\"", num(tx), "\" y1=\"0\" y2=\"", H, "\"/></g>");
      }
      h.push("<g class=\"gantt-drag-layer\"></g></svg>");
      return h.join("");
    }

    // -- rendering --

    function render(scrollMode) {
      cancelDrag();
      var hadFocus = grid.contains(document.activeElement) ? closest(document.activeElement, ".gantt-row") : null;
      var anchor = null;
      if (state.rendered) {
        var view = timelineViewWidth();
        anchor = {
          day: state.d0 + (scroller.scrollLeft + (scrollMode === "center" ? view / 2 : 0)) / state.ppd,
          view: view, top: scroller.scrollTop
        };
      }
      computeVisible();
      computeRange();
      state.win = null;
      grid.style.height = state.visible.length ? state.visible.length * ROW_H + "px" : "";
      timeHead.innerHTML = headerHTML();
      chart.innerHTML = chartHTML();
      svg = chart.firstChild;
      dragLayer = svg.lastChild;
      hoverRect = svg.querySelector(".gantt-row-hover");
      selectRect = svg.querySelector(".gantt-row-selected");
      layers = {
        headCells: timeHead.querySelector(".gantt-head-cells"), bg: svg.querySelector(".gantt-bg"),
        links: svg.querySelector(".gantt-links"), bars: svg.querySelector(".gantt-bars")
      };
      state.hoverIndex = -1;
      root.classList.toggle("gantt-has-baseline", state.hasBaseline);
      Array.prototype.forEach.call(root.querySelectorAll("[data-zoom]"), function (b) {
        var on = b.getAttribute("data-zoom") === state.zoom;
        b.classList.toggle("active", on);
        b.setAttribute("aria-pressed", on ? "true" : "false");
      });
      if (anchor) {
        var left = (anchor.day - state.d0) * state.ppd - (scrollMode === "center" ? anchor.view / 2 : 0);
        scroller.scrollLeft = Math.max(0, left);
        scroller.scrollTop = anchor.top;
      } else {
        initialScroll();
      }
      updateWindow(true);
      placeSelection();
      if (hadFocus) {
        var id = hadFocus.getAttribute("data-row-id");
        var t = state.byId[id];
        while (t && state.rowOf[t.key] === undefined) { t = state.byId[t.parent]; }
        if (t) { focusRow(state.rowOf[t.key], false); }
      }
      state.rendered = true;
      onScroll();
    }

    // Renders the rows and columns near the viewport (all of them for small charts) when the view leaves them.
    function updateWindow(force) {
      var n = state.visible.length, ppd = state.ppd;
      var viewH = Math.max(scroller.clientHeight, 400), viewW = Math.max(timelineViewWidth(), 400);
      var first = Math.floor(scroller.scrollTop / ROW_H), last = Math.ceil((scroller.scrollTop + viewH) / ROW_H);
      var left = state.d0 + scroller.scrollLeft / ppd, right = left + viewW / ppd;
      var win = state.win, rows = false, cols = false;
      if (force || !win || (n > WHOLE_ROWS && (first < win.r0 || Math.min(last, n) > win.r1))) { rows = true; }
      if (force || !win || left < win.c0 || right > win.c1) { cols = true; }
      if (!rows && !cols) { return; }
      var next = { r0: win ? win.r0 : 0, r1: win ? win.r1 : n, c0: win ? win.c0 : state.d0, c1: win ? win.c1 : state.d1 };
      if (rows) {
        if (n <= WHOLE_ROWS) {
          next.r0 = 0; next.r1 = n;
        } else {
          var buffer = Math.max(20, last - first);
          next.r0 = Math.max(0, first - buffer);
          next.r1 = Math.min(n, last + buffer);
        }
      }
      if (cols) {
        var span = right - left;
        if (state.width <= viewW * 4) {
          next.c0 = state.d0; next.c1 = state.d1;
        } else {
          next.c0 = Math.max(state.d0, left - span);
          next.c1 = Math.min(state.d1, right + span);
        }
      }
      state.win = next;
      if (rows) {
        var focused = grid.contains(document.activeElement) ? document.activeElement : null;
        grid.style.paddingTop = next.r0 * ROW_H + "px";
        grid.innerHTML = gridHTML();
        layers.links.innerHTML = linksHTML();
        layers.bars.innerHTML = barsHTML();
        state.hoverIndex = -1;
        if (drag && drag.targetEl) {
          drag.targetEl = barElement(drag.target.key);
          if (drag.targetEl) { drag.targetEl.classList.add("gantt-link-target"); }
        }
        if (focused && state.focusId !== null) {
          var row = rowElement(state.rowOf[String(state.focusId)]);
          if (row) { try { row.focus({ preventScroll: true }); } catch (e) { row.focus(); } }
        }
      }
      if (cols) {
        layers.headCells.innerHTML = headerCellsHTML();
        layers.bg.innerHTML = backgroundHTML();
        placeTopLabels();
      }
    }

    function initialScroll() {
      var view = timelineViewWidth();
      var span = state.span;
      if (options.scrollTo !== "start" && span && state.today >= span[0] && state.today <= span[1] && X(state.today) > view * 0.6) {
        scroller.scrollLeft = Math.max(0, X(state.today) - view / 3);
      } else {
        scroller.scrollLeft = 0;
      }
    }

    function rowElement(index) {
      if (index === undefined || index < 0 || !state.win || index < state.win.r0 || index >= state.win.r1) { return null; }
      return grid.children[index - state.win.r0] || null;
    }

    function placeSelection() {
      var row = state.selectedId === null ? undefined : state.rowOf[String(state.selectedId)];
      if (!selectRect) { return; }
      if (row === undefined) {
        selectRect.setAttribute("visibility", "hidden");
      } else {
        selectRect.setAttribute("y", row * ROW_H);
        selectRect.setAttribute("visibility", "visible");
      }
    }

    function select(id) {
      var key = id === null ? null : String(id);
      if (state.selectedId !== null) {
        var old = String(state.selectedId);
        var oldRow = rowElement(state.rowOf[old]);
        if (oldRow) { oldRow.classList.remove("selected"); oldRow.setAttribute("aria-selected", "false"); }
        var oldBar = barElement(old);
        if (oldBar) { oldBar.classList.remove("selected"); }
      }
      state.selectedId = key === null ? null : state.byId[key] ? state.byId[key].id : null;
      if (state.selectedId !== null) {
        var row = rowElement(state.rowOf[key]);
        if (row) { row.classList.add("selected"); row.setAttribute("aria-selected", "true"); }
        var bar = barElement(key);
        if (bar) { bar.classList.add("selected"); }
      }
      placeSelection();
    }

    function barElement(key) {
      if (!svg) { return null; }
      var nodes = svg.querySelectorAll(".gantt-bars > [data-task-id]");
      var row = state.rowOf[key], guess = state.win && row !== undefined ? nodes[row - state.win.r0] : null;
      // bars are emitted in row order, one per row with dates, so try the row's position first
      if (guess && guess.getAttribute("data-task-id") === key) { return guess; }
      for (var i = 0; i < nodes.length; i++) { if (nodes[i].getAttribute("data-task-id") === key) { return nodes[i]; } }
      return null;
    }

    function setHover(index) {
      if (index === state.hoverIndex) { return; }
      var old = rowElement(state.hoverIndex);
      if (old) { old.classList.remove("hover"); }
      state.hoverIndex = index;
      var row = rowElement(index);
      if (row && hoverRect) {
        row.classList.add("hover");
        hoverRect.setAttribute("y", index * ROW_H);
        hoverRect.setAttribute("visibility", "visible");
      } else if (hoverRect) {
        hoverRect.setAttribute("visibility", "hidden");
      }
    }

    function focusRow(index, reveal) {
      if (!state.visible.length) { return; }
      index = Math.max(0, Math.min(state.visible.length - 1, index));
      if (reveal) { revealRow(index, true); } else { updateWindow(false); }
      var row = rowElement(index);
      if (!row) { return; }
      var prev = grid.querySelector(".gantt-row[tabindex=\"0\"]");
      if (prev && prev !== row) { prev.setAttribute("tabindex", "-1"); }
      row.setAttribute("tabindex", "0");
      state.focusId = state.visible[index].id;
      try { row.focus({ preventScroll: true }); } catch (e) { row.focus(); }
    }

    function revealRow(index, horizontal) {
      var top = index * ROW_H, view = scroller.clientHeight - HEAD_H;
      if (top < scroller.scrollTop) { scroller.scrollTop = top; }
      else if (top + ROW_H > scroller.scrollTop + view) { scroller.scrollTop = top + ROW_H - view; }
      var t = state.visible[index];
      if (horizontal && t && isFinite(t.s)) {
        var g = geometry(t, index), left = scroller.scrollLeft, width = timelineViewWidth();
        if (g.x2 < left + 10 || g.x1 > left + width - 40) { scroller.scrollLeft = Math.max(0, g.x1 - 60); }
      }
      updateWindow(false);
    }

    function toggle(id, collapse) {
      var key = String(id);
      var t = state.byId[key];
      if (!t || !isCollapsible(t)) { return; }
      var now = !!state.collapsed[key];
      var next = collapse === undefined ? !now : !!collapse;
      if (next === now) { return; }
      if (next) { state.collapsed[key] = true; } else { delete state.collapsed[key]; }
      render();
      if (typeof options.onCollapseChange === "function") { options.onCollapseChange(collapsedIds()); }
    }

    function collapsedIds() {
      return Object.keys(state.collapsed).map(function (k) { return state.byId[k] ? state.byId[k].id : k; });
    }

    function setZoom(zoom) {
      if (!ZOOMS[zoom] || zoom === state.zoom) { return; }
      state.zoom = zoom;
      render("center");
      if (typeof options.onZoomChange === "function") { options.onZoomChange(zoom); }
    }

    function scrollToDay(day) {
      scroller.scrollLeft = Math.max(0, X(day) - timelineViewWidth() / 3);
    }

    // -- events --

    function taskKeyOf(el) {
      var node = closest(el, "[data-task-id],[data-row-id]");
      if (!node) { return null; }
      return node.getAttribute("data-task-id") || node.getAttribute("data-row-id");
    }

    function onClick(e) {
      if (suppressClick) { suppressClick = false; return; }
      var target = e.target;
      var zoomBtn = closest(target, "[data-zoom]");
      if (zoomBtn) { setZoom(zoomBtn.getAttribute("data-zoom")); return; }
      if (closest(target, "[data-action=\"today\"]")) { scrollToDay(state.today); return; }
      var tog = closest(target, "[data-toggle-id]");
      if (tog) {
        e.stopPropagation();
        var key = tog.getAttribute("data-toggle-id");
        select(state.byId[key] ? state.byId[key].id : null);
        state.focusId = state.byId[key] ? state.byId[key].id : state.focusId;
        toggle(key);
        return;
      }
      var link = closest(target, "[data-link-hit],[data-link-id]");
      if (link && canDeleteLinks) {
        var lid = link.getAttribute("data-link-hit") || link.getAttribute("data-link-id");
        var l = state.linkById[lid];
        if (l && window.confirm(L("delete_link_confirm"))) { options.onLinkDelete(l.id); }
        return;
      }
      var key2 = taskKeyOf(target);
      if (key2 && state.byId[key2]) {
        select(state.byId[key2].id);
        var row = state.rowOf[key2];
        if (row !== undefined && closest(target, ".gantt-chart")) { focusRow(row, false); }
        return;
      }
      if (closest(target, ".gantt-chart") && svg) {
        var index = Math.floor((e.clientY - svg.getBoundingClientRect().top) / ROW_H);
        if (state.visible[index]) { select(state.visible[index].id); }
      }
    }

    function onDblClick(e) {
      if (typeof options.onTaskOpen !== "function") { return; }
      var key = taskKeyOf(e.target);
      if (!key && closest(e.target, ".gantt-chart") && svg) {
        var index = Math.floor((e.clientY - svg.getBoundingClientRect().top) / ROW_H);
        key = state.visible[index] ? state.visible[index].key : null;
      }
      if (key && state.byId[key] && !closest(e.target, "[data-toggle-id]")) { options.onTaskOpen(state.byId[key].id); }
    }

    function onKeyDown(e) {
      var row = e.target;
      if (!row.classList || !row.classList.contains("gantt-row")) { return; }
      var key = row.getAttribute("data-row-id"), index = state.rowOf[key], t = state.byId[key];
      if (index === undefined || !t) { return; }
      var page = Math.max(1, Math.floor((scroller.clientHeight - HEAD_H) / ROW_H) - 1);
      switch (e.key) {
        case "ArrowDown": focusRow(index + 1, true); break;
        case "ArrowUp": focusRow(index - 1, true); break;
        case "PageDown": focusRow(index + page, true); break;
        case "PageUp": focusRow(index - page, true); break;
        case "Home": focusRow(0, true); break;
        case "End": focusRow(state.visible.length - 1, true); break;
        case "ArrowRight":
          if (isCollapsible(t) && state.collapsed[key]) { toggle(key, false); }
          else if (isCollapsible(t) && state.visible[index + 1] && state.visible[index + 1].parent === key) { focusRow(index + 1, true); }
          break;
        case "ArrowLeft":
          if (isCollapsible(t) && !state.collapsed[key]) { toggle(key, true); }
          else if (t.parent !== null && state.rowOf[t.parent] !== undefined) { focusRow(state.rowOf[t.parent], true); }
          break;
        case "Enter":
          if (typeof options.onTaskOpen === "function") { options.onTaskOpen(t.id); }
          break;
        case " ":
          select(t.id);
          break;
        default:
          return;
      }
      if (e.key === "ArrowDown" || e.key === "ArrowUp" || e.key === "PageDown" || e.key === "PageUp" || e.key === "Home" || e.key === "End") {
        select(state.focusId);
      }
      e.preventDefault();
    }

    function onFocusIn(e) {
      var row = closest(e.target, ".gantt-row");
      if (!row || !grid.contains(row)) { return; }
      var prev = grid.querySelector(".gantt-row[tabindex=\"0\"]");
      if (prev && prev !== row) { prev.setAttribute("tabindex", "-1"); }
      row.setAttribute("tabindex", "0");
      var key = row.getAttribute("data-row-id");
      if (state.byId[key]) { state.focusId = state.byId[key].id; }
    }

    function onMouseMove(e) {
      if (drag && drag.active) { return; }
      var index = Math.floor((e.clientY - main.getBoundingClientRect().top) / ROW_H);
      setHover(index >= 0 && index < state.visible.length ? index : -1);
    }

    var scrolledX = false;
    function onScroll() {
      if (state.win) { updateWindow(false); placeTopLabels(); }
      var now = scroller.scrollLeft > 0;
      if (now !== scrolledX) { scrolledX = now; root.classList.toggle("gantt-scrolled-x", now); }
    }

    // -- dragging --

    function svgPoint(e) {
      var r = svg.getBoundingClientRect();
      return { x: e.clientX - r.left, y: e.clientY - r.top };
    }

    function snapUnit() { return ZOOMS[state.zoom].snap; }

    function el(name, attrs) {
      var node = document.createElementNS(SVG_NS, name);
      for (var k in attrs) { if (Object.prototype.hasOwnProperty.call(attrs, k)) { node.setAttribute(k, attrs[k]); } }
      return node;
    }

    function onPointerDown(e) {
      if (drag || !svg || (e.pointerType === "mouse" && e.button !== 0)) { return; }
      var handle = closest(e.target, "[data-handle]");
      if (!handle || !svg.contains(handle)) { return; }
      var kind = handle.getAttribute("data-handle");
      var barEl = closest(handle, "[data-task-id]");
      var t = barEl && state.byId[barEl.getAttribute("data-task-id")];
      if (!t) { return; }
      if ((kind === "link" && !editable.link) || (kind !== "link" && !editable.move)) { return; }
      var p = svgPoint(e);
      drag = { kind: kind, task: t, bar: barEl, row: state.rowOf[t.key], x0: p.x, y0: p.y, pointerId: e.pointerId, active: false };
      try { svg.setPointerCapture(e.pointerId); } catch (err) { /* not fatal */ }
      if (e.pointerType !== "mouse") { e.preventDefault(); }
    }

    function startDrag() {
      drag.active = true;
      root.classList.add("gantt-dragging", "gantt-dragging-" + drag.kind);
      setHover(-1);
      var t = drag.task, g = geometry(t, drag.row);
      drag.geom = g;
      if (drag.kind === "link") {
        drag.line = el("path", { "class": "gantt-link-draft", d: "" });
        dragLayer.appendChild(drag.line);
      } else {
        drag.ghost = t.milestone ? el("path", { "class": "gantt-ghost milestone", d: diamond(g.cx, g.cy, MS_HALF) })
          : el("rect", { "class": "gantt-ghost", x: num(g.x1), y: g.top, width: num(g.x2 - g.x1), height: BAR_H, rx: 3 });
        drag.tip = el("text", { "class": "gantt-ghost-label", x: num(g.x2 + 8), y: g.cy + 4 });
        dragLayer.appendChild(drag.ghost);
        dragLayer.appendChild(drag.tip);
      }
    }

    function dragResult(p) {
      var t = drag.task, unit = snapUnit();
      if (drag.kind === "move") {
        var delta = Math.round((p.x - drag.x0) / state.ppd / unit) * unit;
        return { delta: delta, start: t.s + delta };
      }
      if (drag.kind === "resize") {
        var first = Math.floor(t.s);
        var end = state.d0 + p.x / state.ppd;
        var days = Math.max(unit, Math.round((end - first) / unit) * unit);
        var wd = weekdaysBetween(first, first + days);
        if (wd < 1) { wd = 1; }
        return { days: days, duration: wd, end: first + days };
      }
      return null;
    }

    function linkTarget(p) {
      var index = Math.floor(p.y / ROW_H), t = state.visible[index];
      if (!t || t.key === drag.task.key || t.external || !isFinite(t.s)) { return null; }
      var g = geometry(t, index);
      return p.x >= g.x1 - 12 && p.x <= g.x2 + 12 ? t : null;
    }

    function autoScroll(e) {
      var r = scroller.getBoundingClientRect(), leftEdge = r.left + grid.offsetWidth;
      if (e.clientX > r.right - 30) { scroller.scrollLeft += 16; }
      else if (e.clientX < leftEdge + 30 && e.clientX > leftEdge - 200) { scroller.scrollLeft -= 16; }
      var bottom = r.top + scroller.clientHeight;
      if (e.clientY > bottom - 24) { scroller.scrollTop += 12; }
      else if (e.clientY < r.top + HEAD_H + 24) { scroller.scrollTop -= 12; }
    }

    function onPointerMove(e) {
      if (!drag || e.pointerId !== drag.pointerId) { return; }
      var p = svgPoint(e);
      if (!drag.active) {
        if (Math.abs(p.x - drag.x0) < 4 && Math.abs(p.y - drag.y0) < 4) { return; }
        startDrag();
      }
      e.preventDefault();
      var g = drag.geom, res;
      if (drag.kind === "move") {
        res = dragResult(p);
        var dx = res.delta * state.ppd;
        drag.ghost.setAttribute("transform", "translate(" + num(dx) + " 0)");
        drag.tip.setAttribute("x", num(g.x2 + dx + 8));
        drag.tip.textContent = fmtDate(res.start);
      } else if (drag.kind === "resize") {
        res = dragResult(p);
        var x2 = Math.max(g.x1 + 3, X(res.end));
        drag.ghost.setAttribute("width", num(x2 - g.x1));
        drag.tip.setAttribute("x", num(x2 + 8));
        drag.tip.textContent = res.duration + L("day_abbr");
      } else {
        var target = linkTarget(p);
        var sx = g.x2 + 9;
        drag.line.setAttribute("d", "M" + num(sx) + " " + g.cy + "L" + num(p.x) + " " + num(p.y));
        if (target !== drag.target) {
          if (drag.targetEl) { drag.targetEl.classList.remove("gantt-link-target"); }
          drag.target = target;
          drag.targetEl = target ? barElement(target.key) : null;
          if (drag.targetEl) { drag.targetEl.classList.add("gantt-link-target"); }
        }
      }
      autoScroll(e);
    }

    function endDrag(keepGhost) {
      if (!drag) { return; }
      var d = drag;
      drag = null;
      try { svg.releasePointerCapture(d.pointerId); } catch (err) { /* already released */ }
      root.classList.remove("gantt-dragging", "gantt-dragging-move", "gantt-dragging-resize", "gantt-dragging-link");
      if (d.targetEl) { d.targetEl.classList.remove("gantt-link-target"); }
      if (d.line && d.line.parentNode) { d.line.parentNode.removeChild(d.line); }
      if (keepGhost && d.ghost) {
        d.ghost.classList.add("pending");
        d.tip.classList.add("pending");
      } else {
        if (d.ghost && d.ghost.parentNode) { d.ghost.parentNode.removeChild(d.ghost); }
        if (d.tip && d.tip.parentNode) { d.tip.parentNode.removeChild(d.tip); }
      }
      return d;
    }

    function cancelDrag() { if (drag) { endDrag(false); } }

    function clearPending() {
      if (!dragLayer) { return; }
      Array.prototype.slice.call(dragLayer.querySelectorAll(".pending")).forEach(function (n) { n.parentNode.removeChild(n); });
    }

    function afterCallback(result) {
      if (result && typeof result.then === "function") {
        result.then(null, clearPending);
      }
    }

    function onPointerUp(e) {
      if (!drag || e.pointerId !== drag.pointerId) { return; }
      if (!drag.active) { endDrag(false); return; }
      var p = svgPoint(e), t = drag.task, res;
      suppressClick = true;
      setTimeout(function () { suppressClick = false; }, 0);
      if (drag.kind === "move") {
        res = dragResult(p);
        if (res.delta !== 0) {
          endDrag(true);
          afterCallback(options.onTaskChange(t.id, { start: isoOf(res.start) }));
          return;
        }
      } else if (drag.kind === "resize") {
        res = dragResult(p);
        if (res.duration !== t.days) {
          endDrag(true);
          afterCallback(options.onTaskChange(t.id, { duration_days: res.duration }));
          return;
        }
      } else {
        var target = linkTarget(p);
        endDrag(false);
        if (target) { options.onLinkCreate(t.id, target.id); }
        return;
      }
      endDrag(false);
    }

    function onPointerCancel(e) {
      if (drag && e.pointerId === drag.pointerId) { endDrag(false); }
    }

    function onKeyUpEscape(e) {
      if (e.key === "Escape" && drag) { endDrag(false); }
    }

    // -- layout changes --

    function checkSize() {
      var narrow = root.clientWidth > 0 && root.clientWidth < NARROW_WIDTH;
      if (narrow !== state.narrow) {
        state.narrow = narrow;
        root.classList.toggle("gantt-narrow", narrow);
      }
      if (state.rendered && timelineViewWidth() > state.width + 1) { render(); }
    }

    var resizeObserver = null;
    if (typeof ResizeObserver === "function") {
      resizeObserver = new ResizeObserver(function () { checkSize(); });
      resizeObserver.observe(root);
    } else {
      window.addEventListener("resize", checkSize);
    }

    root.addEventListener("click", onClick);
    root.addEventListener("dblclick", onDblClick);
    grid.addEventListener("keydown", onKeyDown);
    grid.addEventListener("focusin", onFocusIn);
    main.addEventListener("mousemove", onMouseMove);
    main.addEventListener("mouseleave", function () { setHover(-1); });
    scroller.addEventListener("scroll", onScroll, { passive: true });
    chart.addEventListener("pointerdown", onPointerDown);
    chart.addEventListener("pointermove", onPointerMove);
    chart.addEventListener("pointerup", onPointerUp);
    chart.addEventListener("pointercancel", onPointerCancel);
    // Chromium ignores touch-action on SVG shapes: keep a finger on a bar or handle from panning the chart instead.
    chart.addEventListener("touchmove", function (e) { if (drag) { e.preventDefault(); } }, { passive: false });
    chart.addEventListener("lostpointercapture", onPointerCancel);
    document.addEventListener("keydown", onKeyUpEscape);

    state.narrow = root.clientWidth > 0 && root.clientWidth < NARROW_WIDTH;
    root.classList.toggle("gantt-narrow", state.narrow);
    (options.collapsed || []).forEach(function (id) { state.collapsed[String(id)] = true; });
    prepare(data);
    render();

    return {
      element: root,
      update: function (newData) {
        if (newData !== undefined) { prepare(newData); }
        render();
      },
      setZoom: setZoom,
      getZoom: function () { return state.zoom; },
      collapse: function (id) { toggle(id, true); },
      expand: function (id) { toggle(id, false); },
      toggle: function (id) { toggle(id); },
      getCollapsed: collapsedIds,
      select: function (id) { select(id); },
      scrollToToday: function () { scrollToDay(state.today); },
      scrollToTask: function (id) {
        var row = state.rowOf[String(id)];
        if (row !== undefined) { revealRow(row, true); }
      },
      destroy: function () {
        cancelDrag();
        if (resizeObserver) { resizeObserver.disconnect(); } else { window.removeEventListener("resize", checkSize); }
        document.removeEventListener("keydown", onKeyUpEscape);
        if (root.parentNode) { root.parentNode.removeChild(root); }
      }
    };
  }

  global.RegieGantt = { create: create, readJSON: readJSON, labels: DEFAULT_LABELS };
})(window);
