// The plan page: draws the Gantt chart and sends its edits to the server, which reschedules the plan
// and answers with the new schedule; the chart then shows the successors and the critical path moved.
(function () {
  function json(id) {
    var node = document.getElementById(id);
    return node ? JSON.parse(node.textContent) : null;
  }

  function csrf() {
    var match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    if (match) { return decodeURIComponent(match[1]); }
    var field = document.querySelector("input[name=csrfmiddlewaretoken]");
    return field ? field.value : "";
  }

  function start() {
    var node = document.getElementById("gantt");
    var data = json("gantt-data");
    if (!node || !data || !window.RegieGantt) { return; }
    var editUrl = node.getAttribute("data-edit-url");
    var taskUrl = node.getAttribute("data-task-url");
    var errorBox = document.getElementById("gantt-error");
    var chart;

    // the plan's finish, the suggested status and the task table follow the new schedule too; after quick
    // edits only the answer to the latest refresh counts
    var refreshes = 0;
    function refresh() {
      var mine = ++refreshes;
      fetch(window.location.href, { credentials: "same-origin" }).then(function (response) {
        return response.ok ? response.text() : null;
      }).then(function (html) {
        if (!html || mine !== refreshes) { return; }
        var fresh = new DOMParser().parseFromString(html, "text/html");
        ["plan-finish", "schedule-suggestion", "task-table"].forEach(function (id) {
          var now = document.getElementById(id), then = fresh.getElementById(id);
          if (now && then) { now.replaceWith(document.importNode(then, true)); }
        });
      }).catch(function () { /* the chart is right; the rest shows on the next visit */ });
    }

    function send(change) {
      node.setAttribute("aria-busy", "true");
      errorBox.classList.add("d-none");
      return fetch(editUrl, {
        method: "POST",
        credentials: "same-origin",
        headers: { "Content-Type": "application/json", "X-CSRFToken": csrf() },
        body: JSON.stringify(change)
      }).then(function (response) {
        return response.json().then(function (body) { return { ok: response.ok, body: body }; });
      }).then(function (result) {
        node.removeAttribute("aria-busy");
        if (!result.ok) {
          errorBox.textContent = result.body.error || "";
          errorBox.classList.remove("d-none");
          chart.update(data);
          return;
        }
        data = result.body;
        chart.update(data);
        node.setAttribute("data-version", String(Date.now()));
        refresh();
      }).catch(function () {
        node.removeAttribute("aria-busy");
        chart.update(data);
      });
    }

    var options = { labels: json("gantt-labels") || {} };
    options.onTaskOpen = function (id) { window.location.href = taskUrl.replace(/0\/$/, id + "/"); };
    if (editUrl) {
      options.onTaskChange = function (id, change) {
        var body = { action: "task", task: id };
        if (change.start) { body.start = change.start; }
        if (change.duration_days !== undefined) { body.duration_days = change.duration_days; }
        send(body);
      };
      options.onLinkCreate = function (pred, succ) { send({ action: "link", predecessor: pred, successor: succ, type: "FS" }); };
      options.onLinkDelete = function (id) { send({ action: "unlink", link: id }); };
    }
    chart = window.RegieGantt.create(node, data, options);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
