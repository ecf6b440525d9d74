'use strict';
// Webhooks (protocol-v1 §12, operations.md §7): every request is validated with the `pusher`
// SDK's webhook() helper, exactly as a backend would.
const { describe, it, before, after, afterEach } = require('node:test');
const assert = require('node:assert/strict');
const { startServer } = require('../lib/harness');
const { startReceiver } = require('../lib/webhook-receiver');
const {
  rawApp, rawJoin, rawSubscribe, serverSdk, defaultAppConfig, configWithApps, closeAllPushers,
} = require('../lib/pusher-clients');

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const ALL_TYPES = ['channel_occupied', 'channel_vacated', 'member_added', 'member_removed', 'client_event', 'cache_miss'];

/** A config whose default app posts to the given endpoints. */
function hookConfig(endpoints, webhooks = {}) {
  const app = defaultAppConfig();
  app.policy.webhooks = endpoints;
  return configWithApps([app], { webhooks });
}

/** Asserts that every accepted request is valid for the SDK and returns its events. */
function assertValid(sdk, receiver) {
  for (const r of receiver.requests) {
    const hook = sdk.webhook({ headers: r.headers, rawBody: r.rawBody });
    assert.ok(hook.isValid(), `invalid webhook: ${JSON.stringify(r.headers)} ${r.rawBody}`);
    assert.equal(r.headers['content-type'], 'application/json');
    assert.equal(r.headers['x-pusher-key'], 'app-key');
    assert.equal(typeof r.body.time_ms, 'number');
  }
}

const clients = [];
async function client(server) {
  const c = await rawApp(server);
  clients.push(c);
  return c;
}

