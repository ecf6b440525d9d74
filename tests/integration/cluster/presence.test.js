'use strict';
// Presence is cluster-exact: one member_added / member_removed per user across nodes (client
// frames and webhooks), subscription_succeeded lists every node's members, and the members of
// a node killed with SIGKILL are removed once by the survivors.
const { describe, it, before, after, afterEach } = require('node:test');
const assert = require('node:assert/strict');
const { ADAPTERS, bootCluster, clientOn, closeClients, count, isEvent } = require('./fixtures');
const { TIMING } = require('../lib/cluster');
const { startReceiver } = require('../lib/webhook-receiver');
const { waitFor } = require('../lib/harness');
const { rawJoin, serverSdk: sdkOn, configWithApps, defaultAppConfig } = require('../lib/pusher-clients');

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
const HOOK_TYPES = ['channel_occupied', 'channel_vacated', 'member_added', 'member_removed'];

function presenceIds(frame) {
  return JSON.parse(frame.data).presence.ids.sort();
}
const member = (name, channel) => (f) => f.event === `pusher_internal:${name}` && f.channel === channel;
const cd = (id) => ({ user_id: id, user_info: { name: id } });

for (const adapter of ADAPTERS) {
  describe(`presence × ${adapter}`, () => {
    let cluster;
    let receiver;
    before(async () => {
      receiver = await startReceiver();
      const app = defaultAppConfig();
      app.policy.webhooks = [{ url: receiver.url, event_types: HOOK_TYPES }];
      cluster = await bootCluster(adapter, 3, { config: configWithApps([app], { webhooks: { leave_delay_ms: 0 } }) });
    });
    after(async () => {
      if (cluster) await cluster.close();
      if (receiver) await receiver.close();
    });
    afterEach(closeClients);

    const hooks = (name, channel) => receiver.events().filter((e) => e.name === name && e.channel === channel);

    it('the same user on two nodes is added once and removed once', async () => {
      const room = 'presence-same-user';
      const observer = await clientOn(cluster.node(2));
      await rawJoin(observer, room, { channelData: cd('bob') });
      const alice1 = await clientOn(cluster.node(0));
      await rawJoin(alice1, room, { channelData: cd('alice') });
      const added = await observer.next(member('member_added', room), 5000);
      assert.equal(JSON.parse(added.data).user_id, 'alice');

      // Node B has seen A's join notice once its cluster-wide answer lists alice (a notice
      // travels ahead of the same node's answers); joins within one round trip would race.
      await waitFor(async () => {
        const res = await sdkOn(cluster.node(1)).get({ path: `/channels/${room}/users` });
        return (await res.json()).users.some((u) => u.id === 'alice');
      }, 5000, 'alice listed by node B');
      // alice's second socket, on another node: the member list is cluster-wide, no new member.
      const alice2 = await clientOn(cluster.node(1));
      const ok = await rawJoin(alice2, room, { channelData: cd('alice') });
      assert.deepEqual(presenceIds(ok), ['alice', 'bob']);
      alice1.close();
      await alice1.closedPromise;
      alice2.close();
      const removed = await observer.next(member('member_removed', room), 5000);
      assert.equal(JSON.parse(removed.data).user_id, 'alice');
      await receiver.waitFor(() => hooks('member_removed', room).length >= 1, 5000, 'member_removed webhook');
      await sleep(500);  // a duplicate transition would have arrived by now
      assert.equal(count(observer, member('member_added', room)), 1);
      assert.equal(count(observer, member('member_removed', room)), 1, JSON.stringify(observer.allFrames));
      assert.deepEqual(hooks('member_added', room).map((e) => e.user_id).sort(), ['alice', 'bob']);
      assert.deepEqual(hooks('member_removed', room).map((e) => e.user_id), ['alice']);
    });

    it('a channel is occupied and vacated once across nodes', async () => {
      const a = await clientOn(cluster.node(0));
      const b = await clientOn(cluster.node(1));
      // Joins on two nodes within one broker round trip would both count as first (the join
      // race documented in docs/architecture.md), and so would a leave racing a join. A node's
      // occupancy notice travels ahead of its answers, so once node X's cluster-wide count
      // includes the other node's subscriber, X has seen that node's notice.
      const subscribers = async (node) => (await sdkOn(node)
        .get({ path: '/channels/occupancy', params: { info: 'subscription_count' } })
        .then((r) => r.json())).subscription_count;
      await rawJoin(a, 'occupancy');
      await waitFor(async () => (await subscribers(cluster.node(1))) === 1, 5000, 'B sees A\'s subscriber');
      await rawJoin(b, 'occupancy');
      await waitFor(async () => (await subscribers(cluster.node(0))) === 2, 5000, 'A sees B\'s subscriber');
      a.close();
      await a.closedPromise;
      b.close();
      await receiver.waitFor(() => hooks('channel_vacated', 'occupancy').length >= 1, 5000, 'channel_vacated');
      await sleep(500);
      assert.equal(hooks('channel_occupied', 'occupancy').length, 1);
      assert.equal(hooks('channel_vacated', 'occupancy').length, 1);
    });

    if (adapter !== 'local') {
      it('a node shutting down announces its members\' removal itself, once, before it leaves', async () => {
        const room = 'presence-shutdown';
        const observer = await clientOn(cluster.node(0));
        await rawJoin(observer, room, { channelData: cd('watcher') });
        const leaving = cluster.node(1);
        const dan = await clientOn(leaving);
        await rawJoin(dan, room, { channelData: cd('dan') });
        await observer.next(member('member_added', room), 5000);
        const stoppedAt = Date.now();
        await leaving.stop('SIGTERM');
        const removed = await observer.next(member('member_removed', room), 5000);
        assert.equal(JSON.parse(removed.data).user_id, 'dan');
        // Announced by the departing node, not by a dead-node cleanup after node_timeout_ms.
        assert.ok(Date.now() - stoppedAt < TIMING.node_timeout_ms + 1000, 'removal came from the dead-node path');
        await receiver.waitFor(() => hooks('member_removed', room).length >= 1, 5000, 'member_removed webhook');
        await sleep(TIMING.node_timeout_ms + 2 * TIMING.cleanup_interval_ms);  // no second removal later
        assert.equal(count(observer, member('member_removed', room)), 1);
        assert.deepEqual(hooks('member_removed', room).map((e) => e.user_id), ['dan']);
      });

      it('a killed node\'s members are removed once, within the node timeout', async () => {
        const room = 'presence-crash';
        const observer = await clientOn(cluster.node(0));
        await rawJoin(observer, room, { channelData: cd('watcher') });
        const victim = cluster.node(2);
        const carol = await clientOn(victim);
        await rawJoin(carol, room, { channelData: cd('carol') });
        await observer.next(member('member_added', room), 5000);
        const killedAt = Date.now();
        await victim.stop('SIGKILL');
        const removed = await observer.next(member('member_removed', room), TIMING.node_timeout_ms + 5000);
        assert.equal(JSON.parse(removed.data).user_id, 'carol');
        const took = Date.now() - killedAt;
        assert.ok(took >= TIMING.node_timeout_ms - 500, `removed after ${took} ms: too early`);
        await receiver.waitFor(() => hooks('member_removed', room).length >= 1, 5000, 'member_removed webhook');
        await sleep(1000);  // every survivor has run its dead-node check by now
        assert.equal(count(observer, member('member_removed', room)), 1, JSON.stringify(observer.allFrames));
        assert.deepEqual(hooks('member_removed', room).map((e) => e.user_id), ['carol']);
        assert.equal(hooks('channel_vacated', room).length, 0);  // the watcher is still there
      });
    }
  });
}
