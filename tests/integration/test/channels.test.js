'use strict';
// Channels and subscriptions (spec protocol-v1.md §4, §5.3–5.4, §6.6–6.7, §7.1, §7.7;
// checklist §18.3 SUB-*). SUB-11 (pusher-js) lives in pusher_js.test.js.
const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { startServer } = require('../lib/harness');
const {
  rawApp, rawJoin, rawSubscribe, nextSucceeded, nextSubError, serverSdk,
} = require('../lib/pusher-clients');

/** A subscription_error per §6.7/§7.7: channel set, data a JSON string {type, error, status}. */
function assertSubError({ frame, body }, channel, type, status) {
  assert.equal(frame.channel, channel);
  assert.equal(typeof frame.data, 'string', `subscription_error data must be a JSON string: ${JSON.stringify(frame)}`);
  assert.equal(body.type, type, JSON.stringify(frame));
  assert.equal(typeof body.error, 'string');
  assert.equal(body.status, status, JSON.stringify(frame));
}

async function stillOpen(c) {
  c.send({ event: 'pusher:ping', data: {} });
  await c.next('pusher:pong', 2000);
  assert.equal(c.closed, null);
}

describe('channels and subscriptions', () => {
  let server;
  let sdk;
  before(async () => {
    server = await startServer();
    sdk = serverSdk(server);
  });
  after(async () => { await server.stop(); });

  it('SUB-01: public subscribe → pusher_internal:subscription_succeeded with channel and data "{}"', async () => {
    const c = await rawApp(server);
    try {
      c.send({ event: 'pusher:subscribe', data: { channel: 'my-channel' } });
      const f = await nextSucceeded(c, 'my-channel');
      assert.deepEqual(f, { event: 'pusher_internal:subscription_succeeded', channel: 'my-channel', data: '{}' });
    } finally { c.close(); }
  });

  it('SUB-02: auth "" on a public channel is ignored (pusher-js frame)', async () => {
    const c = await rawApp(server);
    try {
      c.send('{"event":"pusher:subscribe","data":{"auth":"","channel":"sub02-channel"}}');
      const f = await nextSucceeded(c, 'sub02-channel');
      assert.equal(f.data, '{}');
      assert.ok(await c.nothing('pusher:subscription_error', 200));
    } finally { c.close(); }
  });

  it('SUB-03: re-subscribing answers success again and does not duplicate later deliveries', async () => {
    const c = await rawApp(server);
    try {
      await rawJoin(c, 'sub03-channel');
      rawSubscribe(c, 'sub03-channel');
      const again = await nextSucceeded(c, 'sub03-channel');
      assert.equal(again.data, '{}');
      await sdk.trigger('sub03-channel', 'ev', { n: 1 });
      const ev = await c.next('ev', 3000);
      assert.deepEqual(ev, { event: 'ev', channel: 'sub03-channel', data: '{"n":1}' });
      assert.ok(await c.nothing('ev', 500), 'event delivered twice after a double subscribe');
    } finally { c.close(); }
  });

  it('SUB-04: unsubscribe stops delivery and sends no response frame', async () => {
    const c = await rawApp(server);
    const witness = await rawApp(server);
    try {
      await rawJoin(c, 'sub04-channel');
      await rawJoin(witness, 'sub04-channel');
      c.send({ event: 'pusher:unsubscribe', data: { channel: 'sub04-channel' } });
      assert.ok(await c.nothing(() => true, 300), `unexpected response to unsubscribe: ${JSON.stringify(c.frames)}`);
      await sdk.trigger('sub04-channel', 'after-unsubscribe', 'x');
      await witness.next('after-unsubscribe', 3000);
      assert.ok(await c.nothing('after-unsubscribe', 400), 'delivered after unsubscribe');
    } finally { c.close(); witness.close(); }
  });

  it('SUB-05: unsubscribing from a never-subscribed channel is a silent no-op', async () => {
    // (The "no channel_vacated webhook" half of this row needs a webhook receiver; webhooks are
    // covered by their own suite.)
    const c = await rawApp(server);
    try {
      c.send({ event: 'pusher:unsubscribe', data: { channel: 'sub05-never' } });
      c.send({ event: 'pusher:unsubscribe', data: { channel: 'presence-sub05-never' } });
      assert.ok(await c.nothing(() => true, 300), `unexpected frame: ${JSON.stringify(c.frames)}`);
      await stillOpen(c);
    } finally { c.close(); }
  });

  it('SUB-06: invalid characters in a channel name → subscription_error InvalidChannel 4009, connection open', async () => {
    const c = await rawApp(server);
    try {
      for (const name of ['bad channel!', 'a/b', 'caf\u00e9', 'tab\tname', 'quote"d']) {
        rawSubscribe(c, name);
        assertSubError(await nextSubError(c, name), name, 'InvalidChannel', 4009);
      }
      // an empty name is invalid too
      rawSubscribe(c, '');
      assertSubError(await nextSubError(c, ''), '', 'InvalidChannel', 4009);
      await stillOpen(c);
      // all allowed punctuation: _ - = @ , . ;
      await rawJoin(c, 'Ok_-=@,.;09az');
    } finally { c.close(); }
  });

  it('SUB-07: a 201-character name → LimitReached 4009; 200 characters accepted', async () => {
    const c = await rawApp(server);
    try {
      const long = `p${'x'.repeat(200)}`;
      assert.equal(long.length, 201);
      rawSubscribe(c, long);
      assertSubError(await nextSubError(c, long), long, 'LimitReached', 4009);
      const ok = 'x'.repeat(200);
      const f = await rawJoin(c, ok);
      assert.equal(f.data, '{}');
      // the limit counts the prefix too
      const priv = `private-${'y'.repeat(193)}`;
      assert.equal(priv.length, 201);
      rawSubscribe(c, priv);
      assertSubError(await nextSubError(c, priv), priv, 'LimitReached', 4009);
      await rawJoin(c, `private-${'y'.repeat(192)}`);
    } finally { c.close(); }
  });

  it('SUB-08: a client cannot subscribe to "#foo"', async () => {
    const c = await rawApp(server);
    try {
      for (const name of ['#foo', 'a#b', '#private-x']) {
        rawSubscribe(c, name);
        assertSubError(await nextSubError(c, name), name, 'InvalidChannel', 4009);
        assert.ok(await c.nothing((f) => f.event === 'pusher_internal:subscription_succeeded' && f.channel === name, 100));
      }
      await stillOpen(c);
    } finally { c.close(); }
  });

  it('SUB-09: classification uses anchored prefixes (my-cache-x is not cache; presence-cache-x is presence + cache)', async () => {
    const c = await rawApp(server);
    try {
      const plain = await rawJoin(c, 'my-cache-x');
      assert.equal(plain.data, '{}');
      assert.ok(await c.nothing('pusher:cache_miss', 400), 'my-cache-x must not be treated as a cache channel');

      const pres = await rawJoin(c, 'presence-cache-x', { channelData: { user_id: 'sub09', user_info: { a: 1 } } });
      assert.equal(typeof pres.data, 'string');
      const p = JSON.parse(pres.data).presence;
      assert.ok(p, `presence-cache-x success must carry presence data: ${pres.data}`);
      assert.deepEqual(p.ids, ['sub09']);
      assert.deepEqual(p.hash, { sub09: { a: 1 } });
      assert.equal(p.count, 1);
      const miss = await c.next('pusher:cache_miss', 2000);
      assert.equal(miss.channel, 'presence-cache-x');

      // private-cache- is private (needs auth) and cache
      rawSubscribe(c, 'private-cache-x', { auth: '' });
      assertSubError(await nextSubError(c, 'private-cache-x'), 'private-cache-x', 'AuthError', 401);
      await rawJoin(c, 'private-cache-x');
      assert.equal((await c.next('pusher:cache_miss', 2000)).channel, 'private-cache-x');
      // cache- prefix on a public channel
      await rawJoin(c, 'cache-sub09');
      assert.equal((await c.next('pusher:cache_miss', 2000)).channel, 'cache-sub09');
      // "private-" inside the name is not a prefix
      const pub = await rawJoin(c, 'x-private-y');
      assert.equal(pub.data, '{}');
    } finally { c.close(); }
  });

  it('SUB-10: subscribe data sent as a JSON string is accepted', async () => {
    const c = await rawApp(server);
    try {
      c.send('{"event":"pusher:subscribe","data":"{\\"channel\\":\\"sub10-channel\\"}"}');
      const f = await nextSucceeded(c, 'sub10-channel');
      assert.equal(f.data, '{}');
    } finally { c.close(); }
  });
});
