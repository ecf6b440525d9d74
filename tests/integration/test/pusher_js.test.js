'use strict';
// The real pusher-js client (node build) against the server: connection (CON-05, CON-17),
// subscriptions (SUB-11), auth errors (AUTH-08), presence members (PRE-14), client events, and
// one broadcast reaching 200 concurrent clients exactly once (across all worker threads).
const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { startServer } = require('../lib/harness');
const {
  createPusher, connected, subscribe, once, onceWithMeta, waitForState, closePusher, closeAllPushers, serverSdk,
} = require('../lib/pusher-clients');

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

describe('pusher-js', () => {
  let server;
  let sdk;
  before(async () => {
    server = await startServer({ env: { RATE_LIMITER_ENABLED: 'false' } });
    sdk = serverSdk(server);
  });
  after(async () => { closeAllPushers(); await server.stop(); });

  it('CON-17: pusher-js connects, reaches "connected" and has a socket_id', async () => {
    const pusher = createPusher(server);
    try {
      const socketId = await connected(pusher);
      assert.match(socketId, /^\d+\.\d+$/);
      const states = pusher.stateLog.map((s) => s.current);
      assert.equal(states[states.length - 1], 'connected');
      assert.deepEqual(states.filter((s) => s !== 'connecting' && s !== 'connected'), [], `states: ${states}`);
    } finally { closePusher(pusher); }
  });

  it('CON-05 (pusher-js): an unknown key ends in failed/disconnected without retrying', async () => {
    const pusher = createPusher(server, { key: 'no-such-key' });
    try {
      const errors = [];
      pusher.connection.bind('error', (e) => errors.push(e));
      const t0 = Date.now();
      while (!['disconnected', 'failed'].includes(pusher.connection.state) && Date.now() - t0 < 5000) await sleep(20);
      assert.ok(['disconnected', 'failed'].includes(pusher.connection.state), `state ${pusher.connection.state}: ${JSON.stringify(pusher.stateLog)}`);
      const attempts = pusher.stateLog.filter((s) => s.current === 'connecting').length;
      await sleep(2500);
      assert.equal(pusher.stateLog.filter((s) => s.current === 'connecting').length, attempts, `pusher-js retried: ${JSON.stringify(pusher.stateLog)}`);
      const code = (e) => (e && e.data && e.data.code) || (e && e.error && e.error.data && e.error.data.code);
      assert.ok(errors.some((e) => code(e) === 4001), `pusher-js saw error 4001: ${JSON.stringify(errors)}`);
    } finally { closePusher(pusher); }
  });

  it('SUB-11: channel.bind("pusher:subscription_succeeded") fires for public, private and presence channels', async () => {
    const pusher = createPusher(server, { presence: { user_id: 'sub11', user_info: { name: 'S' } } });
    try {
      await connected(pusher);
      for (const name of ['sub11-public', 'private-sub11', 'presence-sub11', 'private-cache-sub11']) {
        const ch = pusher.subscribe(name);
        const data = await once(ch, 'pusher:subscription_succeeded');
        assert.ok(ch.subscribed, name);
        if (name.startsWith('presence-')) {
          assert.equal(data.count, 1);
          assert.equal(data.me.id, 'sub11');
          assert.deepEqual(data.me.info, { name: 'S' });
        } else {
          assert.deepEqual(data, {}, `${name}: listeners receive the parsed "{}"`);
        }
      }
      const t0 = Date.now();
      while (!pusher.frameLog.some((f) => f.event === 'pusher:cache_miss') && Date.now() - t0 < 2000) await sleep(20);
      await sleep(100);
      const cm = pusher.frameLog.filter((f) => f.event === 'pusher:cache_miss');
      assert.deepEqual(cm.map((f) => f.channel), ['private-cache-sub11']);
    } finally { closePusher(pusher); }
  });

  it('AUTH-08 (pusher-js): a server-side auth rejection fires pusher:subscription_error with {type, status}', async () => {
    const pusher = createPusher(server, {
      channelAuth: (params) => ({ auth: `app-key:${'0'.repeat(64)}` }),
    });
    try {
      await connected(pusher);
      const ch = pusher.subscribe('private-auth08');
      const err = await once(ch, 'pusher:subscription_error', 3000);
      assert.equal(err.type, 'AuthError');
      assert.equal(err.status, 401);
      assert.equal(typeof err.error, 'string');
      assert.equal(ch.subscribed, false);
      assert.equal(pusher.connection.state, 'connected', 'the connection stays up');
      // and a later correct subscription on the same connection works
      const ok = createPusher(server);
      try {
        await connected(ok);
        await subscribe(ok, 'private-auth08');
      } finally { closePusher(ok); }
    } finally { closePusher(pusher); }
  });

  it('PRE-14 (pusher-js): channel.members count/me are correct; member_added / member_removed fire once per user', async () => {
    const alice = createPusher(server, { presence: { user_id: 'alice', user_info: { name: 'Alice' } } });
    const bobTab1 = createPusher(server, { presence: { user_id: 'bob', user_info: { name: 'Bob' } } });
    const bobTab2 = createPusher(server, { presence: { user_id: 'bob', user_info: { name: 'Bob' } } });
    try {
      await Promise.all([connected(alice), connected(bobTab1), connected(bobTab2)]);
      const ca = await subscribe(alice, 'presence-pre14');
      assert.equal(ca.members.count, 1);
      assert.equal(ca.members.me.id, 'alice');
      const addedEvents = [];
      const removedEvents = [];
      ca.bind('pusher:member_added', (m) => addedEvents.push(m));
      ca.bind('pusher:member_removed', (m) => removedEvents.push(m));
      const cb1 = await subscribe(bobTab1, 'presence-pre14');
      assert.equal(cb1.members.count, 2);
      assert.equal(cb1.members.me.id, 'bob');
      assert.deepEqual(cb1.members.get('alice').info, { name: 'Alice' });
      const cb2 = await subscribe(bobTab2, 'presence-pre14');
      assert.equal(cb2.members.count, 2);
      await sleep(300);
      assert.deepEqual(addedEvents.map((m) => [m.id, m.info]), [['bob', { name: 'Bob' }]]);
      assert.equal(ca.members.count, 2);
      closePusher(bobTab1);
      await sleep(400);
      assert.deepEqual(removedEvents, [], 'bob is still present through the second tab');
      closePusher(bobTab2);
      const t0 = Date.now();
      while (removedEvents.length === 0 && Date.now() - t0 < 2000) await sleep(20);
      assert.deepEqual(removedEvents.map((m) => m.id), ['bob']);
      assert.equal(ca.members.count, 1);
    } finally { closePusher(alice); closePusher(bobTab1); closePusher(bobTab2); }
  });

  it('client events between pusher-js clients: delivered to others with metadata.user_id on presence, not to the sender', async () => {
    const a = createPusher(server, { presence: { user_id: 'pa' } });
    const b = createPusher(server, { presence: { user_id: 'pb' } });
    try {
      await Promise.all([connected(a), connected(b)]);
      const pa = await subscribe(a, 'presence-pjs-ce');
      const pb = await subscribe(b, 'presence-pjs-ce');
      const selfSeen = [];
      pa.bind('client-typing', (d) => selfSeen.push(d));
      const got = onceWithMeta(pb, 'client-typing');
      assert.equal(pa.trigger('client-typing', { typing: true }), true);
      const { data, meta } = await got;
      assert.deepEqual(data, { typing: true });
      assert.equal(meta.user_id, 'pa');
      const qa = await subscribe(a, 'private-pjs-ce');
      const qb = await subscribe(b, 'private-pjs-ce');
      const got2 = onceWithMeta(qb, 'client-x');
      qa.trigger('client-x', 'a string');
      assert.equal((await got2).data, 'a string');
      await sleep(200);
      assert.deepEqual(selfSeen, []);
    } finally { closePusher(a); closePusher(b); }
  });

  it('one broadcast reaches 200 concurrent pusher-js clients exactly once', async () => {
    const clients = Array.from({ length: 200 }, () => createPusher(server));
    try {
      await Promise.all(clients.map((p) => connected(p, 15000)));
      await Promise.all(clients.map((p) => subscribe(p, 'broadcast-200', 10000)));
      const counts = new Array(clients.length).fill(0);
      clients.forEach((p, i) => p.channel('broadcast-200').bind('news', (d) => {
        assert.deepEqual(d, { headline: 'hello' });
        counts[i] += 1;
      }));
      await sdk.trigger('broadcast-200', 'news', { headline: 'hello' });
      const t0 = Date.now();
      while (counts.some((n) => n === 0) && Date.now() - t0 < 10000) await sleep(20);
      await sleep(500);
      const missing = counts.filter((n) => n === 0).length;
      const dup = counts.filter((n) => n > 1).length;
      assert.equal(missing, 0, `${missing} clients did not receive the broadcast`);
      assert.equal(dup, 0, `${dup} clients received it more than once`);
      // socket_ids are unique across all the clients
      assert.equal(new Set(clients.map((p) => p.connection.socket_id)).size, clients.length);
    } finally { for (const p of clients) closePusher(p); }
  });

  it('socket_id exclusion: a publish with the sender\'s socket_id skips exactly that client', async () => {
    const a = createPusher(server);
    const b = createPusher(server);
    try {
      await Promise.all([connected(a), connected(b)]);
      const ca = await subscribe(a, 'exclusion');
      const cb = await subscribe(b, 'exclusion');
      const seenByA = [];
      ca.bind('ev', (d) => seenByA.push(d));
      const got = once(cb, 'ev');
      await sdk.trigger('exclusion', 'ev', { x: 1 }, { socket_id: a.connection.socket_id });
      assert.deepEqual(await got, { x: 1 });
      await sleep(300);
      assert.deepEqual(seenByA, []);
    } finally { closePusher(a); closePusher(b); }
  });
});

describe('pusher-js reconnect after an oversize message (close 1009)', () => {
  let server;
  before(async () => { server = await startServer({ env: { WEBSOCKET_MAX_PAYLOAD_KB: '1' } }); });
  after(async () => { closeAllPushers(); await server.stop(); });

  it('after close 1009 pusher-js reconnects with a new socket_id', async () => {
    const pusher = createPusher(server);
    try {
      const first = await connected(pusher);
      pusher.send_event('client-big', { pad: 'x'.repeat(2048) }, 'private-none');
      await waitForState(pusher, 'connecting', 3000);
      await waitForState(pusher, 'connected', 6000);
      assert.notEqual(pusher.connection.socket_id, first);
    } finally { closePusher(pusher); }
  });
});
