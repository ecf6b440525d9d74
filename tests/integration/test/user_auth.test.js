'use strict';
// User authentication (pusher:signin), the authorised-connection timeout, server-to-user
// messages, terminate_connections and watchlist events (spec protocol-v1.md §3.7, §5.5, §6.4,
// §6.11, §7.5, §9; checklist §18.8 USR-*, WL-*).
const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { startServer } = require('../lib/harness');
const { userAuth } = require('../lib/auth');
const {
  rawApp, rawJoin, rawSubscribe, rawSignin, nextSucceeded, nextSubError, serverSdk,
  createPusher, connected, once, waitForState, closeAllPushers, appConfig, configWithApps,
} = require('../lib/pusher-clients');

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

async function signedIn(server, user, app) {
  const c = await rawApp(server, app);
  const ud = rawSignin(c, user);
  const f = await c.next('pusher:signin_success', 2000);
  assert.deepEqual(f, { event: 'pusher:signin_success', data: { user_data: ud } });
  return c;
}

async function expectSigninError(c) {
  const err = await c.next((f) => f.event === 'pusher:error' || f.event === 'pusher:signin_success', 2000);
  assert.equal(err.event, 'pusher:error', `expected a sign-in failure, got ${JSON.stringify(err)}`);
  assert.equal(typeof err.data, 'object');
  assert.equal(err.data.code, 4009, JSON.stringify(err));
  assert.equal(typeof err.data.message, 'string');
}

/** Decodes pusher_internal:watchlist_events (§6.11): no channel, data a string {"events":[...]}. */
function watchlistOf(frame) {
  assert.equal(frame.event, 'pusher_internal:watchlist_events');
  assert.ok(!('channel' in frame), `watchlist events carry no channel: ${JSON.stringify(frame)}`);
  assert.equal(typeof frame.data, 'string', `watchlist data should be a JSON string: ${JSON.stringify(frame)}`);
  const { events } = JSON.parse(frame.data);
  assert.ok(Array.isArray(events), frame.data);
  const byName = {};
  for (const e of events) {
    assert.ok(['online', 'offline'].includes(e.name), frame.data);
    assert.ok(Array.isArray(e.user_ids) && e.user_ids.length > 0, `empty elements must be omitted: ${frame.data}`);
    for (const id of e.user_ids) assert.equal(typeof id, 'string');
    byName[e.name] = [...(byName[e.name] || []), ...e.user_ids].sort();
  }
  return byName;
}

const WL = 'pusher_internal:watchlist_events';

