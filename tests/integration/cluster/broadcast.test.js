'use strict';
// Publishes reach every node's subscribers exactly once, with the publisher's socket excluded
// on every node; apps and prefixes sharing a broker never see each other's events.
const { describe, it, before, after, afterEach } = require('node:test');
const assert = require('node:assert/strict');
const { ADAPTERS, bootCluster, clientOn, closeClients, count, isEvent } = require('./fixtures');
const { startCluster } = require('../lib/cluster');
const { rawJoin, serverSdk, configWithApps, defaultAppConfig, appConfig } = require('../lib/pusher-clients');

for (const adapter of ADAPTERS) {
  describe(`broadcast × ${adapter}`, () => {
    let cluster;
    const other = appConfig('other-app', { features: { enable_client_messages: true } });
    before(async () => { cluster = await bootCluster(adapter, 3, { apps: [other] }); });
    after(async () => { if (cluster) await cluster.close(); });
    afterEach(closeClients);

    it('an HTTP publish on node A reaches subscribers on B and C exactly once', async () => {
      const subs = [];
      for (const i of [0, 1, 2]) {
        const c = await clientOn(cluster.node(i));
        await rawJoin(c, 'orders');
        subs.push(c);
      }
      const sdk = serverSdk(cluster.node(0));
      await sdk.trigger('orders', 'order-created', { id: 1 });
      for (const c of subs) {
        const f = await c.next(isEvent('order-created', 'orders'), 5000);
        assert.deepEqual(JSON.parse(f.data), { id: 1 });
      }
      // Events from one node arrive in order: once the marker is in, a duplicate would be too.
      await sdk.trigger('orders', 'marker', {});
      for (const c of subs) {
        await c.next(isEvent('marker', 'orders'), 5000);
        assert.equal(count(c, isEvent('order-created', 'orders')), 1);
      }
    });

    it('the SDK socket_id is excluded on every node', async () => {
      const excluded = await clientOn(cluster.node(1));
      const receiver = await clientOn(cluster.node(2));
      await rawJoin(excluded, 'news');
      await rawJoin(receiver, 'news');
      const sdk = serverSdk(cluster.node(0));
      await sdk.trigger('news', 'headline', { n: 1 }, { socket_id: excluded.socketId });
      await receiver.next(isEvent('headline', 'news'), 5000);
      await sdk.trigger('news', 'marker', {});
      await excluded.next(isEvent('marker', 'news'), 5000);
      assert.equal(count(excluded, isEvent('headline', 'news')), 0);
    });

    it('a client event reaches the other nodes, never its sender', async () => {
      const sender = await clientOn(cluster.node(1));
      const peer = await clientOn(cluster.node(2));
      const third = await clientOn(cluster.node(0));
      for (const c of [sender, peer, third]) await rawJoin(c, 'private-chat');
      sender.send({ event: 'client-typing', channel: 'private-chat', data: { who: 'sender' } });
      for (const c of [peer, third]) {
        const f = await c.next(isEvent('client-typing', 'private-chat'), 5000);
        assert.deepEqual(typeof f.data === 'string' ? JSON.parse(f.data) : f.data, { who: 'sender' });
      }
      await serverSdk(cluster.node(1)).trigger('private-chat', 'marker', {});
      await sender.next(isEvent('marker', 'private-chat'), 5000);
      assert.equal(count(sender, isEvent('client-typing', 'private-chat')), 0);
    });

    it('apps sharing the cluster never receive each other\'s events', async () => {
      const app = { id: other.id, key: other.key, secret: other.secret };
      const listener = await clientOn(cluster.node(1), app);
      await rawJoin(listener, 'orders');
      await serverSdk(cluster.node(0)).trigger('orders', 'wrong-app', {});
      await serverSdk(cluster.node(0), { appId: app.id, key: app.key, secret: app.secret })
        .trigger('orders', 'right-app', {});
      await listener.next(isEvent('right-app', 'orders'), 5000);
      assert.equal(count(listener, isEvent('wrong-app', 'orders')), 0);
    });

    if (adapter !== 'local') {
      it('clusters with different prefixes on one broker never cross-talk', async () => {
        const config = configWithApps([defaultAppConfig()]);
        const island = await startCluster(adapter, cluster.broker, 1, { config });
        try {
          const listener = await clientOn(island.nodes[0]);
          await rawJoin(listener, 'orders');
          await serverSdk(cluster.node(0)).trigger('orders', 'other-prefix', {});
          await serverSdk(island.nodes[0]).trigger('orders', 'same-prefix', {});
          await listener.next(isEvent('same-prefix', 'orders'), 5000);
          // Give the other cluster's event the time a cross-node delivery takes.
          await serverSdk(cluster.node(1)).trigger('orders', 'other-prefix-2', {});
          await new Promise((r) => setTimeout(r, 300));
          assert.equal(count(listener, isEvent('other-prefix', 'orders')), 0);
          assert.equal(count(listener, isEvent('other-prefix-2', 'orders')), 0);
        } finally {
          closeClients();
          await island.stop();
        }
      });
    }
  });
}
