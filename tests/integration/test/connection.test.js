'use strict';
// Protocol V1 connection lifecycle (spec protocol-v1.md §2, §3; checklist §18.1 CON-*).
const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { startServer, httpGet } = require('../lib/harness');
const { connect } = require('../lib/ws-client');
const {
  rawClient, rawApp, rawJoin, rawSubscribe, rawSignin, nextSubError,
  appConfig, configWithApps, ENVELOPE_FIELDS,
} = require('../lib/pusher-clients');

const SOCKET_ID = /^\d+\.\d+$/;
const V2_FIELDS = ['message_id', 'serial', 'stream_id', 'extras', 'tags', 'sequence', 'conflation_key', '__delta_seq'];

/**
 * Admission failure (spec §3.3): the upgrade completes (101), then the ONLY frame is
 * pusher:error {code, message} (object data), then a close frame with the same code.
 */
async function expectRejected(server, path, code, options) {
  let c;
  try {
    c = await connect(server, path, options);
  } catch (e) {
    assert.fail(`upgrade for ${path} was not accepted (expected 101 then pusher:error ${code}): ${e.message}`);
  }
  const closed = await c.waitClose(5000);
  const frames = c.frames;
  assert.equal(frames.length, 1, `expected exactly one frame (pusher:error ${code}) before close, got ${JSON.stringify(frames)}`);
  const [err] = frames;
  assert.equal(err.event, 'pusher:error', `first frame: ${JSON.stringify(err)}`);
  assert.equal(typeof err.data, 'object', `pusher:error data must be an object: ${JSON.stringify(err)}`);
  assert.notEqual(err.data, null);
  assert.equal(err.data.code, code, `pusher:error code: ${JSON.stringify(err)}`);
  assert.equal(typeof err.data.message, 'string');
  assert.ok(err.data.message.length > 0);
  assert.equal(closed.code, code, `close code (reason "${closed.reason}")`);
  return { err, closed };
}

/** Sends a WebSocket upgrade request and resolves with the HTTP status of the answer (101 if upgraded). */
function upgradeStatus(server, path, headers = {}) {
  const http = require('node:http');
  return new Promise((resolve, reject) => {
    const req = http.request({
      host: '127.0.0.1', port: server.port, path, agent: false, timeout: 3000,
      headers: {
        Connection: 'Upgrade', Upgrade: 'websocket', 'Sec-WebSocket-Version': '13',
        'Sec-WebSocket-Key': require('node:crypto').randomBytes(16).toString('base64'), ...headers,
      },
    });
    req.on('upgrade', (res, socket) => { socket.destroy(); resolve(res.statusCode); });
    req.on('response', (res) => { res.resume(); resolve(res.statusCode); });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
    req.end();
  });
}

