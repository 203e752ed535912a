// Service-level charts: achieved per month as bars (missed months red) against the agreed level as a line.
(function () {
  function draw() {
    var source = document.getElementById("levels-data");
    if (!source || !window.echarts) { return; }
    JSON.parse(source.textContent).forEach(function (chart) {
      var node = document.getElementById(chart.id);
      if (!node) { return; }
      var values = chart.achieved.filter(function (v) { return v !== null; });
      if (chart.agreed !== null) { values.push(chart.agreed); }
      var low = values.length ? Math.max(0, Math.floor(Math.min.apply(null, values) - 2)) : 0;
      var instance = echarts.init(node);
      instance.setOption({
        animation: false,
        grid: { left: 45, right: 10, top: 25, bottom: 30 },
        legend: { top: 0, data: [node.getAttribute("data-achieved"), node.getAttribute("data-agreed")] },
        tooltip: { trigger: "axis" },
        xAxis: { type: "category", data: chart.months },
        yAxis: { type: "value", min: low, max: 100, axisLabel: { formatter: "{value} %" } },
        series: [
          { name: node.getAttribute("data-achieved"), type: "bar", itemStyle: { color: "#2fb344" },
            data: chart.achieved.map(function (v, i) {
              return { value: v, itemStyle: { color: chart.met[i] === false ? "#d63939" : "#2fb344" } };
            }) },
          { name: node.getAttribute("data-agreed"), type: "line", step: "middle", symbol: "none",
            lineStyle: { type: "dashed", color: "#206bc4" },
            data: chart.months.map(function () { return chart.agreed; }) }
        ]
      });
      window.addEventListener("resize", function () { instance.resize(); });
      node.setAttribute("data-ready", "1");
    });
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", draw); } else { draw(); }
})();
