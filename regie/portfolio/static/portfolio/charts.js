// Portfolio charts: the phase funnel on the overview and the RAG history on a project page.
// Data comes from json_script blocks; labels from data attributes, so the page's language is used.
(function () {
  var COLOURS = { green: "#2fb344", amber: "#f59f00", red: "#d63939" };
  var RANK = { green: 0, amber: 1, red: 2 };

  function data(id) {
    var node = document.getElementById(id);
    return node ? JSON.parse(node.textContent) : null;
  }

  function funnel() {
    var node = document.getElementById("phase-funnel");
    var rows = data("phase-funnel-data");
    if (!node || !rows || !rows.length || !window.echarts) { return; }
    var chart = echarts.init(node);
    chart.setOption({
      animation: false,
      tooltip: { trigger: "item", formatter: "{b}: {c}" },
      series: [{
        type: "funnel", sort: "none", left: "5%", width: "90%", minSize: "20%", gap: 2,
        label: { show: true, position: "inside", formatter: "{b}: {c}" },
        data: rows
      }]
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }

  function ragHistory() {
    var node = document.getElementById("rag-history");
    var rows = data("rag-history-data");
    if (!node || !rows || !rows.length || !window.echarts) { return; }
    var keys = ["overall", "schedule", "cost", "scope", "risks", "resources", "quality"];
    var labels = (node.getAttribute("data-labels") || "").split("|");
    var rags = (node.getAttribute("data-rags") || "green|amber|red").split("|");
    var points = [];
    rows.forEach(function (row, x) {
      keys.forEach(function (key, y) { points.push([x, keys.length - 1 - y, RANK[row[key]]]); });
    });
    var chart = echarts.init(node);
    chart.setOption({
      animation: false,
      grid: { left: 90, right: 10, top: 10, bottom: 40 },
      tooltip: {
        formatter: function (p) {
          return rows[p.value[0]].period + " · " + labels[keys.length - 1 - p.value[1]] + ": " + rags[p.value[2]];
        }
      },
      xAxis: { type: "category", data: rows.map(function (r) { return r.period; }), axisLabel: { fontSize: 10 } },
      yAxis: { type: "category", data: labels.slice().reverse() },
      visualMap: {
        type: "piecewise", show: false, dimension: 2,
        pieces: [{ value: 0, color: COLOURS.green }, { value: 1, color: COLOURS.amber }, { value: 2, color: COLOURS.red }]
      },
      series: [{ type: "heatmap", data: points, itemStyle: { borderColor: "#fff", borderWidth: 2 } }]
    });
    chart.on("click", function (p) {
      var row = rows[p.value[0]];
      if (row && row.id) { window.location.href = "/status-reports/" + row.id + "/"; }
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }

  document.addEventListener("DOMContentLoaded", function () { funnel(); ragHistory(); });
})();
