'use strict';
// The HTTP API as backends use it: the official `pusher` Node SDK (checklist §18.9 SIG-02) with
// pusher-js subscribers observing delivery, socket_id exclusion and multi-channel triggers. Where
// the spec and the SDK disagree, the SDK's behaviour is what is asserted.
const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const http = require('node:http');
const {
  serverSdk, createPusher, connected, subscribe, once, waitForState, withTimeout, closeAllPushers,
} = require('../lib/pusher-clients');
const { startApiServer } = require('../lib/api-fixtures');

/** Records every `eventName` a pusher-js channel receives. */
function collect(channel, eventName) {
  const seen = [];
  channel.bind(eventName, (data) => seen.push(data));
  return seen;
}

/**
 * Triggers a marker on `channelName` and waits until each pusher-js channel got it; earlier
 * events on that channel have arrived by then.
 */
let markers = 0;
async function flush(sdk, channelName, channels) {
  markers += 1;
  const name = `sdk-marker-${markers}`;
  const waits = channels.map((ch) => once(ch, name, 3000));
  await sdk.trigger(channelName, name, {});
  await Promise.all(waits);
}

/** Resolves with the RequestError the SDK rejects with (fails if it resolves). */
async function sdkError(promise) {
  try {
    const res = await promise;
    assert.fail(`expected the SDK to reject, got status ${res.status}`);
  } catch (e) {
    if (e instanceof assert.AssertionError) throw e;
    return e;
  }
  return undefined;
}

