'use strict';
// The HTTP API answers for the whole cluster whichever node it asks: channel lists and counts
// summed over nodes, presence users de-duplicated, terminate_connections on every node.
const { describe, it, before, after, afterEach } = require('node:test');
const assert = require('node:assert/strict');
const { ADAPTERS, bootCluster, clientOn, closeClients } = require('./fixtures');
const { rawJoin, rawSignin, serverSdk } = require('../lib/pusher-clients');
const { httpGet } = require('../lib/harness');

const cd = (id) => ({ user_id: id, user_info: { name: id } });
async function getJson(sdk, path, params = {}) {
  const res = await sdk.get({ path, params });
  assert.equal(res.status, 200);
  return { body: await res.json(), partial: res.headers.get('x-sockudo-partial') };
}

for (const adapter of ADAPTERS) {
  describe(`http api × ${adapter}`, () => {
    let cluster;
    before(async () => { cluster = await bootCluster(adapter, 3); });
    after(async () => { if (cluster) await cluster.close(); });
    afterEach(closeClients);

    it('channel lists, counts and users aggregate every node', async () => {
      for (const [i, channel] of [[0, 'orders'], [1, 'orders'], [1, 'orders'], [2, 'news']]) {
        await rawJoin(await clientOn(cluster.node(i)), channel);
      }
      for (const [i, user] of [[0, 'alice'], [1, 'alice'], [2, 'bob']]) {
        await rawJoin(await clientOn(cluster.node(i)), 'presence-lobby', { channelData: cd(user) });
      }
      for (const i of [0, 1, 2]) {  // every node gives the same answer
        const sdk = serverSdk(cluster.node(i));
        const all = await getJson(sdk, '/channels', { info: 'subscription_count' });
        assert.equal(all.partial, null);
        assert.deepEqual(all.body.channels.orders, { subscription_count: 3 });
        assert.deepEqual(all.body.channels.news, { subscription_count: 1 });
        assert.deepEqual(all.body.channels['presence-lobby'], { subscription_count: 3 });
        const presence = await getJson(sdk, '/channels', { filter_by_prefix: 'presence-', info: 'user_count' });
        assert.deepEqual(presence.body.channels, { 'presence-lobby': { user_count: 2 } });
        const one = await getJson(sdk, '/channels/orders', { info: 'subscription_count' });
        assert.deepEqual(one.body, { occupied: true, subscription_count: 3 });
        const lobby = await getJson(sdk, '/channels/presence-lobby', { info: 'user_count,subscription_count' });
        assert.deepEqual(lobby.body, { occupied: true, user_count: 2, subscription_count: 3 });
        const users = await getJson(sdk, '/channels/presence-lobby/users');
        assert.deepEqual(users.body.users.map((u) => u.id).sort(), ['alice', 'bob']);
        const empty = await getJson(sdk, '/channels/nobody-here', { info: 'subscription_count' });
        assert.deepEqual(empty.body, { occupied: false, subscription_count: 0 });
      }
      // info on publish counts every node's subscribers too.
      const res = await serverSdk(cluster.node(2)).trigger('orders', 'e', {}, { info: 'subscription_count' });
      assert.deepEqual(await res.json(), { channels: { orders: { subscription_count: 3 } } });
      if (adapter !== 'local') {
        const metrics = (await httpGet(cluster.node(2).metricsPort, '/metrics')).body;
        const value = (name) => Number((metrics.match(new RegExp(`^sockudo_${name}\\{[^}]*\\} (\\S+)$`, 'm')) || [])[1]);
        assert.ok(value('horizontal_adapter_resolved_promises') >= 7, metrics);
        assert.equal(value('horizontal_adapter_uncomplete_promises'), 0);
        assert.equal(value('horizontal_adapter_connected'), 1);
      }
    });

    it('terminate_connections closes the user\'s sockets on every node', async () => {
      const sessions = [];
      for (const i of [1, 2]) {
        const c = await clientOn(cluster.node(i));
        rawSignin(c, { id: 'mallory' });
        await c.next('pusher:signin_success', 3000);
        sessions.push(c);
      }
      const bystander = await clientOn(cluster.node(1));
      const res = await serverSdk(cluster.node(0)).terminateUserConnections('mallory');
      assert.equal(res.status, 200);
      for (const c of sessions) {
        const closed = await Promise.race([c.closedPromise, new Promise((r) => setTimeout(() => r(null), 5000))]);
        assert.ok(closed, 'socket not closed');
        assert.equal(closed.code, 4009);
      }
      assert.equal(bystander.closed, null);
    });

    if (adapter !== 'local') {
      it('a node that stops answering makes the answer partial, still a success', async () => {
        await rawJoin(await clientOn(cluster.node(1)), 'partial');
        await cluster.node(2).stop('SIGKILL');  // still counted live until node_timeout_ms
        const started = Date.now();
        const res = await serverSdk(cluster.node(0)).get({ path: '/channels/partial', params: { info: 'subscription_count' } });
        assert.equal(res.status, 200);
        assert.equal(res.headers.get('x-sockudo-partial'), '1');
        assert.deepEqual(await res.json(), { occupied: true, subscription_count: 1 });
        assert.ok(Date.now() - started < 3000, 'bounded by the request timeout');
      });
    }
  });
}
