'use strict';
// Heartbeats, inactivity probe and pong timeout (spec protocol-v1.md §3.6, §5.1–5.2; checklist
// §18.2 HB-*). The server runs with activity_timeout 1 s and a 500 ms pong timeout.
const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { startServer } = require('../lib/harness');
const {
  rawApp, rawClient, rawJoin, createPusher, connected, subscribe, closeAllPushers,
} = require('../lib/pusher-clients');

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const isEmptyData = (d) => d === '{}' || (d !== null && typeof d === 'object' && Object.keys(d).length === 0);

describe('heartbeat', () => {
  let server;
  before(async () => {
    server = await startServer({
      env: {
        ACTIVITY_TIMEOUT: '1',
        PONG_TIMEOUT_MS: '500',
        // Same credentials as the embedded default app, with a small client-event rate limit.
        SOCKUDO_DEFAULT_APP_ID: 'app-id',
        SOCKUDO_DEFAULT_APP_KEY: 'app-key',
        SOCKUDO_DEFAULT_APP_SECRET: 'app-secret',
        SOCKUDO_DEFAULT_APP_ENABLE_CLIENT_MESSAGES: 'true',
        SOCKUDO_DEFAULT_APP_MAX_CLIENT_EVENTS_PER_SECOND: '3',
      },
    });
  });
  after(async () => { closeAllPushers(); await server.stop(); });

  it('HB-01: pusher:ping → pusher:pong with empty data', async () => {
    const c = await rawApp(server);
    try {
      c.send({ event: 'pusher:ping', data: {} });
      const pong = await c.next('pusher:pong', 2000);
      assert.ok(isEmptyData(pong.data), `pong data should be "{}" (or {}): ${JSON.stringify(pong)}`);
      assert.equal(pong.data, '{}', 'spec §3.6/§5.1: {"event":"pusher:pong","data":"{}"}');
      assert.ok(!('channel' in pong));
      // A string data form (some clients) is answered the same way.
      c.send({ event: 'pusher:ping', data: '{}' });
      await c.next('pusher:pong', 2000);
      c.send({ event: 'pusher:ping' });
      await c.next('pusher:pong', 2000);
    } finally { c.close(); }
  });

  it('HB-02: pings are answered while the client-event rate limit is exhausted', async () => {
    const a = await rawApp(server);
    const b = await rawApp(server);
    try {
      await rawJoin(a, 'private-hb02');
      await rawJoin(b, 'private-hb02');
      for (let i = 0; i < 10; i += 1) a.send({ event: 'client-burst', channel: 'private-hb02', data: { i } });
      const err = await a.next((f) => f.event === 'pusher:error' && f.data && f.data.code === 4301, 2000);
      assert.equal(err.channel, 'private-hb02');
      a.send({ event: 'pusher:ping', data: {} });
      await a.next('pusher:pong', 1000);
      assert.equal(a.closed, null, 'rate limiting must not close the connection');
      let delivered = 0;
      while (await b.next('client-burst', 300).then(() => true, () => false)) delivered += 1;
      assert.ok(delivered >= 1 && delivered <= 4, `limit 3/s: ${delivered} of 10 delivered`);
    } finally { a.close(); b.close(); }
  });

  it('HB-03: a silent client receives pusher:ping after activity_timeout (1 s)', async () => {
    const c = await rawClient(server, { options: { autoPong: false } });
    try {
      const t0 = Date.now();
      const ping = await c.next('pusher:ping', 4000);
      const elapsed = Date.now() - t0;
      assert.ok(isEmptyData(ping.data), JSON.stringify(ping));
      assert.ok(elapsed >= 800, `probe came too early (${elapsed} ms)`);
      assert.ok(elapsed <= 3000, `probe came too late (${elapsed} ms)`);
    } finally { c.close(); }
  });

  it('HB-04: answering the probe (pusher:pong or any frame) keeps the connection open', async () => {
    const c = await rawClient(server, { options: { autoPong: false } });
    try {
      let pings = 0;
      const deadline = Date.now() + 4000;
      while (Date.now() < deadline) {
        const ping = await c.next('pusher:ping', Math.max(50, deadline - Date.now())).catch(() => null);
        if (!ping) break;
        pings += 1;
        // Alternate: a pusher:pong, then an arbitrary frame; both count as the reply.
        c.send(pings % 2 ? { event: 'pusher:pong', data: {} } : { event: 'pusher:unknown-activity', data: {} });
      }
      assert.equal(c.closed, null, `connection was closed: ${JSON.stringify(c.closed)}`);
      assert.ok(pings >= 2, `expected repeated probes while idle, got ${pings}`);
      c.send({ event: 'pusher:ping', data: {} });
      await c.next('pusher:pong', 1000);
    } finally { c.close(); }
  });

  it('HB-05: no reply after the probe → close 4201 after the pong timeout', async () => {
    const c = await rawClient(server, { options: { autoPong: false } });
    try {
      const t0 = Date.now();
      const closed = await c.waitClose(6000);
      const elapsed = Date.now() - t0;
      assert.equal(closed.code, 4201, `close code (reason "${closed.reason}")`);
      assert.ok(c.allFrames.some((f) => f.event === 'pusher:ping'), 'a pusher:ping probe precedes the close');
      assert.ok(elapsed >= 1300, `closed too early (${elapsed} ms; activity 1 s + pong 0.5 s)`);
      assert.ok(elapsed <= 4500, `closed too late (${elapsed} ms)`);
    } finally { c.close(); }
  });

  it('HB-06: a WebSocket ping control frame is answered with a pong carrying the same payload', async () => {
    const c = await rawApp(server);
    try {
      const got = new Promise((resolve) => c.ws.once('pong', (d) => resolve(d.toString())));
      c.ws.ping('hb06-payload');
      const payload = await Promise.race([got, sleep(2000).then(() => null)]);
      assert.equal(payload, 'hb06-payload');
    } finally { c.close(); }
  });

  it('HB-07: inbound WebSocket pong frames count as activity', async () => {
    const c = await rawClient(server, { options: { autoPong: false } });
    const timer = setInterval(() => { try { c.ws.pong('keepalive'); } catch { /* closed */ } }, 250);
    try {
      await sleep(3500);
      assert.equal(c.closed, null, `connection kept alive only by pong frames was closed: ${JSON.stringify(c.closed)}`);
    } finally { clearInterval(timer); c.close(); }
  });

  it('HB-08: a pusher-js client that only receives events is not closed while it answers probes', async () => {
    const pusher = createPusher(server);
    const sender = await rawApp(server);
    let timer;
    try {
      const socketId = await connected(pusher);
      const channel = await subscribe(pusher, 'private-hb08');
      let received = 0;
      channel.bind('client-tick', () => { received += 1; });
      await rawJoin(sender, 'private-hb08');
      let i = 0;
      timer = setInterval(() => { sender.send({ event: 'client-tick', channel: 'private-hb08', data: { i: i++ } }); }, 400);
      await sleep(4000);
      assert.equal(pusher.connection.state, 'connected');
      assert.equal(pusher.connection.socket_id, socketId, 'pusher-js must not have reconnected');
      const states = pusher.stateLog.map((s) => s.current);
      assert.deepEqual(states.filter((s) => s !== 'connecting' && s !== 'connected'), [], `states: ${states}`);
      assert.equal(states.filter((s) => s === 'connected').length, 1, `states: ${states}`);
      assert.ok(received >= 7, `received ${received} events`);
    } finally { clearInterval(timer); sender.close(); pusher.disconnect(); }
  });

  it('HB-09: pusher-js adopts activity_timeout 1 s and pings when idle', async () => {
    const pusher = createPusher(server);
    try {
      await connected(pusher);
      assert.equal(pusher.connection.activityTimeout, 1000);
      const before = pusher.frameLog.length;
      await sleep(3500);
      const pongs = pusher.frameLog.slice(before).filter((f) => f.event === 'pusher:pong').length;
      assert.ok(pongs >= 2, `pusher-js should have pinged about every second (pongs seen: ${pongs})`);
      assert.equal(pusher.connection.state, 'connected');
    } finally { pusher.disconnect(); }
  });
});
