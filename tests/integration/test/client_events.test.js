'use strict';
// Client events (spec protocol-v1.md §2.3, §8; checklist §18.7 CE-*). CE-15 (Echo whisper) lives
// in laravel_echo.test.js.
const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { startServer } = require('../lib/harness');
const { rawApp, rawJoin, appConfig, configWithApps } = require('../lib/pusher-clients');

/** A rejected client event: pusher:error with channel and {code:4301, message} (§8.2). */
async function expectRejected(c, channel) {
  const err = await c.next('pusher:error', 2000);
  assert.equal(err.channel, channel, `pusher:error must carry the channel: ${JSON.stringify(err)}`);
  assert.equal(typeof err.data, 'object');
  assert.equal(err.data.code, 4301, JSON.stringify(err));
  assert.equal(typeof err.data.message, 'string');
  return err;
}

async function stillOpen(c) {
  c.send({ event: 'pusher:ping', data: {} });
  await c.next('pusher:pong', 2000);
  assert.equal(c.closed, null);
}

describe('client events (default app)', () => {
  let server;
  before(async () => { server = await startServer(); });
  after(async () => { await server.stop(); });

  it('CE-01: delivered to other subscribers in order, not echoed to the sender', async () => {
    const a = await rawApp(server);
    const b = await rawApp(server);
    const c = await rawApp(server);
    try {
      for (const x of [a, b, c]) await rawJoin(x, 'private-ce01');
      a.send({ event: 'client-ping', channel: 'private-ce01', data: { x: 1 } });
      const fb = await b.next('client-ping');
      assert.deepEqual(fb, { event: 'client-ping', channel: 'private-ce01', data: '{"x":1}' });
      const fc = await c.next('client-ping');
      assert.deepEqual(fc, fb);
      assert.ok(await a.nothing('client-ping', 400), 'the sender must not receive its own client event');
      for (let i = 0; i < 20; i += 1) a.send({ event: 'client-seq', channel: 'private-ce01', data: { i } });
      for (let i = 0; i < 20; i += 1) {
        const f = await b.next('client-seq');
        assert.equal(JSON.parse(f.data).i, i, 'events from one connection arrive in order');
      }
      assert.ok(await a.nothing('client-seq', 200));
    } finally { a.close(); b.close(); c.close(); }
  });

  it('CE-02: other sockets of the same user do receive it', async () => {
    const tab1 = await rawApp(server);
    const tab2 = await rawApp(server);
    const bob = await rawApp(server);
    try {
      await rawJoin(tab1, 'presence-ce02', { channelData: { user_id: 'alice' } });
      await rawJoin(tab2, 'presence-ce02', { channelData: { user_id: 'alice' } });
      await rawJoin(bob, 'presence-ce02', { channelData: { user_id: 'bob' } });
      tab1.send({ event: 'client-note', channel: 'presence-ce02', data: { n: 1 } });
      const f2 = await tab2.next('client-note');
      assert.equal(f2.user_id, 'alice');
      await bob.next('client-note');
      assert.ok(await tab1.nothing('client-note', 300), 'not echoed to the sending socket');
    } finally { tab1.close(); tab2.close(); bob.close(); }
  });

  it('CE-03: on presence channels the relayed frame carries user_id = the sender\'s presence id (never a client-supplied one)', async () => {
    const alice = await rawApp(server);
    const bob = await rawApp(server);
    try {
      await rawJoin(alice, 'presence-ce03', { channelData: { user_id: 'alice', user_info: { name: 'A' } } });
      await rawJoin(bob, 'presence-ce03', { channelData: { user_id: 'bob' } });
      alice.send({ event: 'client-typing', channel: 'presence-ce03', data: { typing: true }, user_id: 'mallory' });
      const f = await bob.next('client-typing');
      assert.deepEqual(f, { event: 'client-typing', channel: 'presence-ce03', data: '{"typing":true}', user_id: 'alice' });
      // private channels carry no user_id
      await rawJoin(alice, 'private-ce03');
      await rawJoin(bob, 'private-ce03');
      alice.send({ event: 'client-typing', channel: 'private-ce03', data: { typing: true }, user_id: 'mallory' });
      const g = await bob.next((x) => x.event === 'client-typing' && x.channel === 'private-ce03');
      assert.ok(!('user_id' in g), `no user_id on private channels: ${JSON.stringify(g)}`);
    } finally { alice.close(); bob.close(); }
  });

  it('CE-04: relayed data is a string (object → compact JSON text, string unchanged)', async () => {
    const a = await rawApp(server);
    const b = await rawApp(server);
    try {
      await rawJoin(a, 'private-ce04');
      await rawJoin(b, 'private-ce04');
      const cases = [
        ['{"event":"client-d","channel":"private-ce04","data":{ "a" : 1, "b" : [1, 2, {"c":null}] }}', '{"a":1,"b":[1,2,{"c":null}]}'],
        ['{"event":"client-d","channel":"private-ce04","data":"plain string"}', 'plain string'],
        ['{"event":"client-d","channel":"private-ce04","data":"{\\"already\\": \\"json\\"}"}', '{"already": "json"}'],
        ['{"event":"client-d","channel":"private-ce04","data":[1, "two"]}', '[1,"two"]'],
        ['{"event":"client-d","channel":"private-ce04","data":42}', '42'],
        ['{"event":"client-d","channel":"private-ce04","data":"caf\u00e9 \\u2713"}', 'caf\u00e9 \u2713'],
      ];
      for (const [wire, expected] of cases) {
        a.send(wire);
        const f = await b.next('client-d');
        assert.equal(typeof f.data, 'string', `data must be relayed as a string for ${wire}: ${JSON.stringify(f)}`);
        assert.equal(f.data, expected, wire);
      }
    } finally { a.close(); b.close(); }
  });

  it('CE-06: client events on a public channel are rejected', async () => {
    const a = await rawApp(server);
    const b = await rawApp(server);
    try {
      await rawJoin(a, 'ce06-public');
      await rawJoin(b, 'ce06-public');
      a.send({ event: 'client-x', channel: 'ce06-public', data: {} });
      await expectRejected(a, 'ce06-public');
      assert.ok(await b.nothing('client-x', 300), 'not delivered');
      await rawJoin(a, 'cache-ce06');
      await rawJoin(b, 'cache-ce06');
      a.send({ event: 'client-x', channel: 'cache-ce06', data: {} });
      await expectRejected(a, 'cache-ce06');
      assert.ok(await b.nothing('client-x', 300), 'not delivered');
      await stillOpen(a);
    } finally { a.close(); b.close(); }
  });

  it('CE-07: client events on a private-encrypted- channel are rejected', async () => {
    const a = await rawApp(server);
    const b = await rawApp(server);
    try {
      await rawJoin(a, 'private-encrypted-ce07');
      await rawJoin(b, 'private-encrypted-ce07');
      a.send({ event: 'client-x', channel: 'private-encrypted-ce07', data: { nonce: 'a', ciphertext: 'b' } });
      await expectRejected(a, 'private-encrypted-ce07');
      assert.ok(await b.nothing('client-x', 300), 'not delivered');
      await stillOpen(a);
    } finally { a.close(); b.close(); }
  });

  it('CE-08: private-cache- and presence-cache- channels allow client events', async () => {
    const a = await rawApp(server);
    const b = await rawApp(server);
    try {
      await rawJoin(a, 'private-cache-ce08');
      await rawJoin(b, 'private-cache-ce08');
      a.send({ event: 'client-x', channel: 'private-cache-ce08', data: { p: 1 } });
      assert.deepEqual(await b.next('client-x'), { event: 'client-x', channel: 'private-cache-ce08', data: '{"p":1}' });
      await rawJoin(a, 'presence-cache-ce08', { channelData: { user_id: 'a' } });
      await rawJoin(b, 'presence-cache-ce08', { channelData: { user_id: 'b' } });
      a.send({ event: 'client-y', channel: 'presence-cache-ce08', data: { p: 2 } });
      assert.deepEqual(await b.next('client-y'), { event: 'client-y', channel: 'presence-cache-ce08', data: '{"p":2}', user_id: 'a' });
      assert.ok(await a.nothing((f) => f.event === 'pusher:error', 200), `unexpected error: ${JSON.stringify(a.frames)}`);
    } finally { a.close(); b.close(); }
  });

  it('CE-09: a client event for a channel the sender is not subscribed to is rejected and not delivered', async () => {
    const a = await rawApp(server);
    const b = await rawApp(server);
    try {
      await rawJoin(b, 'private-ce09');
      a.send({ event: 'client-x', channel: 'private-ce09', data: {} });
      await expectRejected(a, 'private-ce09');
      assert.ok(await b.nothing('client-x', 300), 'not delivered');
      // a failed subscription does not count as subscribed
      a.send({ event: 'pusher:subscribe', data: { channel: 'private-ce09', auth: 'app-key:bad' } });
      await a.next('pusher:subscription_error');
      a.send({ event: 'client-x', channel: 'private-ce09', data: {} });
      await expectRejected(a, 'private-ce09');
      // after unsubscribing, either
      await rawJoin(a, 'private-ce09');
      a.send({ event: 'pusher:unsubscribe', data: { channel: 'private-ce09' } });
      a.send({ event: 'client-x', channel: 'private-ce09', data: {} });
      await expectRejected(a, 'private-ce09');
      assert.ok(await b.nothing('client-x', 300), 'not delivered');
      // no channel at all
      a.send({ event: 'client-x', data: {} });
      const err = await a.next('pusher:error', 2000);
      assert.equal(err.data.code, 4301, JSON.stringify(err));
    } finally { a.close(); b.close(); }
  });

  it('CE-10: an event name longer than 200 characters is rejected; 200 accepted', async () => {
    const a = await rawApp(server);
    const b = await rawApp(server);
    try {
      await rawJoin(a, 'private-ce10');
      await rawJoin(b, 'private-ce10');
      const long = `client-${'n'.repeat(194)}`;
      assert.equal(long.length, 201);
      a.send({ event: long, channel: 'private-ce10', data: {} });
      await expectRejected(a, 'private-ce10');
      assert.ok(await b.nothing(long, 300));
      const ok = `client-${'n'.repeat(193)}`;
      a.send({ event: ok, channel: 'private-ce10', data: {} });
      await b.next(ok, 2000);
    } finally { a.close(); b.close(); }
  });

  it('CE-13: client_event webhook payload', { skip: 'webhook delivery is covered by the webhooks suite' }, () => {});
  it('CE-14: client events reach subscribers on other nodes', { skip: 'needs two nodes sharing a cluster adapter (not available in this suite)' }, () => {});
});

