'use strict';
// N sockudo nodes on one broker for cluster tests: each node is a real process started by
// harness.js with ADAPTER_DRIVER and the broker's URL, a prefix unique to the test (so tests
// and apps sharing a broker never see each other's traffic) and short cluster-health timings.
const crypto = require('node:crypto');
const { startServer, httpGet, waitFor } = require('./harness');

// Short enough for tests, long enough that a loaded CI machine does not miss heartbeats.
const TIMING = { heartbeat_interval_ms: 200, node_timeout_ms: 1500, cleanup_interval_ms: 200 };
const REQUEST_TIMEOUT_MS = 1000;

function uniquePrefix() {
  return `itest_${crypto.randomBytes(6).toString('hex')}`;
}

/** The config file body selecting `adapter` with `prefix` (+ `extra` top-level keys). */
function clusterConfig(adapter, prefix, extra = {}) {
  return {
    ...extra,
    adapter: {
      driver: adapter,
      fallback_to_local: false,
      cluster_health: { enabled: true, ...TIMING },
      redis: { prefix, requests_timeout: REQUEST_TIMEOUT_MS },
      nats: { prefix, request_timeout_ms: REQUEST_TIMEOUT_MS },
      ...(extra.adapter || {}),
    },
  };
}

/**
 * Starts `count` nodes. `broker` is null for the local adapter (then count must be 1).
 * Options: prefix, config (extra config keys), env (extra env). Resolves once every node
 * knows every other (by a cluster-wide answer) so tests start from a formed cluster.
 */
async function startCluster(adapter, broker, count, opts = {}) {
  const prefix = opts.prefix || uniquePrefix();
  const nodes = [];
  try {
    for (let i = 0; i < count; i++) {
      nodes.push(await startServer({
        config: adapter === 'local' ? (opts.config || undefined) : clusterConfig(adapter, prefix, opts.config || {}),
        env: { ...(broker ? broker.env : {}), ...(opts.env || {}) },
        workers: opts.workers || 2,
      }));
    }
    if (count > 1) await waitFormed(nodes);
  } catch (e) {
    await Promise.all(nodes.map((n) => n.stop('SIGKILL')));
    throw e;
  }
  return { nodes, prefix, stop: () => Promise.all(nodes.map((n) => n.stop())) };
}

/** Waits until every node logged that it detected each of the others. */
async function waitFormed(nodes, ms = 8000) {
  await waitFor(() => nodes.every((n) => (n.output().match(/new node .* detected/g) || []).length >= nodes.length - 1),
    ms, `cluster of ${nodes.length} nodes formed`);
}

/** GET /up of a node: { status, state }. */
async function health(node) {
  const res = await httpGet(node.port, '/up');
  return { status: res.status, state: res.headers['x-health-check'] };
}

module.exports = { startCluster, clusterConfig, uniquePrefix, health, TIMING, REQUEST_TIMEOUT_MS };
