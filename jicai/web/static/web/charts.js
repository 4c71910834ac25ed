/* Dashboard charts with Apache ECharts (served from static/echarts/). The data are the page's own tables, passed
   by the server as JSON (#dashboard-charts: {name: {categories, series: [{name, data}]}}); this file only draws. */
(function () {
  "use strict";
  var source = document.getElementById("dashboard-charts");
  if (!source || typeof echarts === "undefined") return;
  var charts = JSON.parse(source.textContent);
  var colours = ["#1d4ed8", "#b45309", "#166534", "#b91c1c"];
  document.querySelectorAll("[data-chart]").forEach(function (element) {
    var data = charts[element.getAttribute("data-chart")];
    if (!data || !data.categories.length) return;
    var kind = element.getAttribute("data-kind") || "bar";
    var chart = echarts.init(element, null, { renderer: "svg" });
    chart.setOption({
      color: colours,
      animation: false,
      tooltip: { trigger: "axis" },
      legend: { top: 0 },
      grid: { left: 56, right: 16, top: 32, bottom: 40 },
      xAxis: { type: "category", data: data.categories },
      yAxis: { type: "value" },
      series: data.series.map(function (s, n) {
        return {
          name: s.name,
          type: kind,
          data: s.data,
          lineStyle: kind === "line" && n > 0 ? { type: "dashed" } : undefined
        };
      })
    });
    window.addEventListener("resize", function () { chart.resize(); });
  });
})();
