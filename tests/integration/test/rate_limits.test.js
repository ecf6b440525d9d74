'use strict';
// Per-IP rate limits on the HTTP API and on WebSocket connects (operations.md §5.1, §5.2).
const { describe, it, after } = require('node:test');
const assert = require('node:assert/strict');
const { startServer } = require('../lib/harness');
const { signed, request } = require('../lib/signed-http');
const { connect } = require('../lib/ws-client');
const { defaultAppConfig, configWithApps } = require('../lib/pusher-clients');

function upgrade(server, headers = {}) {
  return request(server.port, 'GET', '/app/app-key?protocol=7', {
    headers: {
      Connection: 'Upgrade', Upgrade: 'websocket', 'Sec-WebSocket-Version': '13',
      'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==', ...headers,
    },
  }).catch((e) => ({ status: 'error', error: e }));
}

describe('rate limits', () => {
  const servers = [];
  after(async () => { for (const s of servers) await s.stop(); });
  async function boot(env) {
    const s = await startServer({ env: { RATE_LIMITER_ENABLED: 'true', ...env } });
    servers.push(s);
    return s;
  }

  it('HTTP API: over the limit → 429 with the spec body and headers; allowed responses carry x-ratelimit-*', async () => {
    const server = await boot({ RATE_LIMITER_API_MAX_REQUESTS: '3', RATE_LIMITER_API_WINDOW_SECONDS: '60' });
    for (let i = 0; i < 3; i += 1) {
      const ok = await signed(server, 'GET', '/apps/app-id/channels');
      assert.equal(ok.status, 200);
      assert.equal(ok.headers['x-ratelimit-limit'], '3');
      assert.equal(ok.headers['x-ratelimit-remaining'], String(2 - i));
      assert.equal(ok.headers['retry-after'], undefined);
    }
    const limited = await signed(server, 'GET', '/apps/app-id/channels');
    assert.equal(limited.status, 429);
    assert.match(limited.headers['content-type'], /application\/json/);
    assert.deepEqual(limited.json, { error: 'Too Many Requests', message: 'Rate limit exceeded. Please try again later.' });
    assert.equal(limited.headers['x-ratelimit-remaining'], '0');
    const reset = Number(limited.headers['retry-after']);
    assert.ok(reset >= 1 && reset <= 60, `retry-after ${reset}`);
    assert.equal(limited.headers['x-ratelimit-reset'], limited.headers['retry-after']);
    // Health endpoints are never limited.
    assert.equal((await request(server.port, 'GET', '/up')).status, 200);
  });

  it('X-Forwarded-For is ignored without trusted hops', async () => {
    const server = await boot({ RATE_LIMITER_API_MAX_REQUESTS: '1' });
    assert.equal((await signed(server, 'GET', '/apps/app-id/channels', { headers: { 'X-Forwarded-For': '1.1.1.1' } })).status, 200);
    assert.equal((await signed(server, 'GET', '/apps/app-id/channels', { headers: { 'X-Forwarded-For': '2.2.2.2' } })).status, 429,
      'a client cannot pick a fresh key by sending a header');
  });

  it('X-Forwarded-For is used with trusted hops', async () => {
    const server = await boot({ RATE_LIMITER_API_MAX_REQUESTS: '1', RATE_LIMITER_API_TRUST_HOPS: '1' });
    assert.equal((await signed(server, 'GET', '/apps/app-id/channels', { headers: { 'X-Forwarded-For': '1.1.1.1' } })).status, 200);
    assert.equal((await signed(server, 'GET', '/apps/app-id/channels', { headers: { 'X-Forwarded-For': '2.2.2.2' } })).status, 200);
    assert.equal((await signed(server, 'GET', '/apps/app-id/channels', { headers: { 'X-Forwarded-For': '1.1.1.1' } })).status, 429);
  });

  it('WebSocket connects: over the limit → HTTP 429 before the upgrade', async () => {
    const server = await boot({ RATE_LIMITER_WS_MAX_REQUESTS: '2' });
    const a = await connect(server);
    await a.established();
    const b = await connect(server);
    await b.established();
    const refused = await upgrade(server);
    assert.equal(refused.status, 429);
    assert.equal(refused.json.error, 'Too Many Requests');
    assert.ok(refused.headers['retry-after']);
    a.close();
    b.close();
  });

  it('per-app backend events and read requests per second, when enforcement is on (Soketi semantics)', async () => {
    const server = await startServer({
      config: configWithApps([defaultAppConfig({ limits: { max_backend_events_per_second: 5, max_read_requests_per_second: 2 } })],
        { rate_limiter: { enabled: false, enforce_app_limits: true } }),
    });
    servers.push(server);
    const publish = () => signed(server, 'POST', '/apps/app-id/events', { body: { name: 'e', channels: ['a', 'b'], data: 'x' } });
    assert.equal((await publish()).status, 200);
    assert.equal((await publish()).status, 200);
    const over = await publish();  // 6 points > 5 in this second
    assert.equal(over.status, 429);
    assert.deepEqual(over.json, { error: 'Too many requests.', code: 429 });
    assert.ok(over.headers['retry-after']);
    assert.equal(over.headers['x-ratelimit-limit'], '5');
    assert.equal((await signed(server, 'GET', '/apps/app-id/channels')).status, 200);
    assert.equal((await signed(server, 'GET', '/apps/app-id/channels/x')).status, 200);
    assert.equal((await signed(server, 'GET', '/apps/app-id/channels')).status, 429);
    // The next second has a fresh budget.
    await new Promise((r) => setTimeout(r, 1100));
    assert.equal((await publish()).status, 200);
  });

  it('per-app limits are stored but not enforced by default (as in Sockudo)', async () => {
    const server = await startServer({
      config: configWithApps([defaultAppConfig({ limits: { max_backend_events_per_second: 1 } })]),
    });
    servers.push(server);
    for (let i = 0; i < 5; i += 1) {
      assert.equal((await signed(server, 'POST', '/apps/app-id/events', { body: { name: 'e', channel: 'a', data: 'x' } })).status, 200);
    }
  });

  it('disabled by default (shipped configuration)', async () => {
    const server = await startServer({ env: { RATE_LIMITER_API_MAX_REQUESTS: '1' } });
    servers.push(server);
    for (let i = 0; i < 5; i += 1) assert.equal((await signed(server, 'GET', '/apps/app-id/channels')).status, 200);
  });
});
