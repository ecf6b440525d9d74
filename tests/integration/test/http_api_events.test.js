'use strict';
// POST /apps/{id}/events and /batch_events (protocol-v1 §11.3, §11.4; checklist §18.10 API-01..
// API-15) with hand-signed requests and raw WebSocket subscribers. "Nothing delivered" is proven
// by publishing a marker afterwards on the same channel and checking what arrived before it.
const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { signed, request, signQuery } = require('../lib/signed-http');
const { rawApp, rawSignin } = require('../lib/pusher-clients');
const {
  startApiServer, assertApiError, flushChannel, received, subscriber,
} = require('../lib/api-fixtures');

const EVENTS = '/apps/app-id/events';
const BATCH = '/apps/app-id/batch_events';
// An app with small limits, to show the limits are the app's own and not constants.
const TIGHT = { id: 'tight-id', key: 'tight-key', secret: 'tight-secret' };
const TIGHT_LIMITS = {
  max_event_payload_in_kb: 10, max_event_batch_size: 3, max_event_channels_at_once: 5, max_event_name_length: 20,
};

describe('HTTP API publishing', () => {
  let server;
  const clients = [];
  before(async () => {
    server = await startApiServer({
      extraApps: [{ ...TIGHT, enabled: true, policy: { limits: TIGHT_LIMITS } }],
    });
  });
  after(async () => {
    for (const c of clients) c.close();
    await server.stop();
  });
  const sub = (channels, opts) => subscriber(server, clients, channels, opts);
  const publish = (body, opts = {}) => signed(server, 'POST', EVENTS, { body, ...opts });
  const publishTight = (body) => signed(server, 'POST', `/apps/${TIGHT.id}/events`, { body, key: TIGHT.key, secret: TIGHT.secret });
  const batch = (items, opts = {}) => signed(server, 'POST', BATCH, { body: { batch: items }, ...opts });

  describe('POST /events', () => {
    it('API-01: channel → 200 {} (JSON); subscribers get {event, channel, data} with data unchanged', async () => {
      const c = await sub(['api01']);
      const got = c.next((f) => f.event === 'api01-ev', 3000);
      const data = '{"a":1,"s":"caf\u00e9 \\"q\\"","n":null}';
      const res = await publish({ name: 'api01-ev', channel: 'api01', data });
      assert.equal(res.status, 200, res.body);
      assert.match(res.headers['content-type'], /^application\/json/);
      assert.deepEqual(res.json, {}, 'the SDKs expect a JSON object');
      assert.deepEqual(await got, { event: 'api01-ev', channel: 'api01', data });
    });

    it('API-02: a channels array delivers once per channel, duplicates collapsed', async () => {
      const c = await sub(['api02-a', 'api02-b']);
      const res = await publish({ name: 'multi', channels: ['api02-a', 'api02-b', 'api02-a', 'api02-a'], data: 'x' });
      assert.equal(res.status, 200, res.body);
      await flushChannel(server, 'api02-a', [c]);
      await flushChannel(server, 'api02-b', [c]);
      assert.equal(received(c, 'multi', 'api02-a').length, 1);
      assert.equal(received(c, 'multi', 'api02-b').length, 1);
    });

    it('channels wins over channel when both are present', async () => {
      const c = await sub(['api02-win', 'api02-lose']);
      assert.equal((await publish({ name: 'both', channels: ['api02-win'], channel: 'api02-lose', data: 'x' })).status, 200);
      await flushChannel(server, 'api02-win', [c]);
      await flushChannel(server, 'api02-lose', [c]);
      assert.equal(received(c, 'both', 'api02-win').length, 1);
      assert.equal(received(c, 'both', 'api02-lose').length, 0);
    });

    it('API-03: 100 channels accepted and delivered, 101 → 400 and nothing delivered', async () => {
      const c = await sub(['api03-0', 'api03-99']);
      const chans = (n) => Array.from({ length: n }, (_, i) => `api03-${i}`);
      assert.equal((await publish({ name: 'hundred', channels: chans(100), data: 'x' })).status, 200);
      assertApiError(await publish({ name: 'too-many', channels: chans(101), data: 'x' }), 400);
      await flushChannel(server, 'api03-0', [c]);
      await flushChannel(server, 'api03-99', [c]);
      assert.equal(received(c, 'hundred').length, 2);
      assert.equal(received(c, 'too-many').length, 0);
    });

    it('API-03: the channel limit is the app\'s own (max_event_channels_at_once)', async () => {
      const chans = (n) => Array.from({ length: n }, (_, i) => `t${i}`);
      assert.equal((await publishTight({ name: 'e', channels: chans(5), data: 'x' })).status, 200);
      assertApiError(await publishTight({ name: 'e', channels: chans(6), data: 'x' }), 400);
    });

    it('API-04: an event name of 201 chars → 400, 200 accepted; reserved pusher: names → 400', async () => {
      const c = await sub(['api04']);
      const long = 'n'.repeat(200);
      assert.equal((await publish({ name: long, channel: 'api04', data: 'x' })).status, 200);
      assertApiError(await publish({ name: `${long}n`, channel: 'api04', data: 'x' }), 400);
      for (const name of ['pusher:subscribe', 'pusher_internal:member_added']) {
        assertApiError(await publish({ name, channel: 'api04', data: 'x' }), 400);
      }
      await flushChannel(server, 'api04', [c]);
      assert.equal(received(c, long, 'api04').length, 1);
      assert.equal(received(c, `${long}n`).length + received(c, 'pusher:subscribe').length, 0);
      assertApiError(await publishTight({ name: 'n'.repeat(21), channel: 'c', data: 'x' }), 400);
      assert.equal((await publishTight({ name: 'n'.repeat(20), channel: 'c', data: 'x' })).status, 200);
    });

    it('API-05: data over the app\'s payload limit → 413, exactly at it → 200 (UTF-8 bytes)', async () => {
      const c = await sub(['api05'], { app: TIGHT });
      const limit = 10 * 1024;
      const atLimit = 'x'.repeat(limit);
      const gotIt = c.next((f) => f.event === 'at-limit', 3000);
      assert.equal((await publishTight({ name: 'at-limit', channel: 'api05', data: atLimit })).status, 200);
      assert.equal((await gotIt).data, atLimit);
      assertApiError(await publishTight({ name: 'over', channel: 'api05', data: `${atLimit}x` }), 413);
      // Two-byte characters: limit/2 of them is exactly the limit in bytes.
      const accents = '\u00e9'.repeat(limit / 2);
      assert.equal((await publishTight({ name: 'utf8', channel: 'api05', data: accents })).status, 200);
      assertApiError(await publishTight({ name: 'utf8-over', channel: 'api05', data: `${accents}x` }), 413);
      // Non-string data counts by its compact JSON text.
      assertApiError(await publishTight({ name: 'obj-over', channel: 'api05', data: { k: 'x'.repeat(limit) } }), 413);
      await flushChannel(server, 'api05', [c], { app: TIGHT });
      assert.deepEqual(c.allFrames.filter((f) => f.channel === 'api05' && !f.event.startsWith('marker') && !f.event.startsWith('pusher')).map((f) => f.event), ['at-limit', 'utf8']);
      // The default app (100 KB) takes what the tight app refuses.
      assert.equal((await publish({ name: 'e', channel: 'api05', data: `${atLimit}x` })).status, 200);
    });

    it('API-06: missing or invalid name, data or channels → 400; an empty data string is delivered', async () => {
      const c = await sub(['api06']);
      const bad = [
        { channel: 'api06', data: 'x' },
        { name: '', channel: 'api06', data: 'x' },
        { name: 42, channel: 'api06', data: 'x' },
        { name: 'e', channel: 'api06' },
        { name: 'e', data: 'x' },
        { name: 'e', channels: [], data: 'x' },
        { name: 'e', channels: 'api06', data: 'x' },
        { name: 'e', channels: ['api06', 7], data: 'x' },
        { name: 'e', channel: 7, data: 'x' },
        { name: 'e', channel: '', data: 'x' },
      ];
      for (const body of bad) assertApiError(await publish(body), 400, undefined, JSON.stringify(body));
      const got = c.next((f) => f.event === 'empty', 3000);
      assert.equal((await publish({ name: 'empty', channel: 'api06', data: '' })).status, 200);
      assert.deepEqual(await got, { event: 'empty', channel: 'api06', data: '' });
    });

    it('API-07: non-string data is delivered as compact JSON text', async () => {
      const c = await sub(['api07']);
      const cases = [[{ a: [1, 2], b: 'x' }, '{"a":[1,2],"b":"x"}'], [42, '42'], [true, 'true'], [[1, { z: null }], '[1,{"z":null}]']];
      for (const [i, [data, text]] of cases.entries()) {
        const got = c.next((f) => f.event === `obj-${i}`, 3000);
        assert.equal((await publish({ name: `obj-${i}`, channel: 'api07', data })).status, 200);
        assert.equal((await got).data, text);
      }
    });

    it('API-08: one invalid channel in the list → 400 and nothing delivered to the valid ones', async () => {
      const c = await sub(['api08']);
      const invalid = ['in valid', 'bad!', '#foo', '#server-to-user-', 'x'.repeat(201), 'caf\u00e9'];
      for (const name of invalid) {
        assertApiError(await publish({ name: 'bad', channels: ['api08', name], data: 'x' }), 400);
      }
      await flushChannel(server, 'api08', [c]);
      assert.equal(received(c, 'bad').length, 0);
      const longest = `a${'x'.repeat(199)}`;
      assert.equal((await publish({ name: 'ok', channels: [longest, 'private-a=b@c,d.e;f_g-h'], data: 'x' })).status, 200);
    });

    it('API-09: socket_id excludes exactly that connection, on every channel of the request', async () => {
      const a = await sub(['api09-1', 'api09-2']);
      const b = await sub(['api09-1', 'api09-2']);
      const res = await publish({ name: 'ex', channels: ['api09-1', 'api09-2'], data: 'x', socket_id: a.socketId });
      assert.equal(res.status, 200, res.body);
      await flushChannel(server, 'api09-1', [a, b]);
      await flushChannel(server, 'api09-2', [a, b]);
      assert.equal(received(a, 'ex').length, 0, 'the excluded socket got nothing');
      assert.equal(received(b, 'ex').length, 2);
      // A well-formed id of no connection excludes nobody.
      assert.equal((await publish({ name: 'none', channel: 'api09-1', data: 'x', socket_id: '1.1' })).status, 200);
      await flushChannel(server, 'api09-1', [a, b]);
      assert.equal(received(a, 'none').length, 1);
    });

    it('API-09: a malformed socket_id → 400 and nothing delivered', async () => {
      const c = await sub(['api09-bad']);
      for (const socketId of ['abc', '1234', '1.2.3', '.1', '1.', '-1.2', 12.34, '']) {
        assertApiError(await publish({ name: 'bad-sid', channel: 'api09-bad', data: 'x', socket_id: socketId }), 400);
      }
      await flushChannel(server, 'api09-bad', [c]);
      assert.equal(received(c, 'bad-sid').length, 0);
    });

    it('API-10: info returns per-channel counts; user_count only for presence ([TV-16] shape)', async () => {
      // Two sockets of one user plus another user on the presence channel, one socket on the public one.
      await sub(['presence-api10', 'api10'], { userId: 'alice' });
      await sub(['presence-api10'], { userId: 'alice' });
      await sub(['presence-api10'], { userId: 'bob' });
      const res = await publish({ name: 'e', channels: ['presence-api10', 'api10', 'api10-empty'], data: 'x', info: 'user_count,subscription_count' });
      assert.equal(res.status, 200, res.body);
      assert.deepEqual(res.json, {
        channels: {
          'presence-api10': { user_count: 2, subscription_count: 3 },
          api10: { subscription_count: 1 },
          'api10-empty': { subscription_count: 0 },
        },
      });
      const onlySubs = await publish({ name: 'e', channel: 'presence-api10', data: 'x', info: 'subscription_count' });
      assert.deepEqual(onlySubs.json, { channels: { 'presence-api10': { subscription_count: 3 } } });
      const onlyUsers = await publish({ name: 'e', channels: ['presence-api10', 'api10'], data: 'x', info: 'user_count' });
      assert.deepEqual(onlyUsers.json, { channels: { 'presence-api10': { user_count: 2 }, api10: {} } });
    });

    it('API-11: a Laravel-style event name App\\Events\\Foo is accepted and delivered unchanged', async () => {
      const c = await sub(['api11']);
      const name = 'App\\Events\\OrderShipped';
      const got = c.next((f) => f.event === name, 3000);
      const res = await publish({ name, channel: 'api11', data: '{"id":1}' });
      assert.equal(res.status, 200, res.body);
      assert.deepEqual(await got, { event: name, channel: 'api11', data: '{"id":1}' });
    });

    it('#server-to-user-{id} is accepted and reaches that user\'s signed-in sockets only', async () => {
      const u1 = await rawApp(server);
      const u2 = await rawApp(server);
      clients.push(u1, u2);
      rawSignin(u1, { id: 'stu-1' });
      rawSignin(u2, { id: 'stu-2' });
      await u1.next('pusher:signin_success', 3000);
      await u2.next('pusher:signin_success', 3000);
      const got = u1.next((f) => f.event === 'notify', 3000);
      const res = await publish({ name: 'notify', channels: ['#server-to-user-stu-1'], data: '{"n":1}' });
      assert.equal(res.status, 200, res.body);
      assert.deepEqual(res.json, {});
      assert.deepEqual(await got, { event: 'notify', channel: '#server-to-user-stu-1', data: '{"n":1}' });
      // Delivered to stu-2 only after stu-1's event would have been: nothing for stu-2.
      const got2 = u2.next((f) => f.event === 'notify-2', 3000);
      assert.equal((await publish({ name: 'notify-2', channel: '#server-to-user-stu-2', data: 'x' })).status, 200);
      await got2;
      assert.equal(received(u2, 'notify').length, 0);
      assert.equal(received(u1, 'notify').length, 1);
    });

    it('a body that is not JSON, or not an object → 400 with a message', async () => {
      for (const body of ['{"name": ', 'not json', '[]', '"str"', 'null', '42', '{"name":"e","channel":"c","data":"x"} trailing']) {
        assertApiError(await publish(body), 400);
      }
      assertApiError(await publish(`${'['.repeat(5000)}${']'.repeat(5000)}`), 400);
      assertApiError(await publish(`{"a":${'{"a":'.repeat(5000)}1${'}'.repeat(5000)}}`), 400);
      // An empty body is signed without body_md5 and still has to be an event.
      const empty = signQuery('POST', EVENTS);
      assertApiError(await request(server.port, 'POST', `${EVENTS}?${empty}`, { body: '' }), 400);
    });

    it('the body is parsed as JSON whatever the Content-Type', async () => {
      const c = await sub(['ctype']);
      for (const [i, contentType] of ['text/plain', 'application/x-www-form-urlencoded', 'application/json; charset=utf-8'].entries()) {
        const got = c.next((f) => f.event === `ct-${i}`, 3000);
        const res = await publish({ name: `ct-${i}`, channel: 'ctype', data: 'x' }, { headers: { 'Content-Type': contentType } });
        assert.equal(res.status, 200, `${contentType}: ${res.body}`);
        await got;
      }
    });
  });

  describe('POST /batch_events', () => {
    const item = (channel, name, data = 'x', extra = {}) => ({ channel, name, data, ...extra });

    it('API-12: 10 events accepted and delivered, 11 → 400 and none delivered', async () => {
      const c = await sub(['b12']);
      const ten = Array.from({ length: 10 }, (_, i) => item('b12', `ten-${i}`));
      const res = await batch(ten);
      assert.equal(res.status, 200, res.body);
      assert.deepEqual(res.json, {});
      const eleven = Array.from({ length: 11 }, (_, i) => item('b12', `eleven-${i}`));
      assertApiError(await batch(eleven), 400);
      await flushChannel(server, 'b12', [c]);
      assert.equal(c.allFrames.filter((f) => f.event.startsWith('ten-')).length, 10);
      assert.equal(c.allFrames.filter((f) => f.event.startsWith('eleven-')).length, 0);
    });

    it('API-12: the batch limit is the app\'s own (max_event_batch_size)', async () => {
      const path = `/apps/${TIGHT.id}/batch_events`;
      const opts = { key: TIGHT.key, secret: TIGHT.secret };
      assert.equal((await signed(server, 'POST', path, { body: { batch: [item('t', 'a'), item('t', 'b'), item('t', 'c')] }, ...opts })).status, 200);
      assertApiError(await signed(server, 'POST', path, { body: { batch: [item('t', 'a'), item('t', 'b'), item('t', 'c'), item('t', 'd')] }, ...opts }), 400);
    });

    it('API-13: each item is validated like /events; one bad item → error naming it, none delivered', async () => {
      const c = await sub(['b13']);
      const bad = [
        [item('b13', 'big', 'x'.repeat(100 * 1024 + 1)), 413],
        [{ channel: 'b13', data: 'x' }, 400],
        [{ channel: 'b13', name: 'e' }, 400],
        [{ name: 'e', data: 'x' }, 400],
        [item('bad channel', 'e'), 400],
        [item('b13', 'pusher:x'), 400],
        [item('b13', 'e', 'x', { socket_id: 'nope' }), 400],
        ['not an object', 400],
      ];
      for (const [badItem, status] of bad) {
        const res = await batch([item('b13', 'first'), badItem, item('b13', 'last')]);
        assertApiError(res, status);
        assert.match(res.json.error, /batch\[1\]/, `the error names the item: ${res.body}`);
      }
      await flushChannel(server, 'b13', [c]);
      assert.equal(received(c, 'first').length + received(c, 'last').length + received(c, 'big').length, 0);
    });

    it('a missing or malformed batch → 400', async () => {
      for (const body of [{}, { batch: 'x' }, { batch: { a: 1 } }, [], 'nope']) {
        assertApiError(await signed(server, 'POST', BATCH, { body: typeof body === 'string' ? body : JSON.stringify(body) }), 400);
      }
    });

    it('API-14: events are delivered in array order, per channel', async () => {
      const c = await sub(['b14-a', 'b14-b']);
      const items = Array.from({ length: 10 }, (_, i) => item(i % 2 ? 'b14-b' : 'b14-a', `o-${i}`, String(i)));
      assert.equal((await batch(items)).status, 200);
      await flushChannel(server, 'b14-a', [c]);
      await flushChannel(server, 'b14-b', [c]);
      const order = (ch) => c.allFrames.filter((f) => f.channel === ch && f.event.startsWith('o-')).map((f) => f.event);
      assert.deepEqual(order('b14-a'), ['o-0', 'o-2', 'o-4', 'o-6', 'o-8']);
      assert.deepEqual(order('b14-b'), ['o-1', 'o-3', 'o-5', 'o-7', 'o-9']);
    });

    it('API-14: socket_id applies per item', async () => {
      const a = await sub(['b14-sid']);
      const b = await sub(['b14-sid']);
      assert.equal((await batch([item('b14-sid', 'skip-a', 'x', { socket_id: a.socketId }), item('b14-sid', 'to-all')])).status, 200);
      await flushChannel(server, 'b14-sid', [a, b]);
      assert.deepEqual([received(a, 'skip-a').length, received(a, 'to-all').length], [0, 1]);
      assert.deepEqual([received(b, 'skip-a').length, received(b, 'to-all').length], [1, 1]);
    });

    it('API-15: {} without info; with info {"batch":[...]} aligned by index ([TV-14] shape)', async () => {
      await sub(['presence-b15'], { userId: 'b15-user' });
      await sub(['presence-b15', 'b15'], { userId: 'b15-user' });
      const plain = await batch([item('b15', 'e'), item('presence-b15', 'e')]);
      assert.equal(plain.status, 200, plain.body);
      assert.deepEqual(plain.json, {});
      const withInfo = await batch([
        item('b15', 'e'),
        item('presence-b15', 'e', 'x', { info: 'user_count' }),
        item('presence-b15', 'e', 'x', { info: 'user_count,subscription_count' }),
        item('b15', 'e', 'x', { info: 'subscription_count,user_count' }),
        item('b15-empty', 'e', 'x', { info: 'subscription_count' }),
      ]);
      assert.equal(withInfo.status, 200, withInfo.body);
      assert.deepEqual(withInfo.json, {
        batch: [{}, { user_count: 1 }, { user_count: 1, subscription_count: 2 }, { subscription_count: 1 }, { subscription_count: 0 }],
      });
    });

    it('a batch item may name a #server-to-user channel', async () => {
      const u = await rawApp(server);
      clients.push(u);
      rawSignin(u, { id: 'batch-user' });
      await u.next('pusher:signin_success', 3000);
      const got = u.next((f) => f.event === 'b-notify', 3000);
      assert.equal((await batch([item('#server-to-user-batch-user', 'b-notify', '{"k":1}')])).status, 200);
      assert.deepEqual(await got, { event: 'b-notify', channel: '#server-to-user-batch-user', data: '{"k":1}' });
    });
  });
});