describe('client events (app settings)', () => {
  let server;
  const noClient = appConfig('noclient', { features: { enable_client_messages: false } });
  const small = appConfig('small', { limits: { max_event_payload_in_kb: 1 }, features: { enable_client_messages: true } });
  const rate10 = appConfig('rate10', { limits: { max_client_events_per_second: 10 }, features: { enable_client_messages: true } });
  before(async () => { server = await startServer({ config: configWithApps([noClient, small, rate10]) }); });
  after(async () => { await server.stop(); });

  it('CE-05: client messages disabled for the app → pusher:error 4301, not delivered', async () => {
    const a = await rawApp(server, noClient);
    const b = await rawApp(server, noClient);
    try {
      await rawJoin(a, 'private-ce05');
      await rawJoin(b, 'private-ce05');
      a.send({ event: 'client-x', channel: 'private-ce05', data: {} });
      await expectRejected(a, 'private-ce05');
      assert.ok(await b.nothing('client-x', 300), 'not delivered');
      await stillOpen(a);
    } finally { a.close(); b.close(); }
  });

  it('CE-11: data larger than max_event_payload_in_kb is rejected; exactly the limit is accepted', async () => {
    const a = await rawApp(server, small);
    const b = await rawApp(server, small);
    try {
      await rawJoin(a, 'private-ce11');
      await rawJoin(b, 'private-ce11');
      a.send({ event: 'client-big', channel: 'private-ce11', data: 'x'.repeat(1025) });
      await expectRejected(a, 'private-ce11');
      assert.ok(await b.nothing('client-big', 300), 'oversize event must not be delivered');
      a.send({ event: 'client-fit', channel: 'private-ce11', data: 'x'.repeat(1024) });
      const f = await b.next('client-fit', 2000);
      assert.equal(f.data.length, 1024);
      // object data is measured by its compact JSON serialisation: {"p":"…"} = 8 + n bytes
      a.send({ event: 'client-obj', channel: 'private-ce11', data: { p: 'y'.repeat(1017) } });
      await expectRejected(a, 'private-ce11');
      a.send({ event: 'client-obj2', channel: 'private-ce11', data: { p: 'y'.repeat(1016) } });
      await b.next('client-obj2', 2000);
      await stillOpen(a);
    } finally { a.close(); b.close(); }
  });

  it('CE-12: the 11th event within one second (limit 10) → pusher:error 4301, connection open', async () => {
    const a = await rawApp(server, rate10);
    const b = await rawApp(server, rate10);
    try {
      await rawJoin(a, 'private-ce12');
      await rawJoin(b, 'private-ce12');
      for (let i = 0; i < 11; i += 1) a.send({ event: 'client-burst', channel: 'private-ce12', data: { i } });
      const err = await expectRejected(a, 'private-ce12');
      assert.ok(err);
      let delivered = 0;
      while (await b.next('client-burst', 400).then(() => true, () => false)) delivered += 1;
      assert.equal(delivered, 10, 'exactly the first 10 events are delivered');
      await stillOpen(a);
      // pings, subscribes and unsubscribes do not count; the next second accepts events again
      await new Promise((r) => setTimeout(r, 1100));
      a.send({ event: 'client-later', channel: 'private-ce12', data: {} });
      await b.next('client-later', 2000);
    } finally { a.close(); b.close(); }
  });
});
