/**
 * What a compare / tune report page carries besides its data: the script
 * that draws its charts in the page (plain ES5, inlined; Chart.js is inlined
 * next to it) and its style sheet. See ./html for the page itself.
 */

// Runs in the page: draws the two charts for the selected seed.
export const PAGE_SCRIPT = `
(function () {
  var data = JSON.parse(document.getElementById('report-data').textContent);
  var label = data.metric === 'rmse' ? 'best val RMSE so far' : 'best val accuracy so far';
  var charts = [];
  function draw(i) {
    charts.forEach(function (c) { c.destroy(); });
    charts = [];
    var run = data.runs[i];
    [['by-eval', 'byEval', 'evaluation'], ['by-time', 'byTime', 'wall time (s)']].forEach(function (spec) {
      var sets = run.strategies.map(function (s) {
        return { label: s.strategy, data: s[spec[1]], borderColor: s.color, backgroundColor: s.color,
          borderDash: s.strategy.indexOf('+') >= 0 ? [6, 3] : [], stepped: 'after', pointRadius: 3, borderWidth: 2 };
      });
      if (run.randomBest !== null) {
        var xs = [].concat.apply([], run.strategies.map(function (s) { return s[spec[1]].map(function (p) { return p.x; }); }));
        sets.push({ label: "random's best", data: [{ x: Math.min.apply(null, xs.concat([0])), y: run.randomBest },
          { x: Math.max.apply(null, xs.concat([1])), y: run.randomBest }], borderColor: '#999', borderDash: [6, 4],
          pointRadius: 0, borderWidth: 1 });
      }
      // The first evaluations are often far off: scale the y axis to the curves
      // after a quarter of the budget, so the differences that matter are visible.
      var lo = Infinity, hi = -Infinity;
      run.strategies.forEach(function (s) {
        var pts = s[spec[1]];
        var from = Math.min(pts.length - 1, Math.floor(pts.length / 4));
        pts.forEach(function (p, j) {
          if (j >= from || data.direction === 'minimize') lo = Math.min(lo, p.y);
          if (j >= from || data.direction === 'maximize') hi = Math.max(hi, p.y);
        });
      });
      var pad = (hi - lo) * 0.08 || Math.abs(hi) * 0.01 || 1;
      charts.push(new Chart(document.getElementById(spec[0]), {
        type: 'line',
        data: { datasets: sets },
        options: { animation: false, parsing: true, responsive: true, maintainAspectRatio: false,
          // evaluations are whole numbers: no 1.5 or 2.5 ticks
          scales: { x: { type: 'linear', ticks: spec[0] === 'by-eval' ? { precision: 0 } : {}, title: { display: true, text: spec[2] } },
                    y: { min: lo - pad, max: hi + pad, title: { display: true, text: label } } },
          plugins: { legend: { position: 'bottom' } } }
      }));
    });
    var curves = document.getElementById('curves');
    if (curves) {
      var csets = [];
      run.strategies.forEach(function (s) {
        s.curves.forEach(function (c, j) {
          csets.push({ label: s.strategy, data: c.points, borderColor: c.pruned ? '#c8c8c8' : s.color,
            backgroundColor: c.pruned ? '#c8c8c8' : s.color, borderDash: s.strategy.indexOf('+') >= 0 ? [6, 3] : [],
            pointRadius: 2, borderWidth: c.pruned ? 1 : 1.5, inLegend: j === 0 });
        });
      });
      charts.push(new Chart(curves, {
        type: 'line',
        data: { datasets: csets },
        options: { animation: false, responsive: true, maintainAspectRatio: false,
          scales: { x: { type: 'linear', ticks: { precision: 0 }, title: { display: true, text: 'epoch' } },
                    y: { title: { display: true, text: data.metric === 'rmse' ? 'val RMSE' : 'val accuracy' } } },
          plugins: { legend: { position: 'bottom', labels: { filter: function (item, d) { return d.datasets[item.datasetIndex].inLegend; } } } } }
      }));
    }
  }
  var select = document.getElementById('seed');
  if (select) select.addEventListener('change', function () { draw(Number(select.value)); });
  if (typeof Chart === 'undefined') {
    document.getElementById('charts').textContent = 'Chart.js did not load.';
    return;
  }
  draw(0);
})();
`;

export const STYLE = `
body { font: 15px/1.45 system-ui, sans-serif; margin: 2rem auto; max-width: 1100px; padding: 0 1rem; color: #222; }
h1 { font-size: 1.5rem; } h2 { font-size: 1.15rem; margin-top: 2rem; }
.meta { color: #555; }
.charts { display: grid; grid-template-columns: repeat(auto-fit, minmax(420px, 1fr)); gap: 1.5rem; }
.charts figure { margin: 0; height: 340px; position: relative; }
th[scope=row] { white-space: nowrap; }
table { border-collapse: collapse; margin: .5rem 0 1rem; }
th, td { padding: .3rem .7rem; border-bottom: 1px solid #ddd; text-align: right; }
th[scope=row], thead th:first-child { text-align: left; }
.swatch { display: inline-block; width: .8em; height: .8em; margin-right: .4em; border-radius: 2px; }
code { font-size: .9em; }
`;