describe('connection (default app)', () => {
  let server;
  before(async () => { server = await startServer({ env: { RATE_LIMITER_ENABLED: 'false' } }); });
  after(async () => { await server.stop(); });

  it('CON-01: the first frame after the upgrade is pusher:connection_established', async () => {
    const c = await connect(server, '/app/app-key?protocol=7&client=js&version=8.4.0&flash=false');
    try {
      const first = await c.next(() => true, 3000);
      assert.equal(first.event, 'pusher:connection_established', `first frame was ${JSON.stringify(first)}`);
    } finally { c.close(); }
  });

  it('CON-02: connection_established data is a JSON string with socket_id (string) and activity_timeout (int > 0, default 120)', async () => {
    const c = await connect(server);
    try {
      const f = await c.next('pusher:connection_established');
      assert.deepEqual(Object.keys(f).sort(), ['data', 'event'], `unexpected envelope ${JSON.stringify(f)}`);
      assert.equal(typeof f.data, 'string', `data must be a JSON string, got ${JSON.stringify(f.data)}`);
      const data = JSON.parse(f.data);
      assert.equal(typeof data.socket_id, 'string');
      assert.match(data.socket_id, SOCKET_ID);
      assert.equal(typeof data.activity_timeout, 'number');
      assert.ok(Number.isInteger(data.activity_timeout) && data.activity_timeout > 0, `activity_timeout ${data.activity_timeout}`);
      assert.equal(data.activity_timeout, 120, 'default activity_timeout is 120 s');
    } finally { c.close(); }
  });

  it('CON-03: socket_id matches ^\\d+\\.\\d+$ on 200 connections', async () => {
    const ids = [];
    for (let batch = 0; batch < 4; batch += 1) {
      const cs = await Promise.all(Array.from({ length: 50 }, () => rawClient(server)));
      for (const c of cs) { ids.push(c.socketId); c.close(); }
    }
    assert.equal(ids.length, 200);
    for (const id of ids) {
      assert.match(id, SOCKET_ID);
      // decimal without sign or leading zeros in either part
      for (const part of id.split('.')) assert.ok(part === '0' || !part.startsWith('0'), `leading zero in ${id}`);
    }
  });

  it('CON-04: socket_ids are unique across 400 concurrent connections', async () => {
    const cs = [];
    try {
      for (let batch = 0; batch < 4; batch += 1) {
        cs.push(...await Promise.all(Array.from({ length: 100 }, () => rawClient(server))));
      }
      const ids = new Set(cs.map((c) => c.socketId));
      assert.equal(ids.size, cs.length, 'duplicate socket_id among live connections');
    } finally { for (const c of cs) c.close(); }
  });

  it('CON-05: unknown app key → pusher:error 4001 then close 4001', async () => {
    const { err } = await expectRejected(server, '/app/nope?protocol=7&client=js&version=8.4.0', 4001);
    assert.match(err.data.message, /nope/, 'message names the key (suggested "App key nope does not exist.")');
  });

  it('CON-09: a wrong path is answered with HTTP 404 (not upgraded)', async () => {
    for (const path of ['/foo/bar', '/app', '/apps/app-key', '/app/app-key/extra']) {
      const status = await upgradeStatus(server, path);
      assert.equal(status, 404, `${path}: must not be upgraded; HTTP status`);
    }
  });

  it('CON-10: protocol=abc → pusher:error 4006 then close 4006', async () => {
    await expectRejected(server, '/app/app-key?protocol=abc&client=js&version=8.4.0', 4006);
    await expectRejected(server, '/app/app-key?protocol=7.1&client=js&version=8.4.0', 4006);
  });

  it('CON-11: protocol=3 and protocol=8 (and 2 until V2 exists) → pusher:error 4007 then close 4007', async () => {
    for (const v of ['3', '8', '2']) {
      await expectRejected(server, `/app/app-key?protocol=${v}&client=js&version=8.4.0`, 4007);
    }
  });

  it('CON-12: missing protocol and protocol=1 are accepted as V1', async () => {
    for (const path of ['/app/app-key', '/app/app-key?client=js&version=8.4.0', '/app/app-key?protocol=1']) {
      const c = await connect(server, path);
      try {
        const d = await c.established();
        assert.match(d.socket_id, SOCKET_ID, path);
      } finally { c.close(); }
    }
  });

  it('CON-13: protocol=4, 5, 6 and 7 are accepted', async () => {
    for (const v of [4, 5, 6, 7]) {
      const c = await connect(server, `/app/app-key?protocol=${v}&client=js&version=8.4.0&flash=false`);
      try {
        const d = await c.established();
        assert.match(d.socket_id, SOCKET_ID, `protocol=${v}`);
      } finally { c.close(); }
    }
  });

  it('CON-23: no V2-only fields and no extra envelope fields in any V1 frame of a varied session', async () => {
    const a = await rawApp(server);
    const b = await rawApp(server);
    try {
      rawSignin(a, { id: 'con23-a', user_info: { n: 1 } });
      await a.next('pusher:signin_success');
      await rawJoin(a, 'con23-public');
      await rawJoin(a, 'private-con23');
      await rawJoin(b, 'private-con23');
      await rawJoin(a, 'presence-con23', { channelData: { user_id: 'a', user_info: { x: 1 } } });
      await rawJoin(b, 'presence-con23', { channelData: { user_id: 'b' } });
      await a.next('pusher_internal:member_added');
      await rawJoin(a, 'cache-con23');
      await a.next('pusher:cache_miss');
      b.send({ event: 'client-x', channel: 'private-con23', data: { k: 'v' } });
      await a.next('client-x');
      b.send({ event: 'client-y', channel: 'presence-con23', data: 'str' });
      await a.next('client-y');
      a.send({ event: 'client-z', channel: 'con23-public', data: {} });
      await a.next('pusher:error');
      rawSubscribe(a, 'private-con23-bad', { auth: 'app-key:deadbeef' });
      await nextSubError(a, 'private-con23-bad');
      a.send({ event: 'pusher:ping', data: {} });
      await a.next('pusher:pong');
      b.close();
      await a.next('pusher_internal:member_removed');
      const all = [...a.allFrames];
      assert.ok(all.length >= 10, `expected a varied session, got ${all.length} frames`);
      for (const f of all) {
        for (const k of Object.keys(f)) {
          assert.ok(ENVELOPE_FIELDS.has(k), `field "${k}" not allowed in a V1 frame: ${JSON.stringify(f)}`);
        }
        for (const k of V2_FIELDS) assert.ok(!(k in f), `V2 field ${k} in ${JSON.stringify(f)}`);
        assert.equal(typeof f.event, 'string');
        if (f.raw !== undefined) assert.fail(`non-JSON frame: ${f.raw}`);
      }
    } finally { a.close(); b.close(); }
  });
});

