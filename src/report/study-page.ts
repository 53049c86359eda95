/**
 * The script of the study report page (plain browser JavaScript, inlined).
 * Chart.js draws the history, importance, slice and intermediate-value
 * charts; parallel coordinates and the contour are drawn on canvases here.
 * Each chart marks its canvas `data-drawn` once drawn, for tests.
 */
export const STUDY_PAGE_SCRIPT = String.raw`
(function () {
  var data = JSON.parse(document.getElementById('study-data').textContent);
  var minimize = data.direction === 'minimize';
  var done = data.trials.filter(function (t) { return t.status === 'complete'; });
  var BLUE = '#0072b2', ORANGE = '#e69f00', GREY = '#999';
  function fmt(v) {
    if (typeof v !== 'number') return String(v);
    if (v === 0) return '0';
    var a = Math.abs(v);
    return a >= 1e4 || a < 1e-3 ? v.toExponential(2) : String(Number(v.toPrecision(4)));
  }
  function mark(id) { document.getElementById(id).setAttribute('data-drawn', 'true'); }
  // what a canvas chart drew, for tests (its axis labels, the contour's trial cells)
  function record(id, key, v) { document.getElementById(id).setAttribute('data-' + key, JSON.stringify(v)); }
  // Colour for a value in [0, 1] (0 bad, 1 good): a viridis-like ramp.
  var RAMP = [[68, 1, 84], [59, 82, 139], [33, 145, 140], [94, 201, 98], [253, 231, 37]];
  function ramp(u) {
    u = Math.max(0, Math.min(1, u)) * (RAMP.length - 1);
    var i = Math.min(RAMP.length - 2, Math.floor(u)), f = u - i, a = RAMP[i], b = RAMP[i + 1];
    return 'rgb(' + [0, 1, 2].map(function (k) { return Math.round(a[k] + f * (b[k] - a[k])); }).join(',') + ')';
  }
  var vals = done.map(function (t) { return t.target; });
  var vmin = Math.min.apply(null, vals), vmax = Math.max.apply(null, vals);
  // where v lies in [lo, hi], 0.5 for an empty range; in halves, so a range near +-1.8e308 does not overflow
  function frac(v, lo, hi) { var w = hi / 2 - lo / 2; return w > 0 ? (v / 2 - lo / 2) / w : 0.5; }
  function goodness(v) { var u = frac(v, vmin, vmax); return minimize ? 1 - u : u; }
  var param = {};
  data.params.forEach(function (p) { param[p.name] = p; });
  function axisFor(p) {
    if (p.type === 'categorical') return { type: 'category', labels: p.choices.map(String) };
    return { type: p.log ? 'logarithmic' : 'linear', ticks: p.type === 'int' ? { precision: 0 } : {} };
  }
  if (typeof Chart === 'undefined') { document.body.insertAdjacentHTML('afterbegin', '<p>Chart.js did not load.</p>'); return; }
  Chart.defaults.animation = false;
  Chart.defaults.maintainAspectRatio = false;

  // Optimization history: every trial's value and the best so far.
  (function () {
    var best = null, steps = [];
    data.trials.forEach(function (t) {
      if (t.status !== 'complete') return;
      if (best === null || (minimize ? t.target < best : t.target > best)) best = t.target;
      steps.push({ x: t.id, y: best });
    });
    new Chart(document.getElementById('history'), {
      type: 'scatter',
      data: { datasets: [
        { label: 'value', data: done.map(function (t) { return { x: t.id, y: t.target }; }), backgroundColor: BLUE },
        { label: 'best so far', type: 'line', data: steps, stepped: 'after', borderColor: ORANGE, pointRadius: 0, borderWidth: 2 },
      ] },
      options: { scales: { x: { type: 'linear', ticks: { precision: 0 }, title: { display: true, text: 'trial' } },
        y: { title: { display: true, text: data.objective } } }, plugins: { legend: { position: 'bottom' } } },
    });
    mark('history');
  })();

  // Parameter importance.
  if (data.importance.length > 0) {
    new Chart(document.getElementById('importance'), {
      type: 'bar',
      data: { labels: data.importance.map(function (i) { return i.name; }),
        datasets: [{ label: 'importance', data: data.importance.map(function (i) { return i.importance; }), backgroundColor: BLUE }] },
      options: { indexAxis: 'y', scales: { x: { min: 0, title: { display: true, text: 'share of the GP mean\'s variation (permutation)' } } },
        plugins: { legend: { display: false } } },
    });
    mark('importance');
  }

  // Slices: the objective against each parameter.
  data.params.forEach(function (p, j) {
    var id = 'slice-' + j;
    new Chart(document.getElementById(id), {
      type: 'scatter',
      data: { datasets: [{ label: p.name, data: done.map(function (t) {
        var x = t.params[p.name];
        return { x: p.type === 'categorical' ? String(x) : x, y: t.target };
      }), backgroundColor: done.map(function (t) { return ramp(goodness(t.target)); }) }] },
      options: { scales: { x: Object.assign(axisFor(p), { title: { display: true, text: p.name } }),
        y: { title: { display: true, text: data.objective } } }, plugins: { legend: { display: false } } },
    });
    mark(id);
  });

  // Intermediate values (learning curves), where trials reported them.
  var curves = data.trials.filter(function (t) { return t.intermediate && t.intermediate.length > 0; });
  if (curves.length > 0) {
    new Chart(document.getElementById('intermediate'), {
      type: 'line',
      data: { datasets: curves.map(function (t) {
        return { label: 'trial ' + t.id, data: t.intermediate.map(function (s) { return { x: s[0], y: s[1] }; }),
          borderColor: t.status === 'complete' ? ramp(goodness(t.target)) : GREY, pointRadius: 1, borderWidth: 1 };
      }) },
      options: { scales: { x: { type: 'linear', title: { display: true, text: 'step' } }, y: { title: { display: true, text: 'intermediate value' } } },
        plugins: { legend: { display: curves.length <= 12, position: 'bottom' } } },
    });
    mark('intermediate');
  }

  function setupCanvas(id) {
    var c = document.getElementById(id), r = c.getBoundingClientRect(), dpr = window.devicePixelRatio || 1;
    c.width = Math.max(1, Math.round(r.width * dpr)); c.height = Math.max(1, Math.round(r.height * dpr));
    var g = c.getContext('2d'); g.scale(dpr, dpr);
    g.font = '12px system-ui, sans-serif'; g.fillStyle = '#222'; g.strokeStyle = '#222';
    return { g: g, w: r.width, h: r.height };
  }

  // Parallel coordinates: one axis per parameter and one for the objective; a line per completed trial.
  (function () {
    var s = setupCanvas('parallel'), g = s.g;
    var axes = data.params.map(function (p) {
      if (p.type === 'categorical') {
        var n = p.choices.length;
        return { name: p.name, pos: function (v) { var i = p.choices.map(String).indexOf(String(v)); return i < 0 ? NaN : n > 1 ? i / (n - 1) : 0.5; },
          labels: p.choices.map(function (c, i) { return [n > 1 ? i / (n - 1) : 0.5, String(c)]; }) };
      }
      var lo = p.low, hi = p.high, lg = !!p.log;
      var f = function (v) { return lg ? frac(Math.log(v), Math.log(lo), Math.log(hi)) : frac(v, lo, hi); };
      return { name: p.name, pos: f, labels: [[0, fmt(lo)], [1, fmt(hi)]] };
    });
    // no objective axis without a completed trial (its range would be Infinity to -Infinity)
    if (done.length > 0) axes.push({ name: data.objective, pos: function (v) { return frac(v, vmin, vmax); },
      labels: [[0, fmt(vmin)], [1, fmt(vmax)]] });
    var left = 50, right = s.w - 50, top = 28, bottom = s.h - 24;
    var xAt = function (i) { return axes.length > 1 ? left + i * (right - left) / (axes.length - 1) : (left + right) / 2; };
    var yAt = function (u) { return bottom - u * (bottom - top); };
    var order = done.slice().sort(function (a, b) { return goodness(a.target) - goodness(b.target); }), segments = 0;
    g.globalAlpha = 0.75; g.lineWidth = 1.5;
    order.forEach(function (t) {
      g.strokeStyle = ramp(goodness(t.target)); g.beginPath();
      // a parameter the trial does not have (a conditional space) is a gap in its line, not a value between
      var on = false;
      axes.forEach(function (a, i) {
        var v = i < data.params.length ? t.params[a.name] : t.target;
        var u = v === undefined || v === null ? NaN : a.pos(v);
        if (!isFinite(u)) { on = false; return; }
        if (on) { g.lineTo(xAt(i), yAt(u)); segments++; } else g.moveTo(xAt(i), yAt(u));
        on = true;
      });
      g.stroke();
    });
    g.globalAlpha = 1; g.strokeStyle = '#444'; g.lineWidth = 1; g.textAlign = 'center';
    axes.forEach(function (a, i) {
      var x = xAt(i);
      g.beginPath(); g.moveTo(x, top); g.lineTo(x, bottom); g.stroke();
      g.fillStyle = '#222'; g.fillText(a.name, x, top - 10);
      g.fillStyle = '#555';
      a.labels.forEach(function (l) { g.fillText(l[1], x, Math.min(bottom + 16, Math.max(top + 4, yAt(l[0]) + 4))); });
    });
    record('parallel', 'segments', segments);
    record('parallel', 'labels', axes.map(function (a) { return [a.name].concat(a.labels.map(function (l) { return l[1]; })); }));
    mark('parallel');
  })();

  // Contour of the GP mean over the two most important parameters.
  if (data.contour) (function () {
    var c = data.contour, s = setupCanvas('contour'), g = s.g;
    var nx = c.xs.length, ny = c.ys.length;
    var zmin = Math.min.apply(null, c.z), zmax = Math.max.apply(null, c.z);
    var left = 64, right = s.w - 100, top = 12, bottom = s.h - 44; // room right of the colour bar for its labels
    var cw = (right - left) / nx, ch = (bottom - top) / ny;
    for (var j = 0; j < ny; j++) for (var i = 0; i < nx; i++) {
      var z = c.z[j * nx + i], u = frac(z, zmin, zmax);
      g.fillStyle = ramp(minimize ? 1 - u : u);
      g.fillRect(left + i * cw, bottom - (j + 1) * ch, Math.ceil(cw), Math.ceil(ch));
    }
    // Observed trials, placed by their nearest grid cell: by ratio on a log axis, by difference on a
    // linear one (a sum of both put 0.01 on [0, 1] in the cell of 0.0256, not of 0)
    function cell(values, v, lg) {
      var best = 0, bd = Infinity;
      values.forEach(function (w, k) {
        var dd = typeof v === 'number' && typeof w === 'number' ? (lg ? Math.abs(Math.log(w) - Math.log(v)) : Math.abs(w - v)) : (String(w) === String(v) ? 0 : 1);
        if (dd < bd) { bd = dd; best = k; }
      });
      return best;
    }
    var px = param[c.params[0]] || {}, py = param[c.params[1]] || {}, dots = [];
    g.strokeStyle = '#fff'; g.fillStyle = '#000'; g.lineWidth = 1.5;
    done.forEach(function (t) {
      var i = cell(c.xs, t.params[c.params[0]], !!px.log), j = cell(c.ys, t.params[c.params[1]], !!py.log);
      dots.push([i, j]);
      g.beginPath(); g.arc(left + (i + 0.5) * cw, bottom - (j + 0.5) * ch, 3.5, 0, 2 * Math.PI); g.fill(); g.stroke();
    });
    // every level of a categorical or short integer axis is labelled, else its ends
    function ticks(n, p) { var all = (p.type === 'categorical' || p.type === 'int') && n <= 12; return all ? Array.from({ length: n }, function (_, k) { return k; }) : n > 1 ? [0, n - 1] : [0]; }
    var xt = ticks(nx, px), yt = ticks(ny, py);
    g.fillStyle = '#222'; g.textAlign = 'center';
    g.fillText(c.params[0], (left + right) / 2, s.h - 8);
    xt.forEach(function (i) { g.fillText(fmt(c.xs[i]), left + (i + 0.5) * cw, bottom + 16); });
    g.save(); g.translate(14, (top + bottom) / 2); g.rotate(-Math.PI / 2); g.fillText(c.params[1], 0, 0); g.restore();
    g.textAlign = 'right';
    yt.forEach(function (j) { g.fillText(fmt(c.ys[j]), left - 4, bottom - (j + 0.5) * ch + 4); });
    record('contour', 'dots', dots);
    record('contour', 'labels', [xt.map(function (i) { return fmt(c.xs[i]); }), yt.map(function (j) { return fmt(c.ys[j]); })]);
    // Colour bar.
    for (var k = 0; k < 100; k++) {
      var uu = k / 99; g.fillStyle = ramp(minimize ? 1 - uu : uu);
      g.fillRect(right + 16, bottom - (k + 1) * (bottom - top) / 100, 12, Math.ceil((bottom - top) / 100));
    }
    g.fillStyle = '#222'; g.textAlign = 'left';
    g.fillText(fmt(zmax), right + 32, top + 10); g.fillText(fmt(zmin), right + 32, bottom);
    mark('contour');
  })();

  // Sortable trial table: click a header to sort by it (again to reverse).
  var table = document.getElementById('trials');
  var state = { col: -1, asc: true };
  Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th, col) {
    th.addEventListener('click', function () {
      state.asc = state.col === col ? !state.asc : true; state.col = col;
      var rows = Array.prototype.slice.call(table.tBodies[0].rows);
      rows.sort(function (a, b) {
        var x = a.cells[col].getAttribute('data-v'), y = b.cells[col].getAttribute('data-v');
        // missing values (failed trials' objective) stay last either way
        if (x === '' || y === '') return (x === '' ? 1 : 0) - (y === '' ? 1 : 0);
        var nx = Number(x), ny = Number(y), both = x !== '' && y !== '' && !isNaN(nx) && !isNaN(ny);
        var r = both ? nx - ny : String(x).localeCompare(String(y));
        return state.asc ? r : -r;
      });
      rows.forEach(function (r) { table.tBodies[0].appendChild(r); });
      Array.prototype.forEach.call(table.tHead.rows[0].cells, function (h, k) {
        h.setAttribute('aria-sort', k === col ? (state.asc ? 'ascending' : 'descending') : 'none');
      });
    });
  });
})();
`;