describe('webhooks', () => {
  let receiver;
  let server;
  afterEach(async () => {
    for (const c of clients.splice(0)) c.close();
    closeAllPushers();
    if (server) await server.stop();
    server = null;
    if (receiver) await receiver.close();
    receiver = null;
  });

  async function boot(endpointOverrides = {}, webhooks = {}, { respond, extraEndpoints = [] } = {}) {
    receiver = await startReceiver({ respond });
    const endpoint = { url: receiver.url, event_types: ALL_TYPES, ...endpointOverrides };
    server = await startServer({
      config: hookConfig([endpoint, ...extraEndpoints], { leave_delay_ms: 600, ...webhooks }),
    });
    return serverSdk(server);
  }

  it('channel_occupied and channel_vacated are sent once, signed for the SDK', async () => {
    const sdk = await boot();
    const a = await client(server);
    await rawJoin(a, 'orders');
    const occupied = await receiver.waitForEvent({ name: 'channel_occupied', channel: 'orders' });
    assert.deepEqual(occupied, { name: 'channel_occupied', channel: 'orders' });
    const b = await client(server);
    await rawJoin(b, 'orders');
    a.send({ event: 'pusher:unsubscribe', data: { channel: 'orders' } });
    b.close();
    const vacated = await receiver.waitForEvent({ name: 'channel_vacated', channel: 'orders' }, 5000);
    assert.deepEqual(vacated, { name: 'channel_vacated', channel: 'orders' });
    await sleep(300);
    const names = receiver.events().map((e) => e.name);
    assert.deepEqual(names, ['channel_occupied', 'channel_vacated']);
    assertValid(sdk, receiver);
    const parsed = sdk.webhook({ headers: receiver.requests[0].headers, rawBody: receiver.requests[0].rawBody });
    assert.deepEqual(parsed.getEvents(), [{ name: 'channel_occupied', channel: 'orders' }]);
  });

  it('leaving and coming back within the window produces no webhook at all', async () => {
    await boot({}, { leave_delay_ms: 1500 });
    const a = await client(server);
    await rawJoin(a, 'flappy');
    await receiver.waitForEvent({ name: 'channel_occupied', channel: 'flappy' });
    a.close();
    await sleep(200);
    const b = await client(server);
    await rawJoin(b, 'flappy');
    await sleep(2200);
    assert.deepEqual(receiver.events().map((e) => e.name), ['channel_occupied'],
      'a reconnect within the window must produce neither vacated nor a second occupied');
    b.close();
    await receiver.waitForEvent({ name: 'channel_vacated', channel: 'flappy' }, 5000);
  });

  it('the vacate delay defaults to about 3 seconds', async () => {
    receiver = await startReceiver();
    server = await startServer({ config: hookConfig([{ url: receiver.url, event_types: ALL_TYPES }]) });
    const a = await client(server);
    await rawJoin(a, 'slow');
    await receiver.waitForEvent({ name: 'channel_occupied', channel: 'slow' });
    const left = Date.now();
    a.close();
    await receiver.waitForEvent({ name: 'channel_vacated', channel: 'slow' }, 8000);
    const waited = Date.now() - left;
    assert.ok(waited >= 2800 && waited < 6000, `vacated after ${waited} ms`);
  });

  it('presence: member_added once per user across tabs, member_removed after the last tab', async () => {
    const sdk = await boot();
    const tab1 = await client(server);
    const tab2 = await client(server);
    const other = await client(server);
    await rawJoin(tab1, 'presence-room', { channelData: { user_id: 42, user_info: { name: 'A' } } });
    await rawJoin(tab2, 'presence-room', { channelData: { user_id: 42, user_info: { name: 'A' } } });
    await rawJoin(other, 'presence-room', { channelData: { user_id: 'bob' } });
    await receiver.waitFor(() => receiver.events().filter((e) => e.name === 'member_added').length >= 2, 5000, 'two member_added');
    const added = receiver.events().filter((e) => e.name === 'member_added');
    assert.deepEqual(added.map((e) => e.user_id).sort(), ['42', 'bob'], 'user ids are strings, each user once');
    tab1.close();
    await sleep(1200);
    assert.equal(receiver.events().filter((e) => e.name === 'member_removed').length, 0,
      'a user with another tab open is still a member');
    tab2.close();
    const removed = await receiver.waitForEvent({ name: 'member_removed', user_id: '42' }, 5000);
    assert.deepEqual(removed, { name: 'member_removed', channel: 'presence-room', user_id: '42' });
    assertValid(sdk, receiver);
  });

  it('client_event carries event, data, socket_id and user_id (presence only)', async () => {
    await boot();
    const a = await client(server);
    const b = await client(server);
    await rawJoin(a, 'presence-chat', { channelData: { user_id: 10 } });
    await rawJoin(b, 'presence-chat', { channelData: { user_id: 11 } });
    await rawJoin(a, 'private-doc');
    await rawJoin(b, 'private-doc');
    a.send({ event: 'client-typing', channel: 'presence-chat', data: { typing: true } });
    a.send({ event: 'client-cursor', channel: 'private-doc', data: 'x=1' });
    const typing = await receiver.waitForEvent({ name: 'client_event', event: 'client-typing' });
    assert.deepEqual(typing, {
      name: 'client_event', channel: 'presence-chat', event: 'client-typing',
      data: '{"typing":true}', socket_id: a.socketId, user_id: '10',
    });
    const cursor = await receiver.waitForEvent({ name: 'client_event', event: 'client-cursor' });
    assert.deepEqual(cursor, {
      name: 'client_event', channel: 'private-doc', event: 'client-cursor', data: 'x=1', socket_id: a.socketId,
    });
  });

  it('cache_miss is sent for an empty cache channel', async () => {
    await boot();
    const a = await client(server);
    await rawJoin(a, 'cache-prices');
    const miss = await receiver.waitForEvent({ name: 'cache_miss', channel: 'cache-prices' });
    assert.equal(miss.channel, 'cache-prices');
  });

  it('subscription_count is reported for non-presence channels when selected', async () => {
    await boot({ event_types: ['subscription_count'] });
    const a = await client(server);
    const b = await client(server);
    await rawJoin(a, 'counted');
    await rawJoin(b, 'counted');
    await receiver.waitForEvent({ name: 'subscription_count', channel: 'counted', subscription_count: 2 });
    b.close();
    await receiver.waitForEvent({ name: 'subscription_count', channel: 'counted', subscription_count: 1 });
    await rawJoin(a, 'presence-x', { channelData: { user_id: 'u' } });
    await sleep(300);
    assert.ok(!receiver.events().some((e) => e.channel === 'presence-x'), 'never for presence channels');
    assert.ok(receiver.events().every((e) => e.name === 'subscription_count'));
  });

  it('endpoints only receive their event types and channels, each with its own signature', async () => {
    const second = await startReceiver();
    try {
      const sdk = await boot({ event_types: ['channel_occupied'], filter: { channel_name_starts_with: 'private-' } }, {}, {
        extraEndpoints: [{ url: second.url, event_types: ['channel_occupied', 'channel_vacated'], filter: { channel_suffix: '-room' } }],
      });
      const a = await client(server);
      await rawJoin(a, 'private-orders');
      await rawJoin(a, 'lobby-room');
      await receiver.waitForEvent({ name: 'channel_occupied', channel: 'private-orders' });
      await second.waitForEvent({ name: 'channel_occupied', channel: 'lobby-room' });
      await sleep(300);
      assert.deepEqual(receiver.events().map((e) => e.channel), ['private-orders']);
      assert.deepEqual(second.events().map((e) => e.channel), ['lobby-room']);
      assertValid(sdk, receiver);
      assertValid(sdk, second);
    } finally {
      await second.close();
    }
  });

  it('custom headers are sent but never replace the signature headers', async () => {
    const sdk = await boot({ headers: { 'X-Custom': 'yes', 'X-Pusher-Signature': 'forged', 'Content-Type': 'text/plain' } });
    const a = await client(server);
    await rawJoin(a, 'headers');
    await receiver.waitForEvent({ name: 'channel_occupied', channel: 'headers' });
    const r = receiver.requests[0];
    assert.equal(r.headers['x-custom'], 'yes');
    assertValid(sdk, receiver);
  });

  it('batching puts events of one app produced within the window into one request', async () => {
    const sdk = await boot({}, { batching: { enabled: true, duration: 300, size: 100 } });
    const a = await client(server);
    for (const ch of ['b1', 'b2', 'b3', 'b4']) rawSubscribe(a, ch);
    await receiver.waitFor(() => receiver.events().length >= 4, 5000, 'four occupied events');
    assert.equal(receiver.requests.length, 1, `expected one request, got ${receiver.requests.length}`);
    assert.deepEqual(receiver.events().map((e) => e.channel).sort(), ['b1', 'b2', 'b3', 'b4']);
    assertValid(sdk, receiver);
  });

  it('batching respects the batch size', async () => {
    await boot({}, { batching: { enabled: true, duration: 300, size: 2 } });
    const a = await client(server);
    for (const ch of ['s1', 's2', 's3', 's4', 's5']) rawSubscribe(a, ch);
    await receiver.waitFor(() => receiver.events().length >= 5, 5000, 'five occupied events');
    assert.ok(receiver.requests.every((r) => r.body.events.length <= 2), 'no request above the batch size');
  });

  it('a receiver that fails the first attempts gets the webhook once it recovers, exactly once', async () => {
    const sdk = await boot({ event_types: ['channel_occupied'] }, { retry: { initial_backoff_ms: 100, max_backoff_ms: 400 } }, {
      respond: (_r, attempt) => (attempt <= 2 ? 503 : 200),
    });
    const a = await client(server);
    await rawJoin(a, 'flaky');
    await receiver.waitForEvent({ name: 'channel_occupied', channel: 'flaky' }, 5000);
    await sleep(600);
    assert.equal(receiver.requests.length, 3, 'two failures, then one delivery, then nothing more');
    assert.equal(receiver.events().length, 1);
    assert.equal(receiver.requests[0].rawBody, receiver.requests[2].rawBody, 'a retry resends the same signed body');
    assertValid(sdk, receiver);
  });

  it('a permanent failure (4xx) is not retried', async () => {
    await boot({ event_types: ['channel_occupied'] }, { retry: { initial_backoff_ms: 100 } }, { respond: () => 400 });
    const a = await client(server);
    await rawJoin(a, 'rejected');
    await receiver.waitFor((rs) => rs.length >= 1, 5000, 'first attempt');
    await sleep(700);
    assert.equal(receiver.requests.length, 1);
  });

  it('a receiver that never answers slows nothing else', async () => {
    await boot({ event_types: ['channel_occupied'] }, { request_timeout_ms: 500, retry: { enabled: false } }, { respond: () => 'hang' });
    const sdk = serverSdk(server);
    const subs = [];
    for (let i = 0; i < 30; i += 1) {
      const c = await client(server);
      await rawJoin(c, `hang-${i}`);
      subs.push(c);
    }
    const started = Date.now();
    const got = subs[0].next((f) => f.event === 'ping-through', 2000);
    await sdk.trigger('hang-0', 'ping-through', { ok: 1 });
    await got;
    assert.ok(Date.now() - started < 1000, 'publishing is not held up by webhook delivery');
    await receiver.waitFor((rs) => rs.length >= 20, 5000, 'deliveries attempted concurrently');
  });

  after(() => closeAllPushers());
});