describe('user authentication (default app)', () => {
  let server;
  let sdk;
  before(async () => {
    server = await startServer();
    sdk = serverSdk(server);
  });
  after(async () => { closeAllPushers(); await server.stop(); });

  it('USR-01: a valid sign-in → pusher:signin_success with object data echoing user_data', async () => {
    const c = await rawApp(server);
    try {
      const ud = '{"id":"12345"}';
      c.send({ event: 'pusher:signin', data: { auth: userAuth('app-key', 'app-secret', c.socketId, ud), user_data: ud } });
      const f = await c.next('pusher:signin_success', 2000);
      assert.deepEqual(f, { event: 'pusher:signin_success', data: { user_data: ud } });
      // TV-7 form: user_info + watchlist, unusual spacing kept byte-exact
      const d = await rawApp(server);
      try {
        const ud7 = '{"id":"12345", "user_info":{"name":"Ada"},"watchlist":["222","333"]}';
        d.send({ event: 'pusher:signin', data: { auth: userAuth('app-key', 'app-secret', d.socketId, ud7), user_data: ud7 } });
        assert.deepEqual(await d.next('pusher:signin_success', 2000), { event: 'pusher:signin_success', data: { user_data: ud7 } });
      } finally { d.close(); }
    } finally { c.close(); }
  });

  it('USR-03: bad signature, non-string id, missing id → pusher:error 4009; the connection stays open', async () => {
    const c = await rawApp(server);
    try {
      rawSignin(c, { id: 'usr03' }, { auth: 'app-key:deadbeef' });
      await expectSigninError(c);
      rawSignin(c, { id: 'usr03' }, { auth: userAuth('app-key', 'app-secret', '1234.1234', '{"id":"usr03"}') });
      await expectSigninError(c);
      for (const ud of ['{"id":12345}', '{"user_info":{}}', '{"id":""}', '{"id":null}', 'not json', '["id"]']) {
        rawSignin(c, ud);
        await expectSigninError(c);
      }
      assert.equal(c.closed, null);
      c.send({ event: 'pusher:ping', data: {} });
      await c.next('pusher:pong');
      rawSignin(c, { id: 'usr03' });
      await c.next('pusher:signin_success');
    } finally { c.close(); }
  });

  it('USR-04: a second sign-in with a different id is rejected; the same id is accepted', async () => {
    const c = await signedIn(server, { id: 'usr04' });
    try {
      rawSignin(c, { id: 'usr04-other' });
      await expectSigninError(c);
      const ud = rawSignin(c, { id: 'usr04', user_info: { v: 2 } });
      assert.deepEqual(await c.next('pusher:signin_success', 2000), { event: 'pusher:signin_success', data: { user_data: ud } });
      // still signed in as usr04: its server-to-user channel is allowed, the other one is not
      await rawJoin(c, '#server-to-user-usr04');
      rawSubscribe(c, '#server-to-user-usr04-other');
      const err = await nextSubError(c, '#server-to-user-usr04-other');
      assert.equal(err.body.type, 'AuthError');
    } finally { c.close(); }
  });

  it('USR-07: #server-to-user-{id} subscription is accepted only for the signed-in id', async () => {
    const anon = await rawApp(server);
    const one = await signedIn(server, { id: '1' });
    try {
      const f = await rawJoin(one, '#server-to-user-1');
      assert.deepEqual(f, { event: 'pusher_internal:subscription_succeeded', channel: '#server-to-user-1', data: '{}' });
      rawSubscribe(one, '#server-to-user-2');
      const e1 = await nextSubError(one, '#server-to-user-2');
      assert.equal(typeof e1.frame.data, 'string');
      assert.equal(e1.body.type, 'AuthError');
      assert.equal(e1.body.status, 401);
      rawSubscribe(anon, '#server-to-user-1');
      const e2 = await nextSubError(anon, '#server-to-user-1');
      assert.equal(e2.body.type, 'AuthError');
      assert.equal(e2.body.status, 401);
      // pusher-js style (auth "") and a forged private-style signature do not help either
      anon.send({ event: 'pusher:subscribe', data: { channel: '#server-to-user-1', auth: '' } });
      assert.equal((await nextSubError(anon, '#server-to-user-1')).body.status, 401);
    } finally { anon.close(); one.close(); }
  });

  it('USR-08: sendToUser reaches every socket of that user once (subscribed or not); pusher-js user.bind fires', async () => {
    const s1 = await signedIn(server, { id: 'u8' });
    const s2 = await signedIn(server, { id: 'u8' });
    const other = await signedIn(server, { id: 'u8-other' });
    const pusher = createPusher(server, { user: { id: 'u8' } });
    try {
      await rawJoin(s1, '#server-to-user-u8');
      await connected(pusher);
      pusher.signin();
      await waitForState(pusher, 'connected');
      // wait until pusher-js has subscribed to its #server-to-user channel
      const t0 = Date.now();
      while (!(pusher.user.serverToUserChannel && pusher.user.serverToUserChannel.subscribed) && Date.now() - t0 < 3000) await sleep(20);
      assert.ok(pusher.user.serverToUserChannel && pusher.user.serverToUserChannel.subscribed, 'pusher-js signed in and subscribed');
      const pjs = once(pusher.user, 'notify', 3000);
      await sdk.sendToUser('u8', 'notify', { n: 1 });
      const expected = { event: 'notify', channel: '#server-to-user-u8', data: '{"n":1}' };
      assert.deepEqual(await s1.next('notify', 3000), expected);
      assert.deepEqual(await s2.next('notify', 3000), expected);
      assert.deepEqual(await pjs, { n: 1 });
      assert.ok(await s1.nothing('notify', 300), 'delivered at most once per connection');
      assert.ok(await s2.nothing('notify', 50), 'delivered at most once per connection');
      assert.ok(await other.nothing('notify', 50), 'other users do not receive it');
    } finally { s1.close(); s2.close(); other.close(); pusher.disconnect(); }
  });

  it('USR-09: terminate_connections closes every signed-in socket of the user with 4009 (after the error frame); pusher-js does not reconnect', async () => {
    const s1 = await signedIn(server, { id: 'u9' });
    const s2 = await signedIn(server, { id: 'u9' });
    const other = await signedIn(server, { id: 'u9-other' });
    const pusher = createPusher(server, { user: { id: 'u9' } });
    try {
      await connected(pusher);
      pusher.signin();
      const t0 = Date.now();
      while (!(pusher.user.user_data) && Date.now() - t0 < 3000) await sleep(20);
      assert.ok(pusher.user.user_data, 'pusher-js signed in');
      await sdk.terminateUserConnections('u9');
      for (const c of [s1, s2]) {
        const closed = await c.waitClose(3000);
        const err = c.frames.find((f) => f.event === 'pusher:error');
        assert.ok(err, `pusher:error precedes the close: ${JSON.stringify(c.frames)}`);
        assert.equal(err.data.code, 4009);
        assert.equal(typeof err.data.message, 'string');
        assert.equal(closed.code, 4009);
      }
      await waitForState(pusher, 'disconnected', 3000).catch(() => waitForState(pusher, 'failed', 100));
      const socketsBefore = pusher.stateLog.filter((s) => s.current === 'connected').length;
      await sleep(1500);
      assert.ok(['disconnected', 'failed'].includes(pusher.connection.state), `pusher-js state ${pusher.connection.state}`);
      assert.equal(pusher.stateLog.filter((s) => s.current === 'connected').length, socketsBefore, 'pusher-js must not reconnect after 4009');
      other.send({ event: 'pusher:ping', data: {} });
      await other.next('pusher:pong');
      assert.equal(other.closed, null, 'other users are not affected');
    } finally { s1.close(); s2.close(); other.close(); pusher.disconnect(); }
  });

  it('USR-10: terminate_connections does not affect sockets that only used that id in presence channel_data', async () => {
    const presenceOnly = await rawApp(server);
    const signed = await signedIn(server, { id: 'u10' });
    try {
      await rawJoin(presenceOnly, 'presence-usr10', { channelData: { user_id: 'u10' } });
      await sdk.terminateUserConnections('u10');
      const closed = await signed.waitClose(3000);
      assert.equal(closed.code, 4009);
      await sleep(300);
      assert.equal(presenceOnly.closed, null, 'presence-only socket must stay open');
      presenceOnly.send({ event: 'pusher:ping', data: {} });
      await presenceOnly.next('pusher:pong');
      assert.ok(!presenceOnly.frames.some((f) => f.event === 'pusher:error'));
    } finally { presenceOnly.close(); signed.close(); }
  });
});

