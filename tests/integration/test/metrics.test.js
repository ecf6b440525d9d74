'use strict';
// Prometheus metrics on the metrics listener (operations.md §6.1, §6.2): names, types and labels
// move as connections, subscriptions and messages do.
const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { startServer, httpGet, waitFor } = require('../lib/harness');
const { rawApp, rawJoin, serverSdk } = require('../lib/pusher-clients');

/** Parses the text exposition into { 'name{labels}': value } plus TYPE lines. */
function parse(text) {
  const values = new Map();
  const types = new Map();
  for (const line of text.split('\n')) {
    if (line.startsWith('# TYPE ')) {
      const [, , name, type] = line.split(' ');
      types.set(name, type);
    } else if (line && !line.startsWith('#')) {
      const i = line.lastIndexOf(' ');
      values.set(line.slice(0, i), Number(line.slice(i + 1)));
    }
  }
  return { values, types };
}

function pick(values, name, labels) {
  for (const [key, v] of values) {
    if (!key.startsWith(`${name}{`) && key !== name) continue;
    if (Object.entries(labels).every(([k, val]) => key.includes(`${k}="${val}"`))) return v;
  }
  return undefined;
}

describe('metrics', () => {
  let server;
  const clients = [];
  before(async () => { server = await startServer(); });
  after(async () => {
    for (const c of clients) c.close();
    await server.stop();
  });

  async function scrape() {
    const res = await httpGet(server.metricsPort, '/metrics');
    assert.equal(res.status, 200);
    assert.match(res.headers['content-type'], /^text\/plain; version=0\.0\.4/);
    return parse(res.body);
  }

  it('serves Sockudo family names with their types and the metrics port label', async () => {
    const { types, values } = await scrape();
    const expected = {
      sockudo_connected: 'gauge',
      sockudo_new_connections_total: 'counter',
      sockudo_new_disconnections_total: 'counter',
      sockudo_socket_received_bytes: 'counter',
      sockudo_socket_transmitted_bytes: 'counter',
      sockudo_ws_messages_received_total: 'counter',
      sockudo_ws_messages_sent_total: 'counter',
      sockudo_http_calls_received_total: 'counter',
      sockudo_channel_subscriptions_total: 'counter',
      sockudo_active_channels: 'gauge',
      process_resident_memory_bytes: 'gauge',
      process_open_fds: 'gauge',
    };
    for (const [name, type] of Object.entries(expected)) assert.equal(types.get(name), type, name);
    assert.equal(pick(values, 'sockudo_connected', { app_id: 'app-id', port: String(server.metricsPort) }), 0);
  });

  it('only /metrics is served on the metrics port, and never on the main port', async () => {
    assert.equal((await httpGet(server.metricsPort, '/')).status, 404);
    const main = await httpGet(server.port, '/metrics');
    assert.notEqual(main.status, 200);
  });

  it('connections, subscriptions, messages and latency move with traffic', async () => {
    const before = (await scrape()).values;
    const base = (name, labels = {}) => pick(before, name, { app_id: 'app-id', ...labels }) || 0;
    const a = await rawApp(server);
    const b = await rawApp(server);
    clients.push(a, b);
    await rawJoin(a, 'metrics-room');
    await rawJoin(b, 'metrics-room');
    await rawJoin(a, 'presence-metrics', { channelData: { user_id: 'u1' } });
    const got = b.next((f) => f.event === 'tick', 3000);
    await serverSdk(server).trigger('metrics-room', 'tick', { n: 1 });
    await got;

    await waitFor(async () => {
      const v = (await scrape()).values;
      return pick(v, 'sockudo_connected', { app_id: 'app-id' }) === base('sockudo_connected') + 2;
    }, 3000, 'connected gauge to rise by 2');
    const { values } = await scrape();
    const now = (name, labels = {}) => pick(values, name, { app_id: 'app-id', ...labels });
    assert.equal(now('sockudo_new_connections_total'), base('sockudo_new_connections_total') + 2);
    assert.equal(now('sockudo_channel_subscriptions_total', { channel_type: 'public' }),
      base('sockudo_channel_subscriptions_total', { channel_type: 'public' }) + 2);
    assert.equal(now('sockudo_channel_subscriptions_total', { channel_type: 'presence' }),
      base('sockudo_channel_subscriptions_total', { channel_type: 'presence' }) + 1);
    assert.equal(now('sockudo_active_channels', { channel_type: 'public' }), 1);
    assert.equal(now('sockudo_active_channels', { channel_type: 'presence' }), 1);
    assert.ok(now('sockudo_ws_messages_received_total') >= base('sockudo_ws_messages_received_total') + 3);
    assert.ok(now('sockudo_ws_messages_sent_total') >= base('sockudo_ws_messages_sent_total') + 2 + 3 + 2,
      'established frames, subscription replies and two broadcast deliveries');
    assert.ok(now('sockudo_socket_transmitted_bytes') > base('sockudo_socket_transmitted_bytes'));
    const latencyCount = pick(values, 'sockudo_broadcast_latency_ms_count', {
      app_id: 'app-id', channel_type: 'public', recipient_count_bucket: 'xs',
    });
    assert.ok(latencyCount >= 1, 'a broadcast latency observation was recorded');

    a.close();
    b.close();
    await waitFor(async () => {
      const v = (await scrape()).values;
      return pick(v, 'sockudo_connected', { app_id: 'app-id' }) === base('sockudo_connected')
        && pick(v, 'sockudo_active_channels', { app_id: 'app-id', channel_type: 'public' }) === 0;
    }, 3000, 'gauges back to their start values');
    const after = (await scrape()).values;
    assert.equal(pick(after, 'sockudo_new_disconnections_total', { app_id: 'app-id' }),
      base('sockudo_new_disconnections_total') + 2);
  });

  it('connection errors are counted by type', async () => {
    const { connect } = require('../lib/ws-client');
    const c = await connect(server, '/app/no-such-key?protocol=7');
    await c.waitClose();
    await waitFor(async () => {
      const v = (await scrape()).values;
      return pick(v, 'sockudo_connection_errors_total', { error_type: 'app_not_found' }) >= 1;
    }, 3000, 'app_not_found counted');
  });

  it('a prefix from METRICS_PROMETHEUS_PREFIX renames the core families', async () => {
    const other = await startServer({ env: { METRICS_PROMETHEUS_PREFIX: 'soketi_' } });
    try {
      const res = await httpGet(other.metricsPort, '/metrics');
      assert.match(res.body, /^soketi_connected\{/m);
      assert.doesNotMatch(res.body, /^sockudo_connected/m);
      assert.match(res.body, /^process_open_fds /m, 'process metrics stay unprefixed');
    } finally {
      await other.stop();
    }
  });

  it('METRICS_ENABLED=false opens no metrics listener', async () => {
    const other = await startServer({ env: { METRICS_ENABLED: 'false' } });
    try {
      await assert.rejects(httpGet(other.metricsPort, '/metrics', 500));
    } finally {
      await other.stop();
    }
  });
});
