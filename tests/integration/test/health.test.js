'use strict';
// Operational endpoints on the main port (operations.md §6.5).
const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { startServer, httpGet } = require('../lib/harness');
const { rawApp, rawJoin, rawSignin, defaultAppConfig, appConfig, configWithApps } = require('../lib/pusher-clients');

describe('health and info endpoints', () => {
  let server;
  const clients = [];
  before(async () => {
    server = await startServer({
      config: configWithApps([defaultAppConfig(), appConfig('off-id', { enabled: false })]),
    });
  });
  after(async () => {
    for (const c of clients) c.close();
    await server.stop();
  });

  it('GET / and /live answer 200', async () => {
    assert.equal((await httpGet(server.port, '/')).status, 200);
    const live = await httpGet(server.port, '/live');
    assert.equal(live.status, 200);
  });

  it('/up and /up/{appId}: OK, NOT_FOUND, ERROR for a disabled app', async () => {
    const up = await httpGet(server.port, '/up');
    assert.equal(up.status, 200);
    assert.equal(up.headers['x-health-check'], 'OK');
    assert.equal(up.body, 'OK');
    const app = await httpGet(server.port, '/up/app-id');
    assert.equal(app.status, 200);
    assert.equal(app.body, 'OK');
    const missing = await httpGet(server.port, '/up/nope');
    assert.equal(missing.status, 404);
    assert.equal(missing.headers['x-health-check'], 'NOT_FOUND');
    const off = await httpGet(server.port, '/up/off-id');
    assert.equal(off.status, 503);
    assert.equal(off.headers['x-health-check'], 'ERROR');
  });

  it('/usage reports host memory in bytes with a consistent percent', async () => {
    const res = await httpGet(server.port, '/usage');
    assert.equal(res.status, 200);
    const { memory } = JSON.parse(res.body);
    const os = require('node:os');
    assert.ok(Math.abs(memory.total - os.totalmem()) / os.totalmem() < 0.05, `total ${memory.total} vs ${os.totalmem()}`);
    assert.ok(memory.used > 0 && memory.used <= memory.total);
    assert.ok(Math.abs(memory.percent - (memory.used / memory.total) * 100) < 0.5);
  });

  it('/stats counts connections, users and occupancy per app', async () => {
    const a = await rawApp(server);
    clients.push(a);
    rawSignin(a, { id: 'stats-user' });
    await a.next((f) => f.event === 'pusher:signin_success', 3000);
    await rawJoin(a, 'presence-stats', { channelData: { user_id: 'stats-user' } });
    await rawJoin(a, 'stats-public');
    const res = await httpGet(server.port, '/stats');
    assert.equal(res.status, 200);
    const stats = JSON.parse(res.body);
    assert.equal(stats.totals.apps, 2);
    assert.ok(stats.totals.connections >= 1);
    assert.ok(stats.totals.authenticated_connections >= 1);
    assert.ok(stats.totals.occupancy.presence_channels >= 1);
    assert.ok(stats.totals.occupancy.channels >= 2);
    const app = stats.apps.find((x) => x.app_id === 'app-id');
    assert.ok(app, JSON.stringify(stats.apps));
    assert.deepEqual(stats.apps.map((x) => x.app_id), [...stats.apps.map((x) => x.app_id)].sort());
    assert.equal((await httpGet(server.port, '/operator/stats')).status, 200);
  });

  it('unknown routes are 404 text/plain "404 NOT FOUND"', async () => {
    const res = await httpGet(server.port, '/definitely/not/here');
    assert.equal(res.status, 404);
    assert.match(res.headers['content-type'], /^text\/plain/);
    assert.equal(res.body, '404 NOT FOUND');
  });

  it('usage_enabled=false hides /usage and /stats', async () => {
    const other = await startServer({ env: { HTTP_API_USAGE_ENABLED: 'false' } });
    try {
      assert.equal((await httpGet(other.port, '/usage')).status, 404);
      assert.equal((await httpGet(other.port, '/stats')).status, 404);
      assert.equal((await httpGet(other.port, '/up')).status, 200);
    } finally {
      await other.stop();
    }
  });
});