describe('authorised-connection timeout (USER_AUTHENTICATION_TIMEOUT=1)', () => {
  let server;
  before(async () => { server = await startServer({ env: { USER_AUTHENTICATION_TIMEOUT: '1' } }); });
  after(async () => { await server.stop(); });

  it('USR-05: neither signed in nor on a private/presence channel within the timeout → pusher:error 4009 + close 4009', async () => {
    const silent = await rawApp(server);
    const publicOnly = await rawApp(server);
    try {
      await rawJoin(publicOnly, 'usr05-public');
      rawSubscribe(publicOnly, 'private-usr05', { auth: 'app-key:bad' });
      await nextSubError(publicOnly, 'private-usr05');
      for (const c of [silent, publicOnly]) {
        const t0 = Date.now();
        const closed = await c.waitClose(4000);
        assert.equal(closed.code, 4009, `close code (reason ${closed.reason})`);
        const err = c.frames.find((f) => f.event === 'pusher:error');
        assert.ok(err, `pusher:error before the close: ${JSON.stringify(c.frames)}`);
        assert.equal(err.data.code, 4009);
        assert.ok(Date.now() - t0 < 4000);
      }
    } finally { silent.close(); publicOnly.close(); }
  });

  it('USR-06: a connection that signed in or subscribed to a private/presence channel in time is not closed', async () => {
    const priv = await rawApp(server);
    const pres = await rawApp(server);
    const signed = await rawApp(server);
    const encrypted = await rawApp(server);
    try {
      await rawJoin(priv, 'private-usr06');
      await rawJoin(pres, 'presence-usr06', { channelData: { user_id: 'p' } });
      rawSignin(signed, { id: 'usr06' });
      await signed.next('pusher:signin_success');
      await rawJoin(encrypted, 'private-encrypted-usr06');
      await sleep(2500);
      for (const c of [priv, pres, signed, encrypted]) {
        assert.equal(c.closed, null, `closed: ${JSON.stringify(c.closed)} frames ${JSON.stringify(c.frames)}`);
        c.send({ event: 'pusher:ping', data: {} });
        await c.next('pusher:pong');
      }
    } finally { priv.close(); pres.close(); signed.close(); encrypted.close(); }
  });
});

