'use strict';
// Real message brokers for cluster tests: redis-server and nats-server on free loopback ports,
// each in its own process group, always stopped (also when a test fails or the process exits).
// stop() / restart() take a broker away mid-test and bring it back on the same port.
const { spawn } = require('node:child_process');
const net = require('node:net');
const { freePort } = require('./harness');

const running = new Set();
function killAll() {
  for (const b of running) {
    try { process.kill(-b.child.pid, 'SIGKILL'); } catch { /* gone */ }
  }
}
process.on('exit', killAll);

function portOpen(port) {
  return new Promise((resolve) => {
    const s = net.connect({ host: '127.0.0.1', port }, () => { s.destroy(); resolve(true); });
    s.on('error', () => resolve(false));
    s.setTimeout(500, () => { s.destroy(); resolve(false); });
  });
}

async function waitPort(port, open, ms, what) {
  const deadline = Date.now() + ms;
  while ((await portOpen(port)) !== open) {
    if (Date.now() > deadline) throw new Error(`${what} did not ${open ? 'start' : 'stop'} within ${ms} ms`);
    await new Promise((r) => setTimeout(r, 20));
  }
}

const KINDS = {
  redis: {
    command: 'redis-server',
    args: (port) => ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    env: (port) => ({ REDIS_URL: `redis://127.0.0.1:${port}/0` }),
  },
  nats: {
    command: 'nats-server',
    args: (port) => ['-a', '127.0.0.1', '-p', String(port)],
    env: (port) => ({ NATS_SERVERS: `nats://127.0.0.1:${port}` }),
  },
};

/** Starts a broker of `kind` ('redis' | 'nats'). Returns { kind, port, env, stop(), restart(), close() }. */
async function startBroker(kind) {
  const spec = KINDS[kind];
  if (!spec) throw new Error(`unknown broker ${kind}`);
  const port = await freePort();
  const broker = { kind, port, env: spec.env(port), child: null, output: '' };
  broker.start = async () => {
    const child = spawn(spec.command, spec.args(port), { detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.on('data', (d) => { broker.output += d; });
    child.stderr.on('data', (d) => { broker.output += d; });
    broker.child = child;
    broker.exited = new Promise((resolve) => child.on('exit', resolve));
    running.add(broker);
    await waitPort(port, true, 5000, `${kind} on port ${port}`);
  };
  /** Kills the broker (SIGKILL: as abrupt as a crash) and waits until its port is closed. */
  broker.stop = async () => {
    if (!broker.child) return;
    try { process.kill(-broker.child.pid, 'SIGKILL'); } catch { /* gone */ }
    await broker.exited;
    running.delete(broker);
    broker.child = null;
    await waitPort(port, false, 5000, `${kind} on port ${port}`);
  };
  broker.restart = async () => { await broker.stop(); await broker.start(); };
  broker.close = broker.stop;
  await broker.start();
  return broker;
}

module.exports = { startBroker };
