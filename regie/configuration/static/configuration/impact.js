// The impact graph of a configuration item: the item on the left, what rests on it level by level, then
// the services they support and the customers of those services. Data comes from a json_script block.
(function () {
  var COLOURS = ["#206bc4", "#adb5bd", "#2fb344", "#f76707"];
  var LEGEND = 34;

  function draw() {
    var node = document.getElementById("impact-graph");
    var source = document.getElementById("impact-graph-data");
    if (!node || !source || !window.echarts) { return; }
    var graph = JSON.parse(source.textContent);
    var columns = {};
    var last = 0;
    graph.nodes.forEach(function (n) {
      (columns[n.column] = columns[n.column] || []).push(n);
      last = Math.max(last, n.column);
    });
    var tallest = 1;
    Object.keys(columns).forEach(function (c) { tallest = Math.max(tallest, columns[c].length); });
    var many = graph.nodes.length > 60;
    var row = many ? 24 : 40;
    var height = Math.max(360, Math.min(1400, tallest * row + 60 + LEGEND));
    node.style.height = height + "px";
    var width = node.clientWidth || 1000;
    var area = height - LEGEND;
    var step = Math.min(row, (area - 40) / Math.max(1, tallest - 1));
    var spacing = (width - 40) / (last + 1);
    var encode = echarts.format.encodeHTML;
    var nodes = graph.nodes.map(function (n) {
      var column = columns[n.column];
      var index = column.indexOf(n);
      return {
        id: n.id,
        name: n.name,
        x: 24 + n.column * spacing,
        y: area / 2 + (index - (column.length - 1) / 2) * step,
        category: n.category,
        symbolSize: n.root ? 22 : 13,
        value: n.type || "",
        url: n.url,
        label: { show: n.root || !many, position: "right", width: Math.max(40, spacing - 30), overflow: "truncate" },
        itemStyle: n.root ? { borderColor: "#1d273b", borderWidth: 2 } : undefined
      };
    });
    // Two invisible corners make the drawing area the chart's own size, so nothing is stretched.
    [[0, 0], [width, area]].forEach(function (corner, i) {
      nodes.push({ id: "corner" + i, name: "", x: corner[0], y: corner[1], symbolSize: 0, silent: true, label: { show: false }, tooltip: { show: false } });
    });
    var chart = echarts.init(node);
    node.setAttribute("data-nodes", String(graph.nodes.length));
    chart.setOption({
      animation: false,
      color: COLOURS,
      tooltip: {
        formatter: function (p) {
          if (p.dataType !== "node" || !p.data.name) { return ""; }
          return p.data.value ? encode(p.data.name) + "<br>" + encode(p.data.value) : encode(p.data.name);
        }
      },
      legend: [{ data: graph.categories.filter(function (name, i) {
        return graph.nodes.some(function (n) { return n.category === i; });
      }), bottom: 0 }],
      series: [{
        type: "graph",
        layout: "none",
        roam: true,
        draggable: false,
        left: 0, top: 0, width: width, height: area,
        data: nodes,
        links: graph.links,
        categories: graph.categories.map(function (name) { return { name: name }; }),
        edgeSymbol: ["none", "arrow"],
        edgeSymbolSize: 6,
        lineStyle: { color: "source", opacity: 0.45, curveness: 0.06 },
        label: { fontSize: 11 },
        emphasis: { focus: "adjacency", label: { show: true } }
      }]
    });
    chart.on("click", function (p) {
      if (p.dataType === "node" && p.data.url) { window.location.href = p.data.url; }
    });
    window.addEventListener("resize", function () { chart.resize(); });
  }

  document.addEventListener("DOMContentLoaded", draw);
})();
