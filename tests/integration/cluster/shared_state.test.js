'use strict';
// State shared through Redis (CACHE_DRIVER=redis, RATE_LIMITER_DRIVER=redis): cache channels
// replay on a node that never saw the publish, the cache_miss webhook is sent once by the
// cluster, and the per-IP limits count requests on every node together and fail closed while
// Redis is away.
const { describe, it, before, after, afterEach } = require('node:test');
const assert = require('node:assert/strict');
const { bootCluster, clientOn, closeClients, isEvent } = require('./fixtures');
const { startServer, waitFor } = require('../lib/harness');
const { health } = require('../lib/cluster');
const { startReceiver } = require('../lib/webhook-receiver');
const { signed, request } = require('../lib/signed-http');
const { connect } = require('../lib/ws-client');
const { rawJoin, serverSdk, defaultAppConfig, configWithApps } = require('../lib/pusher-clients');

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

describe('shared cache channels × redis', () => {
  let cluster;
  let receiver;
  let late;
  before(async () => {
    receiver = await startReceiver();
    const app = defaultAppConfig();
    app.policy.webhooks = [{ url: receiver.url, event_types: ['cache_miss'] }];
    cluster = await bootCluster('redis', 2, { config: configWithApps([app]), env: { CACHE_DRIVER: 'redis' } });
  });
  after(async () => {
    if (late) await late.stop();
    if (cluster) await cluster.close();
    if (receiver) await receiver.close();
  });
  afterEach(closeClients);

  it('a node that never saw the publish replays the cached event and reports it on the HTTP API', async () => {
    const sdk = serverSdk(cluster.node(0));
    assert.equal((await sdk.trigger('cache-late', 'update', { n: 1 })).status, 200);
    // A node of its own (local adapter): it can only know the event through the shared cache.
    late = await startServer({ env: { CACHE_DRIVER: 'redis', REDIS_URL: cluster.broker.env.REDIS_URL } });
    const c = await clientOn(late);
    await rawJoin(c, 'cache-late');
    const replayed = await c.next(isEvent('update', 'cache-late'), 5000);
    assert.deepEqual(JSON.parse(replayed.data), { n: 1 });
    const res = await serverSdk(late).get({ path: '/channels/cache-late', params: { info: 'cache' } });
    assert.equal(res.status, 200);
    const body = await res.json();
    assert.deepEqual(JSON.parse(body.cache.data), { n: 1 });
    assert.ok(body.cache.ttl > 3000 && body.cache.ttl <= 3600, `ttl ${body.cache.ttl}`);
  });

  it('the cache_miss webhook is sent once by the cluster', async () => {
    const a = await clientOn(cluster.node(0));
    const b = await clientOn(cluster.node(1));
    await Promise.all([rawJoin(a, 'cache-empty'), rawJoin(b, 'cache-empty')]);
    await a.next(isEvent('pusher:cache_miss', 'cache-empty'), 5000);
    await b.next(isEvent('pusher:cache_miss', 'cache-empty'), 5000);
    const misses = () => receiver.events().filter((e) => e.name === 'cache_miss' && e.channel === 'cache-empty');
    await receiver.waitFor(() => misses().length >= 1, 5000, 'cache_miss webhook');
    // Both nodes have decided by now; a second webhook would follow within the batching delay.
    await sleep(1000);
    assert.equal(misses().length, 1);
  });

  it('without Redis a node reports DEGRADED and keeps serving cache channels, then recovers', async () => {
    // `late` runs the local adapter: only its shared cache depends on Redis.
    assert.deepEqual(await health(late), { status: 200, state: 'OK' });
    await cluster.broker.stop();
    await waitFor(async () => (await health(late)).state === 'DEGRADED', 10000, '/up DEGRADED');
    assert.equal((await health(late)).status, 200);
    const c = await clientOn(late);
    await rawJoin(c, 'cache-while-down');
    await c.next(isEvent('pusher:cache_miss', 'cache-while-down'), 5000);
    await cluster.broker.start();
    await waitFor(async () => (await health(late)).state === 'OK', 20000, '/up OK');
  });
});

describe('shared rate limits × redis', () => {
  let cluster;
  before(async () => {
    cluster = await bootCluster('redis', 2, {
      env: {
        RATE_LIMITER_ENABLED: 'true', RATE_LIMITER_DRIVER: 'redis',
        RATE_LIMITER_API_MAX_REQUESTS: '3', RATE_LIMITER_API_WINDOW_SECONDS: '60', RATE_LIMITER_API_TRUST_HOPS: '1',
        RATE_LIMITER_WS_MAX_REQUESTS: '2', RATE_LIMITER_WS_WINDOW_SECONDS: '60', RATE_LIMITER_WS_TRUST_HOPS: '1',
      },
    });
  });
  after(async () => { if (cluster) await cluster.close(); });

  const from = (ip) => ({ headers: { 'X-Forwarded-For': ip } });
  const channels = (node, ip) => signed(node, 'GET', '/apps/app-id/channels', from(ip));
  const upgrade = (node, ip) => request(node.port, 'GET', '/app/app-key?protocol=7', {
    headers: {
      Connection: 'Upgrade', Upgrade: 'websocket', 'Sec-WebSocket-Version': '13',
      'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==', 'X-Forwarded-For': ip,
    },
  }).catch((e) => ({ status: 'error', error: e }));

  it('HTTP API requests count on every node together', async () => {
    const [a, b] = [cluster.node(0), cluster.node(1)];
    const answers = [await channels(a, '10.0.0.1'), await channels(b, '10.0.0.1'), await channels(a, '10.0.0.1')];
    assert.deepEqual(answers.map((r) => r.status), [200, 200, 200]);
    assert.deepEqual(answers.map((r) => r.headers['x-ratelimit-remaining']), ['2', '1', '0']);
    const limited = await channels(b, '10.0.0.1');
    assert.equal(limited.status, 429);
    assert.deepEqual(limited.json, { error: 'Too Many Requests', message: 'Rate limit exceeded. Please try again later.' });
    const reset = Number(limited.headers['retry-after']);
    assert.ok(reset >= 1 && reset <= 60, `retry-after ${reset}`);
    assert.equal((await channels(b, '10.0.0.9')).status, 200, 'another client has its own window');
  });

  it('WebSocket connects count on every node together and are refused before the upgrade', async () => {
    const [a, b] = [cluster.node(0), cluster.node(1)];
    const options = { headers: { 'X-Forwarded-For': '10.0.0.2' } };
    const first = await connect(a, undefined, options);
    await first.established();
    const second = await connect(b, undefined, options);
    await second.established();
    first.close();
    second.close();
    const third = await upgrade(a, '10.0.0.2');
    assert.equal(third.status, 429);
    assert.equal(third.json.error, 'Too Many Requests');
  });

  it('fails closed while Redis is away and recovers when it is back', async () => {
    const a = cluster.node(0);
    await cluster.broker.stop();
    await waitFor(async () => (await channels(a, '10.0.0.3')).status === 500, 10000, 'limiter unavailable');
    const refused = await channels(a, '10.0.0.3');
    assert.equal(refused.status, 500);
    assert.deepEqual(refused.json, { error: 'Internal Server Error', message: 'Rate limiter backend unavailable.' });
    assert.equal((await request(a.port, 'GET', '/up')).status, 200, 'probes are not rate limited');
    await cluster.broker.start();
    await waitFor(async () => (await channels(a, '10.0.0.4')).status === 200, 20000, 'limiter back');
  });
});
