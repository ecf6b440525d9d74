'use strict';
// Large fanouts on several workers: a worker with hundreds of subscribers to write lends part
// of the writes to its idle peers (docs/architecture.md, "Writes"). Whoever writes, every
// subscriber gets every event once and in publish order, and a subscriber that vanishes in the
// middle costs nobody else anything.
const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { startServer, waitFor } = require('../lib/harness');
const { rawApp, rawJoin, serverSdk } = require('../lib/pusher-clients');

const SUBSCRIBERS = 700; // ~350 per worker: above the batch size that is shared
const EVENTS = 40;

async function subscribeMany(server, count, channel) {
  const clients = [];
  for (let i = 0; i < count; i += 50) {
    const group = await Promise.all(Array.from({ length: Math.min(50, count - i) }, async () => {
      const c = await rawApp(server);
      await rawJoin(c, channel);
      return c;
    }));
    clients.push(...group);
  }
  return clients;
}

function sequence(client, name) {
  return client.allFrames.filter((f) => f.event === name).map((f) => JSON.parse(f.data).seq);
}

describe('large fanout across workers', () => {
  let server;
  let clients = [];
  before(async () => { server = await startServer({ workers: 2 }); });
  after(async () => {
    for (const c of clients) c.close();
    await server.stop();
  });

  it(`${SUBSCRIBERS} subscribers get ${EVENTS} back-to-back events each, once and in order, while others vanish`, async () => {
    clients = await subscribeMany(server, SUBSCRIBERS, 'big-fanout');
    const vanishing = await subscribeMany(server, 20, 'big-fanout');
    const sdk = serverSdk(server);
    const padding = 'x'.repeat(1000);
    for (let seq = 0; seq < EVENTS; seq += 1) {
      // One publish after the other (their order is the order subscribers must see); each is
      // answered before its fanout is written, so the writes of several overlap.
      const res = await sdk.trigger('big-fanout', 'fan', { seq, padding });
      assert.equal(res.status, 200);
      // Some subscribers drop off while the first events are being written to them.
      if (seq === 2) for (const c of vanishing) c.close();
    }
    await waitFor(() => clients.every((c) => sequence(c, 'fan').length >= EVENTS), 20000,
      'every subscriber to receive every event');
    const expected = Array.from({ length: EVENTS }, (_, i) => i);
    for (const [i, c] of clients.entries()) {
      assert.deepEqual(sequence(c, 'fan'), expected, `subscriber ${i} (${c.socketId})`);
      assert.equal(c.closed, null, `subscriber ${i} stays connected`);
    }
    // The connections that vanished are gone from the channel; the server still answers.
    await waitFor(async () => {
      const res = await sdk.get({ path: '/channels/big-fanout', params: { info: 'subscription_count' } });
      return (await res.json()).subscription_count === SUBSCRIBERS;
    }, 5000, 'the vanished subscribers to be unsubscribed');
  });
});
