'use strict';
// Presence channels (spec protocol-v1.md §6.6, §6.8, §7.3; checklist §18.5 PRE-*), including
// one user with two tabs (§15.3). PRE-14 (pusher-js / Echo) lives in pusher_js.test.js and
// laravel_echo.test.js.
const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { startServer } = require('../lib/harness');
const { channelAuth } = require('../lib/auth');
const {
  rawApp, rawJoin, rawSubscribe, rawSignin, nextSucceeded, nextSubError,
  appConfig, configWithApps,
} = require('../lib/pusher-clients');

/** Decodes a presence subscription_succeeded frame; asserts the wire shape of §6.6. */
function presenceOf(frame) {
  assert.equal(frame.event, 'pusher_internal:subscription_succeeded');
  assert.equal(typeof frame.data, 'string', `presence success data must be a JSON string: ${JSON.stringify(frame)}`);
  const { presence } = JSON.parse(frame.data);
  assert.ok(presence, `missing presence object: ${frame.data}`);
  assert.ok(Array.isArray(presence.ids));
  for (const id of presence.ids) assert.equal(typeof id, 'string', `ids must be strings: ${frame.data}`);
  assert.equal(new Set(presence.ids).size, presence.ids.length, `ids must be unique: ${frame.data}`);
  assert.equal(presence.count, presence.ids.length, `count must equal ids.length: ${frame.data}`);
  assert.deepEqual(Object.keys(presence.hash).sort(), [...presence.ids].sort(), `hash keys must equal ids: ${frame.data}`);
  return presence;
}

/** Decodes a member_added / member_removed frame (data is a JSON string, §6.8). */
function memberOf(frame) {
  assert.equal(typeof frame.data, 'string', `member event data must be a JSON string: ${JSON.stringify(frame)}`);
  assert.deepEqual(Object.keys(frame).sort(), ['channel', 'data', 'event']);
  const m = JSON.parse(frame.data);
  assert.equal(typeof m.user_id, 'string', `user_id must be a string: ${frame.data}`);
  return m;
}

const added = (channel) => (f) => f.event === 'pusher_internal:member_added' && f.channel === channel;
const removed = (channel) => (f) => f.event === 'pusher_internal:member_removed' && f.channel === channel;

function assertSubError(res, channel, type, status) {
  assert.equal(res.frame.channel, channel);
  assert.equal(typeof res.frame.data, 'string', JSON.stringify(res.frame));
  assert.equal(res.body.type, type, JSON.stringify(res.frame));
  assert.equal(res.body.status, status, JSON.stringify(res.frame));
}

