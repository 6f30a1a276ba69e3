// Draw every chart the server described: <div data-chart="id"> reads the JSON in <script id="id">.
document.querySelectorAll("[data-chart]").forEach(function (el) {
  var source = document.getElementById(el.dataset.chart);
  if (!source || typeof Plotly === "undefined") { return; }
  var figure = JSON.parse(source.textContent);
  Plotly.newPlot(el, figure.data, figure.layout, {displayModeBar: false, responsive: true});
});

// A dot whose first custom datum is a link opens it: every figure leads to the answers behind it.
document.querySelectorAll("[data-chart]").forEach(function (el) {
  if (typeof el.on !== "function") { return; }
  el.on("plotly_click", function (event) {
    var point = event.points && event.points[0];
    var link = point && point.customdata && point.customdata[0];
    if (typeof link === "string" && link.charAt(0) === "/") { window.location.assign(link); }
  });
});
