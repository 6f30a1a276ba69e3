// Draw every chart the server described: <div data-chart="id"> reads the JSON in <script id="id">.
document.querySelectorAll("[data-chart]").forEach(function (el) {
  var source = document.getElementById(el.dataset.chart);
  if (!source || typeof Plotly === "undefined") { return; }
  var figure = JSON.parse(source.textContent);
  Plotly.newPlot(el, figure.data, figure.layout, {displayModeBar: false, responsive: true});
});
