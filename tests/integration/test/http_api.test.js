'use strict';
// The signed HTTP API (protocol-v1 §11; checklist §18 SIG-* and API-*): hand-signed requests for
// every failure case, the `pusher` SDK for the calls backends make, raw WebSocket subscribers to
// observe delivery.
const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const http = require('node:http');
const { startServer } = require('../lib/harness');
const { signed, signQuery, request, md5 } = require('../lib/signed-http');
const {
  rawApp, rawJoin, serverSdk, defaultAppConfig, appConfig, configWithApps,
} = require('../lib/pusher-clients');

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const EVENTS = '/apps/app-id/events';

describe('HTTP API', () => {
  let server;
  let sdk;
  const clients = [];
  before(async () => {
    server = await startServer({
      config: configWithApps([
        defaultAppConfig(),
        appConfig('off-id', { enabled: false, extra: { key: 'off-key', secret: 'off-secret' } }),
        { id: 'other-id', key: 'other-key', secret: 'other-secret' },
      ]),
    });
    sdk = serverSdk(server);
  });
  after(async () => {
    for (const c of clients) c.close();
    await server.stop();
  });
  async function subscriber(...channels) {
    const c = await rawApp(server);
    clients.push(c);
    for (const ch of channels) {
      if (ch.startsWith('presence-')) await rawJoin(c, ch, { channelData: { user_id: `u-${clients.length}` } });
      else await rawJoin(c, ch);
    }
    return c;
  }
  const publish = (body, opts = {}) => signed(server, 'POST', EVENTS, { body, ...opts });

  describe('signing', () => {
    it('SIG-02: the pusher SDK triggers, batches, queries and terminates', async () => {
      const c = await subscriber('sdk-ch');
      const got = c.next((f) => f.event === 'sdk-ev', 3000);
      const res = await sdk.trigger('sdk-ch', 'sdk-ev', { hello: 'world' });
      assert.equal(res.status, 200);
      assert.deepEqual(await res.json(), {});
      assert.equal((await got).data, '{"hello":"world"}');
      const batch = await sdk.triggerBatch([{ channel: 'sdk-ch', name: 'b1', data: '1' }, { channel: 'sdk-ch', name: 'b2', data: '2' }]);
      assert.equal(batch.status, 200);
      const list = await sdk.get({ path: '/channels', params: {} });
      assert.equal(list.status, 200);
      assert.ok('sdk-ch' in (await list.json()).channels);
      const one = await sdk.get({ path: '/channels/sdk-ch', params: { info: 'subscription_count' } });
      assert.deepEqual(await one.json(), { occupied: true, subscription_count: 1 });
      const term = await sdk.terminateUserConnections('nobody');
      assert.equal(term.status, 200);
    });

    it('SIG-03: a wrong signature is 401 with a JSON error', async () => {
      const body = JSON.stringify({ name: 'e', channel: 'c', data: 'd' });
      const query = signQuery('POST', EVENTS, { body }).replace(/auth_signature=[0-9a-f]+/, `auth_signature=${'0'.repeat(64)}`);
      const res = await request(server.port, 'POST', `${EVENTS}?${query}`, { body });
      assert.equal(res.status, 401);
      assert.equal(typeof res.json.error, 'string');
    });

    it('unsigned requests are 401', async () => {
      const res = await request(server.port, 'GET', '/apps/app-id/channels');
      assert.equal(res.status, 401);
      assert.ok(res.json && res.json.error);
    });

    it('SIG-04: timestamps more than 600 s away are 401; 599 s is accepted', async () => {
      const now = Math.floor(Date.now() / 1000);
      for (const ts of [now - 601, now + 601]) {
        assert.equal((await signed(server, 'GET', '/apps/app-id/channels', { timestamp: ts })).status, 401, String(ts - now));
      }
      assert.equal((await signed(server, 'GET', '/apps/app-id/channels', { timestamp: now - 599 })).status, 200);
    });

    it('SIG-05 / SIG-06: a tampered body or a body without body_md5 is 401', async () => {
      const body = JSON.stringify({ name: 'e', channel: 'c', data: 'd' });
      const query = signQuery('POST', EVENTS, { body });
      const tampered = await request(server.port, 'POST', `${EVENTS}?${query}`, { body: body.replace('"d"', '"x"') });
      assert.equal(tampered.status, 401);
      const noMd5 = await publish(body, { omitMd5: true });
      assert.equal(noMd5.status, 401);
    });

    it('SIG-07: the auth_key of another app is 401', async () => {
      const res = await signed(server, 'GET', '/apps/app-id/channels', { key: 'other-key', secret: 'other-secret' });
      assert.equal(res.status, 401);
    });

    it('SIG-08 / SIG-09: unknown app → 404, disabled app → 403', async () => {
      assert.equal((await signed(server, 'GET', '/apps/nope/channels')).status, 404);
      const off = await signed(server, 'GET', '/apps/off-id/channels', { key: 'off-key', secret: 'off-secret' });
      assert.equal(off.status, 403);
      assert.ok(off.json && off.json.error);
    });

    it('SIG-10: extra params are signed with decoded values and lowercased sorted keys', async () => {
      await subscriber('presence-sig10');
      const res = await signed(server, 'GET', '/apps/app-id/channels', {
        params: { filter_by_prefix: 'presence-', info: 'user_count' },
      });
      assert.equal(res.status, 200, res.body);
      assert.equal(res.json.channels['presence-sig10'].user_count, 1);
      // Tampering with a signed parameter invalidates the request.
      const query = signQuery('GET', '/apps/app-id/channels', { params: { filter_by_prefix: 'presence-' } })
        .replace('filter_by_prefix=presence-', 'filter_by_prefix=private-');
      assert.equal((await request(server.port, 'GET', `/apps/app-id/channels?${query}`)).status, 401);
    });

    it('SIG-12: a bad signature wins over an invalid body', async () => {
      const body = '{not json';
      const query = signQuery('POST', EVENTS, { body }).replace(/auth_signature=[0-9a-f]+/, `auth_signature=${'1'.repeat(64)}`);
      assert.equal((await request(server.port, 'POST', `${EVENTS}?${query}`, { body })).status, 401);
    });
  });

  describe('events', () => {
    it('API-01: publish with channel → 200 {} and subscribers get the data string unchanged', async () => {
      const c = await subscriber('api01');
      const got = c.next((f) => f.event === 'api01-ev', 3000);
      const res = await publish({ name: 'api01-ev', channel: 'api01', data: '{"a":1}' });
      assert.equal(res.status, 200);
      assert.deepEqual(res.json, {});
      assert.deepEqual(await got, { event: 'api01-ev', channel: 'api01', data: '{"a":1}' });
    });

    it('API-02: a channels array delivers once per channel, duplicates collapsed', async () => {
      const c = await subscriber('api02-a', 'api02-b');
      const res = await publish({ name: 'multi', channels: ['api02-a', 'api02-b', 'api02-a'], data: 'x' });
      assert.equal(res.status, 200);
      await sleep(300);
      const seen = c.frames.filter((f) => f.event === 'multi').map((f) => f.channel).sort();
      assert.deepEqual(seen, ['api02-a', 'api02-b']);
    });

    it('API-03: 100 channels accepted, 101 → 400', async () => {
      const chans = (n) => Array.from({ length: n }, (_, i) => `api03-${i}`);
      assert.equal((await publish({ name: 'e', channels: chans(100), data: 'x' })).status, 200);
      assert.equal((await publish({ name: 'e', channels: chans(101), data: 'x' })).status, 400);
    });

    it('API-04 / API-06 / API-11: names and required fields', async () => {
      assert.equal((await publish({ name: 'e'.repeat(201), channel: 'c', data: 'x' })).status, 400);
      assert.equal((await publish({ name: 'e'.repeat(200), channel: 'c', data: 'x' })).status, 200);
      assert.equal((await publish({ channel: 'c', data: 'x' })).status, 400);
      assert.equal((await publish({ name: 'e', channel: 'c' })).status, 400);
      assert.equal((await publish({ name: 'e', data: 'x' })).status, 400);
      assert.equal((await publish({ name: 'e', channel: 'c', data: '' })).status, 200);
      assert.equal((await publish({ name: 'App\\Events\\OrderShipped', channel: 'c', data: '{}' })).status, 200);
    });

    it('API-05: data over the payload limit → 413, at the limit → 200', async () => {
      const limit = 100 * 1024;
      assert.equal((await publish({ name: 'e', channel: 'c', data: 'x'.repeat(limit) })).status, 200);
      const over = await publish({ name: 'e', channel: 'c', data: 'x'.repeat(limit + 1) });
      assert.equal(over.status, 413);
      assert.ok(over.json && over.json.error);
    });

    it('API-07: non-string data is delivered as compact JSON text', async () => {
      const c = await subscriber('api07');
      const got = c.next((f) => f.event === 'obj', 3000);
      assert.equal((await publish({ name: 'obj', channel: 'api07', data: { a: [1, 2], b: 'x' } })).status, 200);
      assert.equal((await got).data, '{"a":[1,2],"b":"x"}');
    });

    it('API-08: one invalid channel name → 400 and nothing delivered', async () => {
      const c = await subscriber('api08');
      const res = await publish({ name: 'bad', channels: ['api08', 'in valid'], data: 'x' });
      assert.equal(res.status, 400);
      await c.nothing((f) => f.event === 'bad', 300);
    });

    it('API-09: socket_id excludes exactly that connection; a malformed one → 400', async () => {
      const a = await subscriber('api09');
      const b = await subscriber('api09');
      const got = b.next((f) => f.event === 'ex', 3000);
      assert.equal((await publish({ name: 'ex', channel: 'api09', data: 'x', socket_id: a.socketId })).status, 200);
      await got;
      await a.nothing((f) => f.event === 'ex', 300);
      assert.equal((await publish({ name: 'ex', channel: 'api09', data: 'x', socket_id: 'abc' })).status, 400);
    });

    it('API-10: info returns per-channel counts; user_count only for presence', async () => {
      await subscriber('presence-api10', 'api10');
      const res = await publish({ name: 'e', channels: ['presence-api10', 'api10'], data: 'x', info: 'user_count,subscription_count' });
      assert.equal(res.status, 200);
      assert.deepEqual(res.json, {
        channels: {
          'presence-api10': { user_count: 1, subscription_count: 1 },
          api10: { subscription_count: 1 },
        },
      });
    });

    it('#server-to-user channels are accepted by publish', async () => {
      assert.equal((await publish({ name: 'e', channel: '#server-to-user-42', data: 'x' })).status, 200);
    });

    it('invalid JSON → 400 with a message', async () => {
      const res = await publish('{"name": ');
      assert.equal(res.status, 400);
      assert.ok(res.json && typeof res.json.error === 'string' && res.json.error.length > 0);
    });
  });

  describe('batch_events', () => {
    const BATCH = '/apps/app-id/batch_events';
    const item = (channel, name, data = 'x') => ({ channel, name, data });
    it('API-12: 10 events accepted, 11 → 400', async () => {
      const ten = Array.from({ length: 10 }, (_, i) => item('b12', `e${i}`));
      assert.equal((await signed(server, 'POST', BATCH, { body: { batch: ten } })).status, 200);
      const eleven = [...ten, item('b12', 'e10')];
      assert.equal((await signed(server, 'POST', BATCH, { body: { batch: eleven } })).status, 400);
    });

    it('API-13 / API-14: all-or-nothing, delivered in order', async () => {
      const c = await subscriber('b13');
      const bad = await signed(server, 'POST', BATCH, { body: { batch: [item('b13', 'ok'), item('b13', 'big', 'x'.repeat(100 * 1024 + 1))] } });
      assert.equal(bad.status, 413);
      await c.nothing((f) => f.event === 'ok', 300);
      const res = await signed(server, 'POST', BATCH, { body: { batch: [item('b13', 'one'), item('b13', 'two'), item('b13', 'three')] } });
      assert.equal(res.status, 200);
      await c.next((f) => f.event === 'three', 3000);
      const order = c.allFrames.filter((f) => f.channel === 'b13' && ['one', 'two', 'three'].includes(f.event)).map((f) => f.event);
      assert.deepEqual(order, ['one', 'two', 'three']);
    });

    it('API-15: {} without info, {"batch":[...]} aligned by index with info', async () => {
      await subscriber('presence-b15');
      const plain = await signed(server, 'POST', BATCH, { body: { batch: [item('b15', 'e')] } });
      assert.deepEqual(plain.json, {});
      const withInfo = await signed(server, 'POST', BATCH, {
        body: { batch: [{ ...item('presence-b15', 'e'), info: 'user_count,subscription_count' }, { ...item('b15-empty', 'e'), info: 'subscription_count' }, item('b15', 'e')] },
      });
      assert.equal(withInfo.status, 200, withInfo.body);
      assert.deepEqual(withInfo.json, { batch: [{ user_count: 1, subscription_count: 1 }, { subscription_count: 0 }, {}] });
    });
  });

  describe('channels', () => {
    it('API-16: lists occupied channels only, {} attributes without info', async () => {
      await subscriber('api16');
      const res = await signed(server, 'GET', '/apps/app-id/channels', { params: { filter_by_prefix: 'api16' } });
      assert.deepEqual(res.json, { channels: { api16: {} } });
    });

    it('API-17: user_count needs a presence- filter, even with no channels', async () => {
      const res = await signed(server, 'GET', '/apps/app-id/channels', { params: { info: 'user_count' } });
      assert.equal(res.status, 400);
      const ok = await signed(server, 'GET', '/apps/app-id/channels', { params: { filter_by_prefix: 'presence-none-', info: 'user_count' } });
      assert.deepEqual(ok.json, { channels: {} });
    });

    it('API-18 / API-19: a channel always reports occupied; counts on request; user_count only on presence', async () => {
      const empty = await signed(server, 'GET', '/apps/app-id/channels/api18-empty', { params: { info: 'subscription_count' } });
      assert.deepEqual(empty.json, { occupied: false, subscription_count: 0 });
      await subscriber('presence-api18');
      const p = await signed(server, 'GET', '/apps/app-id/channels/presence-api18', { params: { info: 'user_count,subscription_count' } });
      assert.deepEqual(p.json, { occupied: true, user_count: 1, subscription_count: 1 });
      const bad = await signed(server, 'GET', '/apps/app-id/channels/api18-empty', { params: { info: 'user_count' } });
      assert.equal(bad.status, 400);
    });

    it('API-20: presence users are distinct ids; non-presence → 400', async () => {
      const tab1 = await rawApp(server);
      const tab2 = await rawApp(server);
      clients.push(tab1, tab2);
      await rawJoin(tab1, 'presence-api20', { channelData: { user_id: 7 } });
      await rawJoin(tab2, 'presence-api20', { channelData: { user_id: 7 } });
      const res = await signed(server, 'GET', '/apps/app-id/channels/presence-api20/users');
      assert.deepEqual(res.json, { users: [{ id: '7' }] });
      assert.equal((await signed(server, 'GET', '/apps/app-id/channels/public-x/users')).status, 400);
    });

    it('API-21: terminate_connections with body {} closes that user\'s sockets', async () => {
      const c = await rawApp(server);
      clients.push(c);
      const { rawSignin } = require('../lib/pusher-clients');
      rawSignin(c, { id: 'term-me' });
      await c.next((f) => f.event === 'pusher:signin_success', 3000);
      const res = await signed(server, 'POST', '/apps/app-id/users/term-me/terminate_connections', { body: '{}' });
      assert.equal(res.status, 200);
      assert.deepEqual(res.json, {});
      const closed = await c.waitClose(3000);
      assert.equal(closed.code, 4009);
    });
  });

  describe('transport behaviour', () => {
    it('API-22 / API-23: unknown routes are 404; API errors are JSON with an error field', async () => {
      assert.equal((await request(server.port, 'GET', '/nope')).status, 404);
      const res = await signed(server, 'GET', '/apps/app-id/nope');
      assert.equal(res.status, 404);
      const wrongMethod = await signed(server, 'DELETE', '/apps/app-id/channels');
      assert.ok([404, 405].includes(wrongMethod.status));
    });

    it('API-25: OPTIONS preflight is 204 with CORS headers and needs no auth', async () => {
      const res = await request(server.port, 'OPTIONS', EVENTS, {
        headers: { Origin: 'https://app.example.com', 'Access-Control-Request-Method': 'POST' },
      });
      assert.equal(res.status, 204);
      assert.ok(res.headers['access-control-allow-origin']);
      assert.match(res.headers['access-control-allow-methods'], /POST/);
      const normal = await signed(server, 'GET', '/apps/app-id/channels', { headers: { Origin: 'https://app.example.com' } });
      assert.ok(normal.headers['access-control-allow-origin']);
    });

    it('API-26: a body over the request limit → 413 (separate from the event payload limit)', async () => {
      const small = await startServer({ config: configWithApps([defaultAppConfig()], { http_api: { request_limit_in_mb: 1 } }) });
      try {
        const body = JSON.stringify({ name: 'e', channel: 'c', data: 'x'.repeat(1024 * 1024 + 10) });
        const query = signQuery('POST', EVENTS, { body });
        const res = await request(small.port, 'POST', `${EVENTS}?${query}`, { body }).catch((e) => ({ status: 'error', error: e }));
        assert.equal(res.status, 413);
        // The server keeps serving.
        assert.equal((await signed(small, 'GET', '/apps/app-id/channels')).status, 200);
      } finally {
        await small.stop();
      }
    });

    it('keep-alive: thousands of signed requests on one connection', async () => {
      const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
      const ports = new Set();
      try {
        for (let i = 0; i < 2000; i += 1) {
          const res = await signed(server, 'POST', EVENTS, { body: { name: 'ka', channel: 'ka', data: String(i) }, agent });
          assert.equal(res.status, 200);
          assert.notEqual(res.headers.connection, 'close');
        }
        agent.on('free', (socket) => ports.add(socket.localPort));
        await signed(server, 'GET', '/apps/app-id/channels', { agent });
        await sleep(20);
        assert.equal(ports.size, 1);
        assert.equal(Object.values(agent.freeSockets).flat().length, 1, 'one socket carried every request');
      } finally {
        agent.destroy();
      }
    });

    it('body_md5 is checked against the exact bytes received', async () => {
      const body = '{"name":"e","channel":"c","data":"x"}';
      const query = signQuery('POST', EVENTS, { body });
      assert.ok(query.includes(`body_md5=${md5(body)}`));
      assert.equal((await request(server.port, 'POST', `${EVENTS}?${query}`, { body })).status, 200);
      assert.equal((await request(server.port, 'POST', `${EVENTS}?${query}`, { body: `${body} ` })).status, 401);
    });
  });
});

describe('HTTP API with a path prefix', () => {
  it('SIG-11: the signature covers the raw path including the prefix', async () => {
    const server = await startServer({ config: configWithApps([defaultAppConfig()], { path_prefix: '/ws' }) });
    try {
      const path = '/ws/apps/app-id/channels';
      assert.equal((await signed(server, 'GET', path)).status, 200);
      const withoutPrefixSigned = signQuery('GET', path, { signPath: '/apps/app-id/channels' });
      assert.equal((await request(server.port, 'GET', `${path}?${withoutPrefixSigned}`)).status, 401);
    } finally {
      await server.stop();
    }
  });
});
