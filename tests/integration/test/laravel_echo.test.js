'use strict';
// Laravel Echo (broadcaster "pusher", driving a pusher-js client) against the server: public and
// private listen() with Laravel event names, whisper/listenForWhisper (CE-15), presence
// here/joining/leaving (PRE-14), the .error() callback on auth rejection (AUTH-08), toOthers via
// socketId(), and encrypted private channels.
const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { startServer } = require('../lib/harness');
const {
  createPusher, createEcho, connected, closePusher, closeAllPushers, serverSdk, withTimeout,
} = require('../lib/pusher-clients');

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const MASTER_KEY_B64 = Buffer.from('abcdefghijklmnopqrstuvwxyz012345').toString('base64');

/** Resolves with the first call of a callback registered by `register(cb)`. */
function firstCall(register, ms = 3000, what = 'callback') {
  return withTimeout(new Promise((resolve) => register((...args) => resolve(args))), ms, what);
}

describe('laravel-echo', () => {
  let server;
  let sdk;
  const echos = [];
  async function echoFor(opts = {}) {
    const pusher = createPusher(server, opts);
    const echo = await createEcho(pusher);
    echos.push(echo);
    await connected(pusher);
    return echo;
  }
  before(async () => {
    server = await startServer();
    sdk = serverSdk(server, { encryptionMasterKeyBase64: MASTER_KEY_B64 });
  });
  after(async () => {
    for (const e of echos) { try { e.disconnect(); } catch { /* ignore */ } }
    closeAllPushers();
    await server.stop();
  });

  it('Echo.channel().listen() receives a Laravel-namespaced event and a dot-prefixed one', async () => {
    const echo = await echoFor();
    const ch = echo.channel('orders');
    await firstCall((cb) => ch.subscribed(cb), 3000, 'subscribed');
    const shipped = firstCall((cb) => ch.listen('OrderShipped', cb), 3000, 'OrderShipped');
    const custom = firstCall((cb) => ch.listen('.order.created', cb), 3000, '.order.created');
    await sdk.trigger('orders', 'App\\Events\\OrderShipped', { id: 7 });
    await sdk.trigger('orders', 'order.created', { id: 8 });
    assert.deepEqual((await shipped)[0], { id: 7 });
    assert.deepEqual((await custom)[0], { id: 8 });
  });

  it('Echo.private().listen() authorises and receives events; toOthers via socketId() excludes the sender', async () => {
    const echo = await echoFor();
    const other = await echoFor();
    const mine = echo.private('App.Models.User.1');
    const theirs = other.private('App.Models.User.1');
    // Both callbacks are registered before awaiting: pusher-js does not replay a success that
    // happened before the callback was bound.
    await Promise.all([firstCall((cb) => mine.subscribed(cb)), firstCall((cb) => theirs.subscribed(cb))]);
    const seenByMe = [];
    mine.listen('.status', (d) => seenByMe.push(d));
    const got = firstCall((cb) => theirs.listen('.status', cb));
    await sdk.trigger('private-App.Models.User.1', 'status', { ok: true }, { socket_id: echo.socketId() });
    assert.deepEqual((await got)[0], { ok: true });
    await sleep(300);
    assert.deepEqual(seenByMe, [], 'toOthers: the excluded socket must not receive the event');
  });

  it('CE-15: whisper / listenForWhisper work on private and presence channels', async () => {
    const a = await echoFor({ presence: { user_id: 1, user_info: { name: 'Taylor' } } });
    const b = await echoFor({ presence: { user_id: 2, user_info: { name: 'Jeffrey' } } });
    const pa = a.private('chat.1');
    const pb = b.private('chat.1');
    // Register both callbacks before awaiting: a subscription that succeeds
    // before its callback is bound is not replayed by pusher-js.
    await Promise.all([firstCall((cb) => pa.subscribed(cb)), firstCall((cb) => pb.subscribed(cb))]);
    const heard = firstCall((cb) => pb.listenForWhisper('typing', cb), 3000, 'private whisper');
    pa.whisper('typing', { name: 'Taylor' });
    assert.deepEqual((await heard)[0], { name: 'Taylor' });

    const ja = a.join('room.1');
    const jb = b.join('room.1');
    await Promise.all([firstCall((cb) => ja.here(cb)), firstCall((cb) => jb.here(cb))]);
    const heard2 = firstCall((cb) => ja.listenForWhisper('typing', cb), 3000, 'presence whisper');
    const echoSelf = [];
    jb.listenForWhisper('typing', (d) => echoSelf.push(d));
    jb.whisper('typing', { name: 'Jeffrey' });
    const [data, meta] = await heard2;
    assert.deepEqual(data, { name: 'Jeffrey' });
    assert.equal(meta && meta.user_id, '2', 'numeric Laravel user ids arrive as strings');
    await sleep(200);
    assert.deepEqual(echoSelf, [], 'whispers are not echoed to the sender');
  });

  it('PRE-14 (Echo): join().here / joining / leaving fire with the members\' user_info (Laravel numeric ids)', async () => {
    const a = await echoFor({ presence: { user_id: 1, user_info: { id: 1, name: 'Taylor' } } });
    const here = firstCall((cb) => a.join('chat.42').here(cb), 3000, 'here');
    const [members] = await here;
    assert.deepEqual(members, [{ id: 1, name: 'Taylor' }]);
    const joining = firstCall((cb) => a.join('chat.42').joining(cb), 3000, 'joining');
    const leaving = firstCall((cb) => a.join('chat.42').leaving(cb), 5000, 'leaving');
    const b = await echoFor({ presence: { user_id: 2, user_info: { id: 2, name: 'Jeffrey' } } });
    const [bHere] = await firstCall((cb) => b.join('chat.42').here(cb), 3000, 'b here');
    assert.deepEqual(bHere.map((m) => m.name).sort(), ['Jeffrey', 'Taylor']);
    assert.deepEqual((await joining)[0], { id: 2, name: 'Jeffrey' });
    b.leave('chat.42');
    assert.deepEqual((await leaving)[0], { id: 2, name: 'Jeffrey' });
  });

  it('AUTH-08 (Echo): .error() fires when the server rejects the channel authorisation', async () => {
    const echo = await echoFor({ channelAuth: () => ({ auth: `app-key:${'f'.repeat(64)}` }) });
    const [err] = await firstCall((cb) => echo.private('forbidden').error(cb), 3000, 'error callback');
    assert.equal(err.type, 'AuthError');
    assert.equal(err.status, 401);
  });

  it('Echo.encryptedPrivate().listen() decrypts events published with an encryption master key', async () => {
    const echo = await echoFor({ encryptionMasterKeyBase64: MASTER_KEY_B64 });
    const ch = echo.encryptedPrivate('vault');
    await firstCall((cb) => ch.subscribed(cb));
    const got = firstCall((cb) => ch.listen('.secret', cb));
    await sdk.trigger('private-encrypted-vault', 'secret', { code: 1234 });
    assert.deepEqual((await got)[0], { code: 1234 });
  });
});
