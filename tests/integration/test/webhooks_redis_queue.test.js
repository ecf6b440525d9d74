'use strict';
// Webhooks through the Redis job queue (queue.driver=redis, operations.md §4.2) with two nodes on
// one Redis: each job is delivered once by the cluster, signed with the app looked up at send time.
const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { startServer } = require('../lib/harness');
const { startReceiver } = require('../lib/webhook-receiver');
const { startRedis, findRedis } = require('../lib/redis-server');
const { rawApp, rawJoin, serverSdk, defaultAppConfig, configWithApps } = require('../lib/pusher-clients');

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

describe('webhooks with the redis queue', { skip: findRedis() ? false : 'redis-server is not installed' }, () => {
  let redis;
  let receiver;
  const servers = [];
  const clients = [];

  before(async () => {
    redis = await startRedis();
    receiver = await startReceiver();
    const app = defaultAppConfig();
    app.policy.webhooks = [{ url: receiver.url, event_types: ['channel_occupied', 'client_event'] }];
    const config = configWithApps([app], { webhooks: { batching: { enabled: false } } });
    for (let i = 0; i < 2; i++) {
      servers.push(await startServer({
        config,
        env: { QUEUE_DRIVER: 'redis', REDIS_URL: redis.url, QUEUE_REDIS_PREFIX: `it-${process.pid}:` },
      }));
    }
  });

  after(async () => {
    for (const c of clients) c.close();
    for (const s of servers) await s.stop();
    if (receiver) await receiver.close();
    if (redis) await redis.stop();
  });

  it('delivers each job once across the nodes, signed for the SDK', async () => {
    const channels = [];
    for (let i = 0; i < 6; i++) {
      const server = servers[i % 2];
      const c = await rawApp(server);
      clients.push(c);
      const channel = `queued-${i}`;
      channels.push(channel);
      await rawJoin(c, channel);
    }
    for (const channel of channels) {
      await receiver.waitForEvent({ name: 'channel_occupied', channel }, 5000);
    }
    await sleep(700);  // longer than a dispatcher's idle wait: a second copy would have come
    const occupied = receiver.events().filter((e) => e.name === 'channel_occupied').map((e) => e.channel);
    assert.deepEqual([...occupied].sort(), [...channels].sort(), 'every job exactly once');
    for (const s of servers) assert.match(s.output(), /webhook queue: using Redis list it-\d+:webhooks/);
    const sdk = serverSdk(servers[0]);
    for (const r of receiver.requests) {
      assert.ok(sdk.webhook({ headers: r.headers, rawBody: r.rawBody }).isValid(), r.rawBody);
    }
  });
});