describe('presence channels', () => {
  let server;
  before(async () => { server = await startServer(); });
  after(async () => { await server.stop(); });

  it('PRE-01: presence success data is a string with presence.ids (strings), hash and count including self', async () => {
    const c = await rawApp(server);
    try {
      const cd = '{"user_id":"alice","user_info":{"name":"Alice"}}';
      const f = await rawJoin(c, 'presence-room', { channelData: cd });
      assert.deepEqual(Object.keys(f).sort(), ['channel', 'data', 'event']);
      assert.equal(f.channel, 'presence-room');
      assert.deepEqual(JSON.parse(f.data), { presence: { ids: ['alice'], hash: { alice: { name: 'Alice' } }, count: 1 } });
      presenceOf(f);
    } finally { c.close(); }
  });

  it('PRE-02: the channel_data signature covers the exact received string (spacing and key order kept)', async () => {
    const c = await rawApp(server);
    try {
      const cd = '{ "user_info" : { "z": 1,  "a" : [1, 2] } ,\n "user_id":"pre02" }';
      const f = await rawJoin(c, 'presence-pre02', { channelData: cd });
      const p = presenceOf(f);
      assert.deepEqual(p.ids, ['pre02']);
      assert.deepEqual(p.hash.pre02, { z: 1, a: [1, 2] });
      // the same data re-serialised compactly no longer matches the signature made over `cd`
      const c2 = await rawApp(server);
      try {
        const auth = channelAuth('app-key', 'app-secret', c2.socketId, 'presence-pre02', cd);
        c2.send({ event: 'pusher:subscribe', data: { channel: 'presence-pre02', auth, channel_data: JSON.stringify(JSON.parse(cd)) } });
        const err = await nextSubError(c2, 'presence-pre02');
        assertSubError(err, 'presence-pre02', 'AuthError', 401);
      } finally { c2.close(); }
    } finally { c.close(); }
  });

  it('PRE-03: a numeric user_id is accepted and surfaced as the string "10" everywhere', async () => {
    const observer = await rawApp(server);
    const numeric = await rawApp(server);
    try {
      await rawJoin(observer, 'presence-pre03', { channelData: { user_id: 'observer' } });
      const f = await rawJoin(numeric, 'presence-pre03', { channelData: '{"user_id":10,"user_info":{"name":"Mr. Channels"}}' });
      const p = presenceOf(f);
      assert.deepEqual([...p.ids].sort(), ['10', 'observer']);
      assert.deepEqual(p.hash['10'], { name: 'Mr. Channels' });
      const m = memberOf(await observer.next(added('presence-pre03')));
      assert.deepEqual(m, { user_id: '10', user_info: { name: 'Mr. Channels' } });
      // client events from that member carry user_id "10"
      numeric.send({ event: 'client-hello', channel: 'presence-pre03', data: {} });
      const ev = await observer.next('client-hello');
      assert.equal(ev.user_id, '10');
      numeric.send({ event: 'pusher:unsubscribe', data: { channel: 'presence-pre03' } });
      assert.deepEqual(memberOf(await observer.next(removed('presence-pre03'))), { user_id: '10' });
    } finally { observer.close(); numeric.close(); }
  });

  it('PRE-04: a second user joining → the first receives member_added (string data); the joiner gets none for itself', async () => {
    const alice = await rawApp(server);
    const bob = await rawApp(server);
    try {
      await rawJoin(alice, 'presence-pre04', { channelData: { user_id: 'alice', user_info: { name: 'Alice' } } });
      const f = await rawJoin(bob, 'presence-pre04', { channelData: { user_id: 'bob', user_info: { name: 'Bob' } } });
      const p = presenceOf(f);
      assert.deepEqual([...p.ids].sort(), ['alice', 'bob']);
      assert.deepEqual(p.hash, { alice: { name: 'Alice' }, bob: { name: 'Bob' } });
      const m = await alice.next(added('presence-pre04'));
      assert.deepEqual(memberOf(m), { user_id: 'bob', user_info: { name: 'Bob' } });
      assert.ok(await bob.nothing(added('presence-pre04'), 300), 'the joiner must not receive member_added');
      assert.ok(await alice.nothing(added('presence-pre04'), 100), 'member_added sent once');
    } finally { alice.close(); bob.close(); }
  });

  it('PRE-05: the same user on a second socket → no member_added to others; member list shows the user once', async () => {
    const bob = await rawApp(server);
    const tab1 = await rawApp(server);
    const tab2 = await rawApp(server);
    try {
      await rawJoin(bob, 'presence-pre05', { channelData: { user_id: 'bob' } });
      await rawJoin(tab1, 'presence-pre05', { channelData: { user_id: 'alice', user_info: { tab: 1 } } });
      await bob.next(added('presence-pre05'));
      const f = await rawJoin(tab2, 'presence-pre05', { channelData: { user_id: 'alice', user_info: { tab: 2 } } });
      const p = presenceOf(f);
      assert.deepEqual([...p.ids].sort(), ['alice', 'bob']);
      assert.equal(p.count, 2);
      assert.deepEqual(p.hash.alice, { tab: 1 }, 'user_info of the first socket is kept');
      assert.ok(await bob.nothing(added('presence-pre05'), 400), 'second tab of the same user must not produce member_added');
      assert.ok(await tab1.nothing(added('presence-pre05'), 50), 'no member_added for its own user');
      // a third observer sees alice once
      const late = await rawApp(server);
      try {
        const lp = presenceOf(await rawJoin(late, 'presence-pre05', { channelData: { user_id: 'late' } }));
        assert.deepEqual([...lp.ids].sort(), ['alice', 'bob', 'late']);
      } finally { late.close(); }
    } finally { bob.close(); tab1.close(); tab2.close(); }
  });

  it('PRE-06: leaving while another socket of the same user remains → no member_removed', async () => {
    const bob = await rawApp(server);
    const tab1 = await rawApp(server);
    const tab2 = await rawApp(server);
    try {
      await rawJoin(bob, 'presence-pre06', { channelData: { user_id: 'bob' } });
      await rawJoin(tab1, 'presence-pre06', { channelData: { user_id: 'alice' } });
      await rawJoin(tab2, 'presence-pre06', { channelData: { user_id: 'alice' } });
      await bob.next(added('presence-pre06'));
      tab1.send({ event: 'pusher:unsubscribe', data: { channel: 'presence-pre06' } });
      assert.ok(await bob.nothing(removed('presence-pre06'), 400), 'unsubscribe of one tab must not remove the member');
      tab2.close();
      const m = memberOf(await bob.next(removed('presence-pre06'), 2000));
      assert.deepEqual(m, { user_id: 'alice' });
      // the user is gone from the member list
      const late = await rawApp(server);
      try {
        const lp = presenceOf(await rawJoin(late, 'presence-pre06', { channelData: { user_id: 'late' } }));
        assert.deepEqual([...lp.ids].sort(), ['bob', 'late']);
      } finally { late.close(); }
    } finally { bob.close(); tab1.close(); tab2.close(); }
  });

  it('PRE-07: the last socket of a user leaving (close or unsubscribe) → others get member_removed immediately', async () => {
    const bob = await rawApp(server);
    const tab1 = await rawApp(server);
    const tab2 = await rawApp(server);
    const carol = await rawApp(server);
    try {
      await rawJoin(bob, 'presence-pre07', { channelData: { user_id: 'bob' } });
      await rawJoin(tab1, 'presence-pre07', { channelData: { user_id: 'alice' } });
      await rawJoin(tab2, 'presence-pre07', { channelData: { user_id: 'alice' } });
      await rawJoin(carol, 'presence-pre07', { channelData: { user_id: 'carol' } });
      await bob.next(added('presence-pre07'));
      await bob.next(added('presence-pre07'));
      tab1.close();
      assert.ok(await bob.nothing(removed('presence-pre07'), 300), 'one of two tabs closing must not remove the member');
      const t0 = Date.now();
      tab2.close();
      const m = memberOf(await bob.next(removed('presence-pre07'), 1500));
      assert.deepEqual(m, { user_id: 'alice' });
      assert.ok(Date.now() - t0 < 1500, 'member_removed is not delayed');
      assert.ok(await bob.nothing(removed('presence-pre07'), 300), 'member_removed sent once');
      carol.send({ event: 'pusher:unsubscribe', data: { channel: 'presence-pre07' } });
      assert.deepEqual(memberOf(await bob.next(removed('presence-pre07'), 1500)), { user_id: 'carol' });
      assert.ok(await carol.nothing((f) => removed('presence-pre07')(f) && JSON.parse(f.data).user_id === 'carol', 200), 'the leaver gets no member_removed for itself');
    } finally { bob.close(); tab1.close(); tab2.close(); carol.close(); }
  });

  it('PRE-08: absent (or null) user_info becomes {} in hash and member_added', async () => {
    const a = await rawApp(server);
    const b = await rawApp(server);
    const c = await rawApp(server);
    try {
      const pa = presenceOf(await rawJoin(a, 'presence-pre08', { channelData: '{"user_id":"u"}' }));
      assert.deepEqual(pa.hash, { u: {} });
      const pb = presenceOf(await rawJoin(b, 'presence-pre08', { channelData: '{"user_id":"v","user_info":null}' }));
      assert.deepEqual(pb.hash, { u: {}, v: {} });
      assert.deepEqual(memberOf(await a.next(added('presence-pre08'))), { user_id: 'v', user_info: {} });
      await rawJoin(c, 'presence-pre08', { channelData: '{"user_id":"w"}' });
      assert.deepEqual(memberOf(await a.next(added('presence-pre08'))), { user_id: 'w', user_info: {} });
    } finally { a.close(); b.close(); c.close(); }
  });

  it('PRE-11: a user_id longer than 128 characters → LimitReached 4009; 128 accepted', async () => {
    const c = await rawApp(server);
    try {
      const long = 'u'.repeat(129);
      rawSubscribe(c, 'presence-pre11', { channelData: { user_id: long } });
      assertSubError(await nextSubError(c, 'presence-pre11'), 'presence-pre11', 'LimitReached', 4009);
      const ok = 'u'.repeat(128);
      const p = presenceOf(await rawJoin(c, 'presence-pre11', { channelData: { user_id: ok } }));
      assert.deepEqual(p.ids, [ok]);
    } finally { c.close(); }
  });

  it('PRE-12: missing channel_data while not signed in → AuthError, no crash; invalid user_id types too', async () => {
    const c = await rawApp(server);
    try {
      // correct socket:channel signature, but no channel_data and not signed in
      rawSubscribe(c, 'presence-pre12');
      assertSubError(await nextSubError(c, 'presence-pre12'), 'presence-pre12', 'AuthError', 401);
      for (const cd of ['not json', '[]', '{"user_info":{}}', '{"user_id":null}', '{"user_id":true}', '{"user_id":{"a":1}}', '{"user_id":""}', '{"user_id":[1]}']) {
        rawSubscribe(c, 'presence-pre12', { channelData: cd });
        const err = await nextSubError(c, 'presence-pre12');
        assertSubError(err, 'presence-pre12', 'AuthError', 401);
      }
      c.send({ event: 'pusher:ping', data: {} });
      await c.next('pusher:pong');
      assert.equal(c.closed, null);
      await rawJoin(c, 'presence-pre12', { channelData: { user_id: 'finally' } });
    } finally { c.close(); }
  });

  it('PRE-13: a signed-in user subscribes without channel_data (socket:channel signature) → member is the signed-in id/user_info', async () => {
    const observer = await rawApp(server);
    const c = await rawApp(server);
    try {
      await rawJoin(observer, 'presence-pre13', { channelData: { user_id: 'observer' } });
      rawSignin(c, { id: 'pre13-user', user_info: { name: 'Signed In' } });
      await c.next('pusher:signin_success');
      const f = await rawJoin(c, 'presence-pre13');
      const p = presenceOf(f);
      assert.deepEqual([...p.ids].sort(), ['observer', 'pre13-user']);
      assert.deepEqual(p.hash['pre13-user'], { name: 'Signed In' });
      assert.deepEqual(memberOf(await observer.next(added('presence-pre13'))), { user_id: 'pre13-user', user_info: { name: 'Signed In' } });
      // a signed-in user without user_info becomes {}
      const d = await rawApp(server);
      try {
        rawSignin(d, { id: 'pre13-bare' });
        await d.next('pusher:signin_success');
        const pd = presenceOf(await rawJoin(d, 'presence-pre13'));
        assert.deepEqual(pd.hash['pre13-bare'], {});
      } finally { d.close(); }
    } finally { observer.close(); c.close(); }
  });

  it('PRE-15: the member list is cluster-wide', { skip: 'needs two nodes sharing a cluster adapter (not available in this suite)' }, () => {});
});