describe('HTTP API through the pusher SDK with pusher-js subscribers', () => {
  let server;
  let sdk;
  before(async () => {
    server = await startApiServer();
    sdk = serverSdk(server);
  });
  after(async () => {
    closeAllPushers();
    await server.stop();
  });

  it('trigger: one channel → 200 {} and pusher-js receives the decoded data', async () => {
    const p = createPusher(server);
    await connected(p);
    const ch = await subscribe(p, 'sdk-one');
    const got = once(ch, 'greet');
    const res = await sdk.trigger('sdk-one', 'greet', { hello: 'world', n: [1, 2] });
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), {});
    assert.deepEqual(await got, { hello: 'world', n: [1, 2] });
    // A string payload stays a string on the wire; pusher-js hands back what it can parse.
    const text = once(ch, 'plain');
    await sdk.trigger('sdk-one', 'plain', 'just text');
    assert.equal(await text, 'just text');
  });

  it('trigger: several channels reach each subscriber once per channel it is on', async () => {
    const a = createPusher(server);
    const b = createPusher(server);
    await Promise.all([connected(a), connected(b)]);
    const a1 = await subscribe(a, 'sdk-multi-1');
    const a2 = await subscribe(a, 'sdk-multi-2');
    const b2 = await subscribe(b, 'sdk-multi-2');
    const b3 = await subscribe(b, 'sdk-multi-3');
    const seen = { a1: collect(a1, 'fan'), a2: collect(a2, 'fan'), b2: collect(b2, 'fan'), b3: collect(b3, 'fan') };
    const res = await sdk.trigger(['sdk-multi-1', 'sdk-multi-2', 'sdk-multi-3'], 'fan', { k: 1 });
    assert.equal(res.status, 200);
    await flush(sdk, 'sdk-multi-1', [a1]);
    await flush(sdk, 'sdk-multi-2', [a2, b2]);
    await flush(sdk, 'sdk-multi-3', [b3]);
    for (const [where, list] of Object.entries(seen)) assert.deepEqual(list, [{ k: 1 }], where);
  });

  it('trigger with socket_id: the pusher-js client with that id is skipped, on every channel', async () => {
    const a = createPusher(server);
    const b = createPusher(server);
    await Promise.all([connected(a), connected(b)]);
    const chans = ['sdk-excl-1', 'sdk-excl-2'];
    const aChannels = [await subscribe(a, chans[0]), await subscribe(a, chans[1])];
    const bChannels = [await subscribe(b, chans[0]), await subscribe(b, chans[1])];
    const seenA = aChannels.map((ch) => collect(ch, 'ex'));
    const seenB = bChannels.map((ch) => collect(ch, 'ex'));
    await sdk.trigger(chans, 'ex', { from: 'a' }, { socket_id: a.connection.socket_id });
    await flush(sdk, chans[0], [aChannels[0], bChannels[0]]);
    await flush(sdk, chans[1], [aChannels[1], bChannels[1]]);
    assert.deepEqual(seenA, [[], []], 'the sender is excluded');
    assert.deepEqual(seenB, [[{ from: 'a' }], [{ from: 'a' }]]);
  });

  it('trigger with info: per-channel counts in the response', async () => {
    const p = createPusher(server, { presence: { user_id: 'info-user', user_info: { name: 'I' } } });
    await connected(p);
    await subscribe(p, 'presence-sdk-info');
    await subscribe(p, 'sdk-info');
    const res = await sdk.trigger(['presence-sdk-info', 'sdk-info'], 'e', {}, { info: 'user_count,subscription_count' });
    assert.deepEqual(await res.json(), {
      channels: { 'presence-sdk-info': { user_count: 1, subscription_count: 1 }, 'sdk-info': { subscription_count: 1 } },
    });
  });

  it('authorizeChannel: pusher-js joins private and presence channels and receives triggers there', async () => {
    const p = createPusher(server, { presence: { user_id: 'auth-user', user_info: { role: 'tester' } } });
    await connected(p);
    const priv = await subscribe(p, 'private-sdk-auth');
    const pres = await subscribe(p, 'presence-sdk-auth');
    assert.equal(pres.members.count, 1);
    assert.deepEqual(pres.members.me, { id: 'auth-user', info: { role: 'tester' } });
    const gotPriv = once(priv, 'secret');
    const gotPres = once(pres, 'secret');
    await sdk.trigger(['private-sdk-auth', 'presence-sdk-auth'], 'secret', { s: 1 });
    assert.deepEqual(await gotPriv, { s: 1 });
    assert.deepEqual(await gotPres, { s: 1 });
    // The signature the SDK computes is the one the server checks: a wrong one is refused.
    const bad = createPusher(server, { channelAuth: () => ({ auth: `${server.key}:${'0'.repeat(64)}` }) });
    await connected(bad);
    await assert.rejects(subscribe(bad, 'private-sdk-auth'), /subscription_error/);
  });

  it('triggerBatch: delivered in order; {} without info, aligned {"batch":[...]} with info', async () => {
    const p = createPusher(server, { presence: { user_id: 'batch-user' } });
    await connected(p);
    const ch = await subscribe(p, 'sdk-batch');
    await subscribe(p, 'presence-sdk-batch');
    const order = [];
    for (let i = 0; i < 5; i += 1) ch.bind(`b${i}`, (d) => order.push(d.i));
    const res = await sdk.triggerBatch(Array.from({ length: 5 }, (_, i) => ({ channel: 'sdk-batch', name: `b${i}`, data: { i } })));
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), {});
    await flush(sdk, 'sdk-batch', [ch]);
    assert.deepEqual(order, [0, 1, 2, 3, 4]);
    const info = await sdk.triggerBatch([
      { channel: 'sdk-batch', name: 'x', data: {} },
      { channel: 'presence-sdk-batch', name: 'x', data: {}, info: 'user_count' },
      { channel: 'sdk-batch', name: 'x', data: {}, info: 'subscription_count' },
    ]);
    assert.deepEqual(await info.json(), { batch: [{}, { user_count: 1 }, { subscription_count: 1 }] });
  });

  it('get: /channels, /channels/{name} and /channels/{name}/users', async () => {
    const u1 = createPusher(server, { presence: { user_id: 'get-1' } });
    const u1b = createPusher(server, { presence: { user_id: 'get-1' } });
    const u2 = createPusher(server, { presence: { user_id: 'get-2' } });
    await Promise.all([connected(u1), connected(u1b), connected(u2)]);
    for (const p of [u1, u1b, u2]) await subscribe(p, 'presence-sdk-get');
    await subscribe(u1, 'sdk-get-public');

    const listed = await sdk.get({ path: '/channels', params: { filter_by_prefix: 'presence-sdk-get', info: 'user_count' } });
    assert.deepEqual(await listed.json(), { channels: { 'presence-sdk-get': { user_count: 2 } } });
    const all = await (await sdk.get({ path: '/channels' })).json();
    assert.deepEqual(all.channels['sdk-get-public'], {});
    const one = await sdk.get({ path: '/channels/presence-sdk-get', params: { info: 'user_count,subscription_count' } });
    assert.deepEqual(await one.json(), { occupied: true, user_count: 2, subscription_count: 3 });
    const users = await (await sdk.get({ path: '/channels/presence-sdk-get/users' })).json();
    assert.deepEqual(users.users.map((u) => u.id).sort(), ['get-1', 'get-2']);
    const empty = await sdk.get({ path: '/channels/sdk-get-nobody' });
    assert.deepEqual(await empty.json(), { occupied: false });
  });

  it('sendToUser: pusher-js user.bind receives it; another user does not', async () => {
    const target = createPusher(server, { user: { id: 'stu-target' } });
    const other = createPusher(server, { user: { id: 'stu-other' } });
    await Promise.all([connected(target), connected(other)]);
    const signedIn = (p) => withTimeout(new Promise((resolve) => {
      p.bind('pusher:signin_success', resolve);
    }), 3000, 'signin_success');
    const s1 = signedIn(target);
    const s2 = signedIn(other);
    target.signin();
    other.signin();
    await Promise.all([s1, s2]);
    // pusher-js subscribes to #server-to-user-{id} after sign-in; the server delivers to a
    // signed-in connection whether or not that subscription has been answered yet.
    const otherSeen = [];
    other.user.bind('notice', (d) => otherSeen.push(d));
    const got = once(target.user, 'notice', 3000);
    const res = await sdk.sendToUser('stu-target', 'notice', { text: 'hi' });
    assert.equal(res.status, 200);
    assert.deepEqual(await got, { text: 'hi' });
    const gotOwn = once(other.user, 'own', 3000);
    await sdk.sendToUser('stu-other', 'own', {});
    await gotOwn;
    assert.deepEqual(otherSeen, []);
  });

  it('terminateUserConnections: pusher-js is disconnected and does not reconnect', async () => {
    const victim = createPusher(server, { user: { id: 'sdk-term' } });
    const bystander = createPusher(server, { user: { id: 'sdk-stay' } });
    await Promise.all([connected(victim), connected(bystander)]);
    const signedIn = (p) => withTimeout(new Promise((resolve) => { p.bind('pusher:signin_success', resolve); }), 3000, 'signin');
    const s1 = signedIn(victim);
    const s2 = signedIn(bystander);
    victim.signin();
    bystander.signin();
    await Promise.all([s1, s2]);
    const res = await sdk.terminateUserConnections('sdk-term');
    assert.equal(res.status, 200);
    assert.deepEqual(await res.json(), {});
    await waitForState(victim, 'disconnected', 3000);
    // Reconnecting would pass through "connecting" first; it must not happen.
    await assert.rejects(waitForState(victim, 'connecting', 1500), /timed out/);
    assert.equal(bystander.connection.state, 'connected');
  });

  it('SDK errors: the status codes surface as RequestError.status with the JSON body', async () => {
    const tooBig = await sdkError(sdk.trigger('sdk-err', 'e', 'x'.repeat(101 * 1024)));
    assert.equal(tooBig.status, 413);
    assert.equal(typeof JSON.parse(tooBig.body).error, 'string');
    const reserved = await sdkError(sdk.trigger('sdk-err', 'pusher:nope', {}));
    assert.equal(reserved.status, 400);
    const wrongSecret = serverSdk(server, { secret: 'not-the-secret' });
    assert.equal((await sdkError(wrongSecret.trigger('sdk-err', 'e', {}))).status, 401);
    const disabled = serverSdk(server, { appId: 'off-id', key: 'off-key', secret: 'off-secret' });
    assert.equal((await sdkError(disabled.trigger('sdk-err', 'e', {}))).status, 403);
    const unknown = serverSdk(server, { appId: 'no-such-app' });
    assert.equal((await sdkError(unknown.trigger('sdk-err', 'e', {}))).status, 404);
    const badInfo = await sdkError(sdk.get({ path: '/channels', params: { info: 'user_count' } }));
    assert.equal(badInfo.status, 400);
  });

  it('the SDK over one keep-alive socket: 500 triggers reuse a single connection', async () => {
    const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });
    const sockets = new Set();
    const origCreate = agent.createConnection.bind(agent);
    agent.createConnection = (...args) => {
      const s = origCreate(...args);
      sockets.add(s);
      return s;
    };
    try {
      const PusherSdk = require('pusher');
      const ka = new PusherSdk({
        appId: server.appId, key: server.key, secret: server.secret, host: '127.0.0.1', port: String(server.port), useTLS: false, agent,
      });
      const p = createPusher(server);
      await connected(p);
      const ch = await subscribe(p, 'sdk-ka');
      let count = 0;
      ch.bind('tick', () => { count += 1; });
      for (let i = 0; i < 500; i += 1) {
        const res = await ka.trigger('sdk-ka', 'tick', { i });
        assert.equal(res.status, 200);
        await res.text();
      }
      await flush(sdk, 'sdk-ka', [ch]);
      assert.equal(count, 500);
      assert.equal(sockets.size, 1, 'every request went over one TCP connection');
    } finally {
      agent.destroy();
    }
  });
});
