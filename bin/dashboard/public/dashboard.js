// The dashboard page: follows /api/events (server-sent events) and sends the actions to the JSON
// API (docs/dashboard-api.openapi.yaml). Plain browser JavaScript, no build step; the chart is
// uPlot, served by the charger itself (/vendor/).
(function () {
  'use strict';

  const $ = (id) => document.getElementById(id);
  const kW = (w) => (w === undefined || w === null ? '–' : `${(w / 1000).toFixed(1)} kW`);
  const kWh = (wh) => (wh === undefined || wh === null ? '–' : `${(wh / 1000).toFixed(2)} kWh`);
  const time = (iso) => (iso ? new Date(iso).toLocaleString() : '–');
  const connectorCards = new Map();

  // ── actions ───────────────────────────────────────────────────────────────────────────────
  async function act(method, path, body) {
    const result = $('action-result');
    try {
      const res = await fetch(path, { method, headers: { 'content-type': 'application/json' }, body: body === undefined ? undefined : JSON.stringify(body) });
      const answer = await res.json().catch(() => ({}));
      if (!res.ok) throw new Error(answer.error || `HTTP ${res.status}`);
      result.textContent = '';
      result.className = 'note';
      if (answer.charger) render(answer.charger);
      return answer;
    } catch (err) {
      result.textContent = `${method} ${path}: ${err.message}`;
      result.className = 'note error';
      return undefined;
    }
  }

  $('tap-form').addEventListener('submit', (e) => {
    e.preventDefault();
    void act('POST', '/api/rfid', { uid: $('uid').value.trim() }).then((answer) => {
      if (answer) $('action-result').textContent = `card ${answer.uid} tapped`;
    });
  });
  $('rfid-garbage').addEventListener('click', () => void act('POST', '/api/faults', { device: 'rfid', kind: 'garbage' }));
  $('connection-close').addEventListener('click', () => void act('POST', '/api/connection', { action: 'close' }));
  $('connection-open').addEventListener('click', () => void act('POST', '/api/connection', { action: 'open' }));

  // ── status ────────────────────────────────────────────────────────────────────────────────
  function faultItems(list, faults) {
    list.replaceChildren(
      ...faults.map((f) => {
        const li = document.createElement('li');
        const title = document.createElement('strong');
        title.textContent = `${f.code} (${f.ocppErrorCode})`;
        li.append(title, `${f.explanation}: ${f.remedy}.`);
        return li;
      }),
    );
  }

  function connectorCard(c) {
    let card = connectorCards.get(c.connectorId);
    if (card) return card;
    card = $('connector-template').content.firstElementChild.cloneNode(true);
    card.dataset.connector = String(c.connectorId);
    card.id = `connector-${c.connectorId}`;
    const path = (leaf) => `/api/connectors/${c.connectorId}/${leaf}`;
    card.querySelector('[data-action=plug]').addEventListener('click', () => void act('POST', path('plug'), {}));
    card.querySelector('[data-action=unplug]').addEventListener('click', () => void act('POST', path('unplug'), {}));
    card.querySelector('[data-action=fault]').addEventListener('click', () => {
      const [device, kind] = card.querySelector('[data-field=fault-kind]').value.split(':');
      void act('POST', '/api/faults', { device, kind, connector: c.connectorId }).then((a) => {
        if (a && a.shows) $('action-result').textContent = `${device} fault injected: shows ${a.shows}`;
      });
    });
    card.querySelector('[data-action=clear]').addEventListener('click', () => void act('DELETE', `/api/faults?connector=${c.connectorId}`));
    $('connectors').append(card);
    connectorCards.set(c.connectorId, card);
    return card;
  }

  function render(view) {
    if (!view) return;

    $('charger-id').textContent = view.chargePointId;
    document.title = `${view.chargePointId} · evse dashboard`;
    const ocpp = $('ocpp');
    ocpp.textContent = `OCPP ${view.ocpp.state}${view.ocpp.undelivered ? ` · ${view.ocpp.undelivered} queued` : ''}`;
    ocpp.className = `badge ${view.ocpp.accepted ? 'ok' : view.ocpp.state === 'connecting' ? 'bad' : 'warn'}`;
    ocpp.title = `CSMS ${view.ocpp.csmsUrl}`;
    $('hal').textContent = view.hal === 'sim' ? 'simulated hardware' : 'real hardware';
    $('sim').hidden = !view.simControls;
    // A link stopped while the charger runs was dropped here; only then can it be reconnected.
    $('connection-close').disabled = view.ocpp.state === 'stopped';
    $('connection-open').disabled = view.ocpp.state !== 'stopped';
    const cf = $('charger-faults');
    const chargerFaults = view.faults.map((f) => `${f.code}: ${f.explanation} (${f.remedy})`);
    if (view.chargePoint.errorCode !== 'NoError') chargerFaults.unshift(`Charge point ${view.chargePoint.status}: ${view.chargePoint.errorCode}${view.chargePoint.info ? `, ${view.chargePoint.info}` : ''}`);
    cf.hidden = chargerFaults.length === 0;
    cf.textContent = chargerFaults.join(' · ');
    for (const c of view.connectors) {
      const card = connectorCard(c);
      const field = (name) => card.querySelector(`[data-field=${name}]`);
      field('id').textContent = String(c.connectorId);
      field('status').textContent = c.status;
      field('status').className = `status ${c.status}`;
      field('screen').textContent = c.screen.lines.join('\n');
      field('screen-source').textContent = c.screen.source === 'display' ? 'what the driver display shows' : 'driver display: derived from the connector status';
      field('power').textContent = kW(c.powerW);
      field('session-energy').textContent = c.transaction ? kWh(c.transaction.energyWh) : '–';
      field('meter').textContent = kWh(c.energyWh);
      field('current').textContent = c.currentA ? `${c.currentA.map((a) => a.toFixed(1)).join(' / ')} A` : '–';
      field('limit').textContent = c.limit ? `${c.limit.amps} A (${c.limit.source})` : '–';
      field('temperature').textContent = c.temperatureC === undefined ? '–' : `${c.temperatureC.toFixed(1)} °C`;
      field('transaction').textContent = c.transaction ? `${c.transaction.transactionId ?? 'pending'} · ${c.transaction.idTag === undefined ? 'no card yet' : `card ${c.transaction.idTag}`}` : 'none';
      field('plugged').textContent = c.plugged === undefined ? '–' : c.plugged ? 'plugged in' : 'not plugged in';
      faultItems(field('faults'), c.faults);
      field('controls').hidden = !view.simControls;
      card.querySelector('[data-action=plug]').disabled = c.plugged === true;
      card.querySelector('[data-action=unplug]').disabled = c.plugged === false;
      // The running transaction's energy moves in the list too.
      const row = c.transaction && [...$('transactions').tBodies[0].rows].find((r) => r.dataset.localId === c.transaction.localId);
      if (row && c.transaction.energyWh !== undefined) row.cells[5].textContent = kWh(c.transaction.energyWh);
      if (row && c.transaction.cost) row.cells[7].textContent = money(c.transaction.cost);
    }
  }

  function money(cost) {
    return cost.text ?? `${cost.amount.toFixed(2)} ${cost.currency}`;
  }

  function renderTransactions(rows) {
    const body = $('transactions').tBodies[0];
    if (rows.length === 0) return;
    body.replaceChildren(
      ...rows.map((t) => {
        const tr = document.createElement('tr');
        tr.dataset.localId = t.localId;
        const cells = [
          t.transactionId ?? '(pending)',
          t.connectorId,
          t.idTag ?? '–',
          time(t.startedAt),
          t.stoppedAt ? time(t.stoppedAt) : 'running',
          t.energyWh !== undefined ? kWh(t.energyWh) : '–',
          t.stopReason ?? '',
          t.cost ? money(t.cost) : '–',
        ];
        for (const [i, v] of cells.entries()) {
          const td = document.createElement('td');
          td.textContent = String(v);
          if (i === 5 || i === 7) td.className = 'num';
          tr.append(td);
        }
        return tr;
      }),
    );
  }

  // ── chart ─────────────────────────────────────────────────────────────────────────────────
  const COLORS = ['#1f5fbf', '#c62828', '#1a7f37', '#b26a00', '#6a1b9a', '#00838f', '#5d4037', '#455a64'];
  let plot;
  let series = [];
  let connectorCount = 0;

  function chartData() {
    // x: seconds; per connector: power kW and energy kWh since the first sample of the graph.
    const data = [series.map((s) => s.t / 1000)];
    for (let i = 0; i < connectorCount; i++) {
      const first = series.find((s) => s.connectors[i] && s.connectors[i].energyWh !== null);
      const e0 = first ? first.connectors[i].energyWh : 0;
      data.push(series.map((s) => (s.connectors[i] && s.connectors[i].powerW !== null ? s.connectors[i].powerW / 1000 : null)));
      data.push(series.map((s) => (s.connectors[i] && s.connectors[i].energyWh !== null ? (s.connectors[i].energyWh - e0) / 1000 : null)));
    }
    return data;
  }

  function makeChart() {
    const el = $('chart');
    const lines = [{}];
    for (let i = 0; i < connectorCount; i++) {
      const color = COLORS[i % COLORS.length];
      lines.push({ label: `C${i + 1} kW`, stroke: color, width: 2, scale: 'kW', value: (_, v) => (v === null ? '–' : v.toFixed(1)) });
      lines.push({ label: `C${i + 1} kWh`, stroke: color, width: 1, dash: [6, 4], scale: 'kWh', value: (_, v) => (v === null ? '–' : v.toFixed(3)) });
    }
    plot?.destroy();
    plot = new uPlot(
      {
        width: el.clientWidth || 600,
        height: 260,
        series: lines,
        scales: { x: { time: true }, kW: { range: (_, min, max) => [0, Math.max(1, max ?? 1)] }, kWh: { range: (_, min, max) => [0, Math.max(0.01, max ?? 0.01)] } },
        axes: [{}, { scale: 'kW', label: 'kW' }, { scale: 'kWh', label: 'kWh', side: 1, grid: { show: false } }],
      },
      chartData(),
      el,
    );
  }

  function addSample(sample) {
    series.push(sample);
    if (series.length > 900) series.shift();
    if (sample.connectors.length !== connectorCount) {
      connectorCount = sample.connectors.length;
      makeChart();
    } else plot?.setData(chartData());
  }

  window.addEventListener('resize', () => plot?.setSize({ width: $('chart').clientWidth, height: 260 }));

  // ── configuration ─────────────────────────────────────────────────────────────────────────
  async function loadConfig() {
    const res = await fetch('/api/config');
    if (!res.ok) return;
    const config = await res.json();
    $('settings').textContent = JSON.stringify(config.settings, null, 2);
    $('ocpp-keys').tBodies[0].replaceChildren(
      ...config.ocpp.map((k) => {
        const tr = document.createElement('tr');
        for (const v of [k.key, k.value ?? '(not set)', k.readonly ? 'read-only' : '']) {
          const td = document.createElement('td');
          td.textContent = v;
          tr.append(td);
        }
        return tr;
      }),
    );
  }
  $('config').addEventListener('toggle', () => void loadConfig());

  // ── live updates ──────────────────────────────────────────────────────────────────────────
  function follow() {
    const live = $('live');
    const events = new EventSource('/api/events');
    events.addEventListener('open', () => {
      live.textContent = 'live';
      live.className = 'badge ok';
    });
    events.addEventListener('error', () => {
      // EventSource reconnects by itself; the snapshot after it brings everything up to date.
      live.textContent = 'reconnecting…';
      live.className = 'badge warn';
    });
    events.addEventListener('snapshot', (e) => {
      const s = JSON.parse(e.data);
      series = s.samples;
      connectorCount = series.length ? series[series.length - 1].connectors.length : s.status ? s.status.connectors.length : 0;
      makeChart();
      render(s.status);
      renderTransactions(s.transactions);
    });
    events.addEventListener('status', (e) => render(JSON.parse(e.data)));
    events.addEventListener('sample', (e) => addSample(JSON.parse(e.data)));
    events.addEventListener('transactions', (e) => renderTransactions(JSON.parse(e.data).transactions));
    events.addEventListener('closing', () => {
      live.textContent = 'charger stopping';
      live.className = 'badge bad';
    });
  }

  follow();
})();
