// wirehub's dashboard: draws /v1/admin/stats/stream (one frame a second, cumulative counters)
// with uPlot. Rates come from two consecutive frames. Keeps the last 5 minutes.
(function () {
  "use strict";
  const KEEP = 300;
  const COLORS = ["#4fb3ff", "#5fd38d", "#ffb454", "#ff6b6b", "#c792ea", "#89ddff", "#f78c6c", "#c3e88d", "#82aaff"];
  const CLOSE_REASONS = ["client_gone", "client_closed", "write_timeout", "pong_timeout", "overflow",
    "subscription_flood", "store_unavailable", "shutdown", "error"];
  const CLOSE_LABELS = ["gone", "closed", "write t/o", "pong t/o", "overflow", "flood", "store", "shutdown", "error"];
  const $ = (id) => document.getElementById(id);
  const fmt = (n) => n == null || isNaN(n) ? "–" : Number.isInteger(n) || n >= 100 ? Math.round(n).toLocaleString("en")
    : n >= 10 ? n.toFixed(1) : String(Number(n.toFixed(2)));
  const ms = (n) => n == null ? "–" : n < 1 ? (n * 1000).toFixed(0) + " µs" : n < 1000 ? fmt(n) + " ms" : (n / 1000).toFixed(2) + " s";

  const charts = [];
  function chart(el, series, opts) {
    const data = [[]].concat(series.map(() => []));
    const axis = { stroke: "#8a96a8", grid: { stroke: "#263040", width: 1 }, ticks: { stroke: "#263040" }, font: "11px system-ui" };
    const u = new uPlot(Object.assign({
      width: 100, height: 160, legend: { live: false },
      cursor: { points: { size: 5 } },
      scales: { x: { time: true } },
      axes: [Object.assign({}, axis), Object.assign({ size: 46 }, axis, opts && opts.yValues ? { values: opts.yValues } : {})],
      series: [{}].concat(series.map((s, i) => ({ label: s, stroke: COLORS[i % COLORS.length], width: 1.6,
        fill: i === 0 && opts && opts.fill ? COLORS[0] + "22" : undefined, points: { show: false } }))),
    }, opts && opts.extra), data, $(el));
    const c = { u, data };
    charts.push(c);
    return c;
  }
  function size() {
    for (const c of charts) {
      const w = c.u.root.parentElement.clientWidth - 4;
      c.u.setSize({ width: w, height: 160 });
    }
  }

  const throughput = chart("chart-throughput", ["published here/s", "deliveries/s"], { fill: true });
  const streams = chart("chart-streams", ["sse", "ws"], { fill: true });
  const overflows = chart("chart-overflows", ["overflows/s", "catch-ups/s", "resets/s", "publishes refused (overloaded)/s"]);
  const closes = chart("chart-closes", CLOSE_LABELS);
  const latency = chart("chart-latency", ["p50", "p99"], { fill: true });
  const queue = chart("chart-queue", ["mean", "fullest"], { fill: true, extra: { scales: { x: { time: true }, y: { range: [0, 100] } } } });
  size();
  window.addEventListener("resize", size);

  function push(c, t, values) {
    c.data[0].push(t);
    values.forEach((v, i) => c.data[i + 1].push(v));
    if (c.data[0].length > KEEP) c.data.forEach((a) => a.shift());
    c.u.setData(c.data);
  }

  let previous = null;
  let frames = 0;
  function onFrame(s) {
    frames++;
    document.body.dataset.frames = frames;
    const t = s.t / 1000;
    const open = s.streams.sse + s.streams.ws;
    $("kpi-streams").textContent = fmt(open);
    $("kpi-streams-split").textContent = s.streams.sse + " sse · " + s.streams.ws + " ws";
    $("kpi-topics").textContent = s.topics + " active topics";
    const fill = s.queue.capacity ? 100 * s.queue.items / s.queue.capacity : 0;
    $("kpi-queue").textContent = fmt(fill) + " %";
    $("kpi-queue-max").textContent = "fullest " + Math.round(100 * s.queue.max_fill) + " %";
    $("kpi-p50").textContent = ms(s.latency_ms.p50);
    $("kpi-p99").textContent = ms(s.latency_ms.p99);
    $("kpi-p99").parentElement.className = "kpi" + (s.latency_ms.p99 > 500 ? " bad" : s.latency_ms.p99 > 100 ? " warn" : "");
    $("kpi-overflows-total").textContent = fmt(s.overflows) + " since start";
    $("kpi-fanout").textContent = "fan-out " + fmt(s.fanout.pending) + " / " + fmt(s.fanout.limit) + " pending";
    if (previous) {
      const dt = Math.max(0.001, (s.t - previous.t) / 1000);
      const rate = (k) => (s[k] - previous[k]) / dt;
      const events = rate("published"), deliveries = rate("deliveries"), over = rate("overflows");
      $("kpi-events").textContent = fmt(events);
      $("kpi-deliveries").textContent = fmt(deliveries);
      $("kpi-overflows").textContent = fmt(over);
      $("kpi-overflows").parentElement.className = "kpi" + (over > 0 ? " warn" : "");
      push(throughput, t, [events, deliveries]);
      const overloaded = rate("overloaded");
      $("kpi-overloaded").textContent = fmt(overloaded);
      $("kpi-overloaded").parentElement.className = "kpi" + (overloaded > 0 ? " bad" : "");
      push(overflows, t, [over, rate("catch_ups"), rate("resets"), overloaded]);
      push(closes, t, CLOSE_REASONS.map((r) => (s.closes[r] - previous.closes[r]) / dt));
    }
    push(streams, t, [s.streams.sse, s.streams.ws]);
    push(latency, t, [s.latency_ms.p50, s.latency_ms.p99]);
    push(queue, t, [fill, 100 * s.queue.max_fill]);
    slowest(s.slowest);
    previous = s;
  }

  function slowest(list) {
    const body = $("slowest");
    body.textContent = "";
    if (!list.length) {
      body.innerHTML = '<tr><td colspan="8" class="empty">no subscriber</td></tr>';
      return;
    }
    for (const v of list) {
      const tr = document.createElement("tr");
      const f = v.queue_capacity ? v.queue_depth / v.queue_capacity : 0;
      const since = new Date(v.connected_since);
      const cells = [
        v.id + " (" + v.transport + ")",
        v.topics.join(", ") + (v.topic_count > v.topics.length ? " +" + (v.topic_count - v.topics.length) : ""),
        null,
        v.oldest_queued_ms ? ms(v.oldest_queued_ms) : "–",
        fmt(v.overflows) + (v.lagging ? " (lagging)" : ""),
        fmt(v.catch_ups),
        since.toLocaleTimeString(),
        v.remote_address,
      ];
      cells.forEach((text, i) => {
        const td = document.createElement("td");
        if (i === 1) td.className = "topics";
        if (i === 2) {
          td.innerHTML = '<span class="bar' + (f >= 1 ? " bad" : f >= 0.5 ? " warn" : "") + '"><i style="width:' + Math.round(100 * f) + '%"></i></span>';
          td.appendChild(document.createTextNode(v.queue_depth + " / " + v.queue_capacity));
        } else {
          td.textContent = text;
          if (i === 1) td.title = v.topics.join(", ");
        }
        tr.appendChild(td);
      });
      body.appendChild(tr);
    }
  }

  $("instance").textContent = location.host;
  const status = $("status");
  function show(text, state, why) {
    status.textContent = text;
    status.className = "status " + state;
    status.title = why || "";
  }

  // Under auth.mode jwt the page was opened with ?access_token=<admin token>, or with the cookie:
  // the stream gets the same token (the cookie goes along by itself: same origin).
  const token = new URLSearchParams(location.search).get("access_token");
  const streamUrl = "/v1/admin/stats/stream" + (token ? "?access_token=" + encodeURIComponent(token) : "");

  function connect() {
    const source = new EventSource(streamUrl);
    source.addEventListener("stats", (e) => {
      show("live", "live");
      onFrame(JSON.parse(e.data));
    });
    source.addEventListener("token_expired", (e) => {
      source.close(); // a retry with the same token would be refused
      previous = null;
      show("token expired: open the page again with a fresh one", "lost", JSON.parse(e.data).message);
    });
    source.onerror = () => {
      previous = null; // rates across a gap would mislead
      if (source.readyState === EventSource.CLOSED) {
        explain(); // refused with an HTTP status: EventSource gives up without saying why
      } else {
        show("reconnecting…", "lost");
      }
    };
  }

  // Asks the stream once more to read the refusal's status and message: a token problem (401,
  // 403) is shown and left there; anything else (503: too many dashboards, or draining) is
  // retried in 5 s.
  async function explain() {
    const request = new AbortController();
    let code = 0, why = "the server does not answer";
    try {
      const answer = await fetch(streamUrl, { signal: request.signal, cache: "no-store" });
      code = answer.status;
      why = answer.ok ? "" : (await answer.json()).message;
    } catch (e) {
      // unreachable, or a body that is not our JSON: the defaults say enough
    }
    request.abort(); // a 200 is a stream: do not read it
    if (code === 401 || code === 403) {
      show("refused (" + code + "): " + why, "lost", why);
    } else {
      show("reconnecting…", "lost", why);
      setTimeout(connect, 5000);
    }
  }

  connect();
})();