describe('presence limits', () => {
  let server;
  const limited = appConfig('limited', { limits: { max_presence_members_per_channel: 2, max_presence_member_size_in_kb: 1 } });
  const defaults = appConfig('defaults', {});
  before(async () => { server = await startServer({ config: configWithApps([limited, defaults]) }); });
  after(async () => { await server.stop(); });

  it('PRE-09: member limit → LimitReached 4100 for a new user; an extra socket of an existing member is accepted at the limit', async () => {
    const cs = [];
    try {
      for (let i = 0; i < 5; i += 1) cs.push(await rawApp(server, limited));
      await rawJoin(cs[0], 'presence-pre09', { channelData: { user_id: 'm1' } });
      await rawJoin(cs[1], 'presence-pre09', { channelData: { user_id: 'm2' } });
      rawSubscribe(cs[2], 'presence-pre09', { channelData: { user_id: 'm3' } });
      assertSubError(await nextSubError(cs[2], 'presence-pre09'), 'presence-pre09', 'LimitReached', 4100);
      assert.equal(memberOf(await cs[0].next(added('presence-pre09'))).user_id, 'm2');
      assert.ok(await cs[0].nothing(added('presence-pre09'), 200), 'a refused user must not be announced');
      const p = presenceOf(await rawJoin(cs[3], 'presence-pre09', { channelData: { user_id: 'm1' } }));
      assert.deepEqual([...p.ids].sort(), ['m1', 'm2']);
      assert.equal(cs[2].closed, null, 'a refused subscription keeps the connection');
      // once a member leaves, a new user fits again
      cs[1].close();
      await cs[0].next(removed('presence-pre09'), 2000);
      await rawJoin(cs[4], 'presence-pre09', { channelData: { user_id: 'm3' } });
    } finally { for (const c of cs) c.close(); }
  });

  it('PRE-10: user_info larger than the limit → LimitReached 4301; exactly limit×1024 bytes accepted', async () => {
    const c = await rawApp(server, limited);
    try {
      const info = (bytes) => ({ p: 'x'.repeat(bytes - 8) }); // {"p":"…"} is 8 bytes + payload
      assert.equal(Buffer.byteLength(JSON.stringify(info(1024))), 1024);
      rawSubscribe(c, 'presence-pre10', { channelData: { user_id: 'big', user_info: info(1025) } });
      assertSubError(await nextSubError(c, 'presence-pre10'), 'presence-pre10', 'LimitReached', 4301);
      const p = presenceOf(await rawJoin(c, 'presence-pre10', { channelData: { user_id: 'fits', user_info: info(1024) } }));
      assert.deepEqual(p.ids, ['fits']);
      // multi-byte characters count as UTF-8 bytes: 342 × "é" (2 bytes) + 8 = 692 bytes, fine;
      // 600 × "é" = 1208 bytes, over the limit although only 608 characters
      const d = await rawApp(server, limited);
      try {
        rawSubscribe(d, 'presence-pre10-utf8', { channelData: { user_id: 'wide', user_info: { p: '\u00e9'.repeat(600) } } });
        assertSubError(await nextSubError(d, 'presence-pre10-utf8'), 'presence-pre10-utf8', 'LimitReached', 4301);
      } finally { d.close(); }
      // an app without explicit limits gets the 2 KB default
      const e = await rawApp(server, defaults);
      try {
        rawSubscribe(e, 'presence-pre10-default', { channelData: { user_id: 'big', user_info: info(2049) } });
        assertSubError(await nextSubError(e, 'presence-pre10-default'), 'presence-pre10-default', 'LimitReached', 4301);
        await rawJoin(e, 'presence-pre10-default', { channelData: { user_id: 'fits', user_info: info(2048) } });
      } finally { e.close(); }
    } finally { c.close(); }
  });
});