describe('user authentication and watchlist (app settings)', () => {
  let server;
  const noAuth = appConfig('noauth', { features: { enable_user_authentication: false, enable_client_messages: true } });
  const watch = appConfig('watch', { features: { enable_watchlist_events: true } });
  const noWatch = appConfig('nowatch', { features: { enable_watchlist_events: false } });
  before(async () => { server = await startServer({ config: configWithApps([noAuth, watch, noWatch]) }); });
  after(async () => { closeAllPushers(); await server.stop(); });

  it('USR-02: sign-in works with enable_user_authentication=false', async () => {
    const c = await rawApp(server, noAuth);
    try {
      const ud = rawSignin(c, { id: 'usr02', user_info: { name: 'N' } });
      assert.deepEqual(await c.next('pusher:signin_success', 2000), { event: 'pusher:signin_success', data: { user_data: ud } });
    } finally { c.close(); }
  });

  it('WL-01: sign-in with a watchlist → one watchlist_events message with online and offline lists', async () => {
    const online = await signedIn(server, { id: 'wl1-222' }, watch);
    const watcher = await rawApp(server, watch);
    try {
      rawSignin(watcher, { id: 'wl1-watcher', watchlist: ['wl1-222', 'wl1-333'] });
      await watcher.next('pusher:signin_success');
      const f = await watcher.next(WL, 3000);
      assert.deepEqual(watchlistOf(f), { online: ['wl1-222'], offline: ['wl1-333'] });
      assert.ok(await watcher.nothing(WL, 400), 'exactly one initial watchlist message');
      assert.ok(await online.nothing(WL, 50), 'the watched user gets nothing');
    } finally { online.close(); watcher.close(); }
  });

  it('WL-02: a watched user coming online → watchers get an online event with that id', async () => {
    const watcher = await rawApp(server, watch);
    let watched;
    try {
      rawSignin(watcher, { id: 'wl2-watcher', watchlist: ['wl2-444'] });
      await watcher.next('pusher:signin_success');
      assert.deepEqual(watchlistOf(await watcher.next(WL, 3000)), { offline: ['wl2-444'] });
      watched = await signedIn(server, { id: 'wl2-444' }, watch);
      const f = await watcher.next(WL, 5000);
      assert.deepEqual(watchlistOf(f), { online: ['wl2-444'] });
      // a second connection of an already-online user is not a transition
      const again = await signedIn(server, { id: 'wl2-444' }, watch);
      try { assert.ok(await watcher.nothing(WL, 500)); } finally { again.close(); }
    } finally { watcher.close(); if (watched) watched.close(); }
  });

  it('WL-03: a watched user\'s last connection closing → watchers get offline', async () => {
    const watched1 = await signedIn(server, { id: 'wl3-555' }, watch);
    const watched2 = await signedIn(server, { id: 'wl3-555' }, watch);
    const watcher = await rawApp(server, watch);
    try {
      rawSignin(watcher, { id: 'wl3-watcher', watchlist: ['wl3-555'] });
      await watcher.next('pusher:signin_success');
      assert.deepEqual(watchlistOf(await watcher.next(WL, 3000)), { online: ['wl3-555'] });
      watched1.close();
      assert.ok(await watcher.nothing(WL, 800), 'still online through the second connection');
      watched2.close();
      const f = await watcher.next(WL, 6000);
      assert.deepEqual(watchlistOf(f), { offline: ['wl3-555'] });
    } finally { watched1.close(); watched2.close(); watcher.close(); }
  });

  it('WL-04: a watchlist longer than 100 ids → sign-in succeeds plus pusher:error 4302', async () => {
    const c = await rawApp(server, watch);
    try {
      const ids = Array.from({ length: 101 }, (_, i) => `wl4-${i}`);
      const ud = rawSignin(c, { id: 'wl4-watcher', watchlist: ids });
      assert.deepEqual(await c.next('pusher:signin_success', 2000), { event: 'pusher:signin_success', data: { user_data: ud } });
      const err = await c.next('pusher:error', 2000);
      assert.equal(err.data.code, 4302, JSON.stringify(err));
      const wl = watchlistOf(await c.next(WL, 3000));
      assert.equal(wl.offline.length, 100, 'only the first 100 ids are accepted');
      assert.ok(!wl.offline.includes('wl4-100'));
      assert.equal(c.closed, null);
    } finally { c.close(); }
  });

  it('WL-05: pusher-js pusher.user.watchlist.bind("online") receives user_ids', async () => {
    const pusher = createPusher(server, { key: watch.key, secret: watch.secret, appId: watch.id, user: { id: 'wl5-watcher', watchlist: ['wl5-777'] } });
    let watched;
    try {
      await connected(pusher);
      const offline = once(pusher.user.watchlist, 'offline', 3000);
      pusher.signin();
      assert.deepEqual((await offline).user_ids, ['wl5-777']);
      const online = once(pusher.user.watchlist, 'online', 5000);
      watched = await signedIn(server, { id: 'wl5-777' }, watch);
      const ev = await online;
      assert.equal(ev.name, 'online');
      assert.deepEqual(ev.user_ids, ['wl5-777']);
    } finally { pusher.disconnect(); if (watched) watched.close(); }
  });

  it('WL-06: with the feature disabled no watchlist frames are sent', async () => {
    const watcher = await rawApp(server, noWatch);
    let watched;
    try {
      rawSignin(watcher, { id: 'wl6-watcher', watchlist: ['wl6-888'] });
      await watcher.next('pusher:signin_success');
      watched = await signedIn(server, { id: 'wl6-888' }, noWatch);
      watched.close();
      assert.ok(await watcher.nothing(WL, 1000), `unexpected: ${JSON.stringify(watcher.frames)}`);
      assert.ok(!watcher.allFrames.some((f) => f.event === 'online' || f.event === 'offline'), 'no Sockudo-style online/offline events either');
    } finally { watcher.close(); if (watched) watched.close(); }
  });
});
