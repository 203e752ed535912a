// The service chain graph on a service page: the service, what depends on it (left) and its chain of
// supporting services and suppliers (right). Data from a json_script block; labels from data attributes.
(function () {
  function draw() {
    var node = document.getElementById("chain-graph");
    var source = document.getElementById("chain-graph-data");
    if (!node || !source || !window.echarts) { return; }
    var data = JSON.parse(source.textContent);
    var categories = (node.getAttribute("data-categories") || "").split("|");
    var labels = (node.getAttribute("data-labels") || "").split("|");
    var colours = ["#206bc4", "#4299e1", "#f76707"];
    var chart = echarts.init(node);
    chart.setOption({
      animation: false,
      legend: [{ data: categories, bottom: 0 }],
      tooltip: {
        formatter: function (p) {
          if (p.dataType === "edge") {
            var e = p.data;
            return [labels[0] + ": " + (e.responsible || "—"), labels[1] + ": " + (e.agreement || "—"),
                    labels[2] + ": " + echarts.format.encodeHTML(e.result || "")].join("<br>");
          }
          return echarts.format.encodeHTML(p.data.name);
        }
      },
      series: [{
        type: "graph", layout: "none", roam: true, left: 90, right: 90, top: 30, bottom: 70, symbolSize: 18, edgeSymbol: ["none", "arrow"], edgeSymbolSize: 9,
        categories: categories.map(function (name, i) { return { name: name, itemStyle: { color: colours[i] } }; }),
        label: { show: true, position: "bottom", width: 200, overflow: "truncate" },
        lineStyle: { color: "#8a96a8", width: 2, curveness: 0.05 },
        emphasis: { focus: "adjacency" },
        data: data.nodes.map(function (n) { n.symbol = n.category === 2 ? "rect" : "circle"; n.symbolSize = n.category === 0 ? 26 : 18; return n; }),
        links: data.edges
      }]
    });
    chart.on("click", function (p) {
      if (p.dataType === "node" && p.data.url) { window.location.href = p.data.url; }
    });
    window.addEventListener("resize", function () { chart.resize(); });
    node.setAttribute("data-ready", "1");
  }
  if (document.readyState === "loading") { document.addEventListener("DOMContentLoaded", draw); } else { draw(); }
})();
