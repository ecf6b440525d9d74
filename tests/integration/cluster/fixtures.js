'use strict';
// Shared set-up for the cluster suites: suites are named feature × adapter and run over
// ADAPTERS; 'local' is one node (the same assertions hold for a single node), the others use
// several nodes on one real broker.
const { startBroker } = require('../lib/brokers');
const { startCluster } = require('../lib/cluster');
const { rawApp, configWithApps, defaultAppConfig } = require('../lib/pusher-clients');

const ADAPTERS = ['local', 'redis', 'nats'];

/** Starts the broker (none for local) and `count` nodes (1 for local). */
async function bootCluster(adapter, count, opts = {}) {
  const broker = adapter === 'local' ? null : await startBroker(adapter);
  try {
    const cluster = await startCluster(adapter, broker, adapter === 'local' ? 1 : count, {
      config: opts.config || configWithApps([defaultAppConfig(), ...(opts.apps || [])]),
      ...opts,
    });
    return {
      broker,
      ...cluster,
      /** Node i; with one node every index is that node. */
      node: (i) => cluster.nodes[i % cluster.nodes.length],
      async close() {
        await cluster.stop();
        if (broker) await broker.close();
      },
    };
  } catch (e) {
    if (broker) await broker.close();
    throw e;
  }
}

const opened = [];
/** A raw client on `node` (closed by closeClients). */
async function clientOn(node, app) {
  const c = await rawApp(node, app);
  opened.push(c);
  return c;
}
function closeClients() {
  for (const c of opened.splice(0)) c.close();
}

/** Frames of `c` so far for which pred holds. */
function count(c, pred) {
  return c.allFrames.filter(pred).length;
}
const isEvent = (name, channel) => (f) => f.event === name && (!channel || f.channel === channel);

module.exports = { ADAPTERS, bootCluster, clientOn, closeClients, count, isEvent };