describe('connection (admission checks from app configuration)', () => {
  let server;
  const apps = {
    disabled: appConfig('disabled', { enabled: false }),
    quota: appConfig('quota', { limits: { max_connections: 1 } }),
    origins: appConfig('origins', { channels: { allowed_origins: ['https://app.example.com', 'plain.example.net', '*.example.org'] } }),
    anyorigin: appConfig('anyorigin', { channels: { allowed_origins: ['*'] } }),
    tls: appConfig('tls', { features: { ssl_only: true } }),
  };
  before(async () => {
    server = await startServer({ config: configWithApps(Object.values(apps)) });
  });
  after(async () => { await server.stop(); });

  it('CON-06: disabled app → pusher:error 4003 then close 4003', async () => {
    await expectRejected(server, '/app/disabled-key?protocol=7&client=js&version=8.4.0', 4003);
  });

  it('CON-07: app over max_connections → pusher:error 4004 then close 4004 (first connection unaffected)', async () => {
    const first = await rawClient(server, { key: 'quota-key' });
    try {
      await expectRejected(server, '/app/quota-key?protocol=7&client=js&version=8.4.0', 4004);
      first.send({ event: 'pusher:ping', data: {} });
      await first.next('pusher:pong');
    } finally { first.close(); }
    // The slot is released when the first connection goes away.
    let ok = false;
    for (let i = 0; i < 40 && !ok; i += 1) {
      const c = await connect(server, '/app/quota-key?protocol=7');
      const f = await c.next(() => true, 2000).catch(() => null);
      ok = f && f.event === 'pusher:connection_established';
      c.close();
      if (!ok) await new Promise((r) => setTimeout(r, 50));
    }
    assert.ok(ok, 'quota slot is released after the first connection closed');
  });

  it('CON-14: TLS-only app over plain ws → pusher:error 4000 then close 4000', async () => {
    await expectRejected(server, '/app/tls-key?protocol=7&client=js&version=8.4.0', 4000);
  });

  it('CON-15: Origin not in allowed_origins → pusher:error 4009 + close 4009; allowed origins and "*" pass', async () => {
    const path = '/app/origins-key?protocol=7&client=js&version=8.4.0';
    for (const origin of ['https://app.example.com', 'HTTPS://APP.EXAMPLE.COM', 'https://plain.example.net', 'https://sub.example.org', 'https://example.org', 'http://a.b.example.org']) {
      const c = await connect(server, path, { origin });
      try {
        const f = await c.next(() => true, 3000);
        assert.equal(f.event, 'pusher:connection_established', `origin ${origin} must be allowed, got ${JSON.stringify(f)}`);
      } finally { c.close(); }
    }
    for (const origin of ['https://evil.com', 'https://app.example.com.evil.com', 'https://notexample.org', 'http://app.example.co']) {
      const { err } = await expectRejected(server, path, 4009, { origin });
      assert.ok(err, origin);
    }
    // A missing Origin header fails a non-empty list.
    await expectRejected(server, path, 4009);
    // '*' allows everything, with or without Origin.
    for (const options of [{ origin: 'https://whatever.test' }, undefined]) {
      const c = await connect(server, '/app/anyorigin-key?protocol=7', options);
      try {
        const f = await c.next(() => true, 3000);
        assert.equal(f.event, 'pusher:connection_established');
      } finally { c.close(); }
    }
  });

  it('CON-16: admission errors arrive after a completed upgrade (HTTP 101), never as an HTTP 4xx', async () => {
    const holder = await rawClient(server, { key: 'quota-key' }).catch(() => null);
    try {
      for (const key of ['nope', 'disabled-key', 'quota-key', 'origins-key']) {
        assert.equal(await upgradeStatus(server, `/app/${key}?protocol=7`), 101, `/app/${key}: handshake status`);
      }
      assert.equal(await upgradeStatus(server, '/app/origins-key?protocol=7', { Origin: 'https://evil.com' }), 101);
      assert.equal(await upgradeStatus(server, '/app/anyorigin-key?protocol=abc'), 101);
    } finally { if (holder) holder.close(); }
  });
});

describe('connection (node capacity)', () => {
  let server;
  before(async () => { server = await startServer({ env: { SOCKUDO_MAX_CONNECTIONS: '1' } }); });
  after(async () => { await server.stop(); });

  it('CON-08: node capacity exceeded → pusher:error 4100 then close 4100', async () => {
    const first = await rawClient(server);
    try {
      await expectRejected(server, '/app/app-key?protocol=7&client=js&version=8.4.0', 4100);
      first.send({ event: 'pusher:ping', data: {} });
      await first.next('pusher:pong');
    } finally { first.close(); }
    // health endpoints are not WebSocket connections and keep working at capacity
    const res = await httpGet(server.port, '/live');
    assert.equal(res.status, 200);
  });
});
