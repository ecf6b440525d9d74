#!/usr/bin/env node
'use strict';
// Runs every scenario against our server, Soketi and the floor server, alternating servers
// within each round (A B C, A B C, ...), and prints medians and ratios as JSON lines and a
// Markdown table. Servers are pinned to CPU 0 and the load generator to CPU 1 unless a
// scenario says "both cores".
//
//   node bench/compare.js [--rounds 3] [--only fanout-max,idle] [--servers sockudo,soketi,floor]
//                         [--out bench/results/latest.json] [--shared-network]
//
// Run as root, it runs in a private network namespace of its own (its own loopback, nothing
// else on the machine on it), where the fixed-rate scenarios make the subscribers acknowledge
// every frame at once (see SERVER_ROUTE below). `--shared-network` runs on the machine's loopback
// with the kernel's default acknowledgements throughout.

const { spawn, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');

const ROOT = path.resolve(__dirname, '..');
const LOADGEN = path.join(ROOT, 'build/bench/sockudo_loadgen');
const FLOOR = path.join(ROOT, 'build/bench/sockudo_floor');
const SOCKUDO = path.join(ROOT, 'build/sockudo');
const SOKETI = path.join(__dirname, 'soketi/node_modules/@soketi/soketi/bin/server.js');

const args = process.argv.slice(2);
const opt = (name, fallback) => {
  const i = args.indexOf(`--${name}`);
  return i >= 0 ? args[i + 1] : fallback;
};
const ROUNDS = Number(opt('rounds', '3'));
const ONLY = opt('only', '') ? opt('only', '').split(',') : null;
const SERVERS = opt('servers', 'sockudo,soketi,floor').split(',');
const OUT = opt('out', path.join(__dirname, 'results/latest.json'));
const SHARED_NETWORK = args.includes('--shared-network');
const IN_OWN_NETWORK = process.env.SOCKUDO_BENCH_NETNS === '1';

// Each scenario: loadgen arguments, which figure is compared, and whether higher is better.
const SCENARIOS = [
  { name: 'fanout-max', args: ['--scenario', 'fanout', '--clients', '5000', '--rate', '0', '--duration', '10'],
    metrics: [['deliveries_per_s', 'higher'], ['server_cpu_us_per_delivery', 'lower']] },
  { name: 'fanout-25k', quickAcks: true, args: ['--scenario', 'fanout', '--clients', '5000', '--rate', '5', '--duration', '10'],
    metrics: [['latency_p99_ms', 'lower'], ['latency_p50_ms', 'lower'], ['server_cpu_us_per_delivery', 'lower']] },
  { name: 'fanout-25k-both-cores', bothCores: true, quickAcks: true, args: ['--scenario', 'fanout', '--clients', '5000', '--rate', '5', '--duration', '10'],
    metrics: [['latency_p99_ms', 'lower'], ['publish_last_p50_ms', 'lower']] },
  // The same, timed also to each frame's arrival at its socket (kernel receive timestamps), so
  // the generator's own wait to read a frame is not counted. A run of its own: reading with
  // recvmsg and the kernel stamping every packet cost the generator and the sender a little.
  { name: 'fanout-25k-both-cores-arrival', bothCores: true, quickAcks: true,
    args: ['--scenario', 'fanout', '--clients', '5000', '--rate', '5', '--duration', '10', '--arrival-stamps'],
    metrics: [['arrival_p99_ms', 'lower'], ['publish_arrival_last_p50_ms', 'lower'], ['latency_p99_ms', 'lower']] },
  { name: 'many-channels', args: ['--scenario', 'many-channels', '--clients', '5000', '--batch', '10', '--rate', '0', '--window', '8', '--duration', '10'],
    metrics: [['deliveries_per_s', 'higher'], ['latency_p99_ms', 'lower']] },
  { name: 'idle-capacity', args: ['--scenario', 'idle', '--clients', '19000', '--channels', '1000'],
    metrics: [['bytes_per_connection', 'lower'], ['connects_per_s', 'higher']] },
  { name: 'http-publish-per-request', args: ['--scenario', 'http-publish', '--clients', '0', '--per-request', '--publishers', '8', '--duration', '8'],
    metrics: [['requests_per_s', 'higher'], ['server_cpu_us_per_request', 'lower']] },
  { name: 'http-publish-keep-alive', args: ['--scenario', 'http-publish', '--clients', '0', '--publishers', '8', '--duration', '8'],
    metrics: [['requests_per_s', 'higher'], ['server_cpu_us_per_request', 'lower']] },
  { name: 'http-publish-100-subscribers', args: ['--scenario', 'http-publish', '--clients', '100', '--publishers', '8', '--duration', '8'],
    metrics: [['requests_per_s', 'higher']] },
  { name: 'churn', args: ['--scenario', 'churn', '--clients', '1000', '--duration', '10'],
    metrics: [['ops_per_s', 'higher'], ['rss_growth_bytes', 'lower']] },
  // Two nodes on one Redis: subscribers on node B, publishes to node A, so every delivery
  // crosses the broker. Both nodes and redis-server share CPU 0, like the single node above.
  { name: 'fanout-max-2-nodes-redis', cluster: 'redis', args: ['--scenario', 'fanout', '--clients', '5000', '--rate', '0', '--duration', '10'],
    metrics: [['deliveries_per_s', 'higher'], ['latency_p99_ms', 'lower']] },
  { name: 'fanout-25k-2-nodes-redis', cluster: 'redis', quickAcks: true, args: ['--scenario', 'fanout', '--clients', '5000', '--rate', '5', '--duration', '10'],
    metrics: [['latency_p99_ms', 'lower'], ['latency_p50_ms', 'lower']] },
];

// Quick acknowledgements for the fixed-rate scenarios. At 5 publishes/s a subscriber hears once
// every 200 ms, and a loopback socket's retransmission timeout is the kernel's 200-ms minimum plus
// a few ms; Linux puts a receiving socket back into quick-ack mode when it was silent for longer
// than that timeout. So whether each subscriber acknowledges a frame at once (inside the server's
// write: on loopback the acknowledgement's sender also runs its receipt on the server's socket)
// or when the generator reads it (and the generator then runs both) was decided per socket by a
// few ms of jitter, and moved ~10 ms of kernel work per publish between the server and the
// generator within a run (bench/README.md). The route to the servers' address carries the
// `quickack` flag in those scenarios, so every subscriber acknowledges at once, as it does at any
// interval above the timeout: the server pays for receiving every acknowledgement, as it would
// on a network. Elsewhere frames are back to back and the kernel's default is left alone.
const SERVER_ROUTE = ['local', '127.0.0.1', 'dev', 'lo', 'table', 'local', 'proto', 'kernel', 'scope', 'host', 'src', '127.0.0.1'];

function run(cmd, cmdArgs) {
  const r = spawnSync(cmd, cmdArgs, { encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd} ${cmdArgs.join(' ')}: ${(r.stderr || r.error || '').toString().trim()}`);
  return r.stdout;
}

function setQuickAcks(on) {
  run('ip', ['route', 'change', ...SERVER_ROUTE, 'quickack', on ? '1' : '0']);
  const shown = run('ip', ['route', 'show', 'table', 'local', '127.0.0.1']);
  if (shown.includes('quickack 1') !== on) throw new Error(`route to 127.0.0.1 did not take quickack ${on ? 1 : 0}: ${shown.trim()}`);
}

// Re-runs this script in a network namespace of its own when it can; returns true if it did
// (the caller then exits with the child's status).
function reexecInOwnNetwork() {
  if (SHARED_NETWORK || IN_OWN_NETWORK) return false;
  if (process.getuid && process.getuid() !== 0) {
    console.error('compare: not root, so on the shared loopback with default acknowledgements (see --shared-network)');
    return false;
  }
  // A container may forbid namespaces, and iproute2 may be missing: try both before committing.
  const probe = spawnSync('unshare', ['--net', 'ip', 'link', 'set', 'lo', 'up'], { encoding: 'utf8' });
  if (probe.status !== 0) {
    const why = (probe.error ? probe.error.message : probe.stderr || '').toString().trim();
    console.error(`compare: cannot set up a network namespace (${why}); on the shared loopback`);
    return false;
  }
  const r = spawnSync('unshare', ['--net', process.execPath, __filename, ...args],
    { stdio: 'inherit', env: { ...process.env, SOCKUDO_BENCH_NETNS: '1' } });
  process.exitCode = r.status === null ? 1 : r.status;
  return true;
}

function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
    s.on('error', reject);
  });
}

async function waitListening(port, ms = 15000) {
  const deadline = Date.now() + ms;
  while (Date.now() < deadline) {
    const ok = await new Promise((resolve) => {
      const c = net.connect(port, '127.0.0.1', () => { c.destroy(); resolve(true); });
      c.on('error', () => resolve(false));
    });
    if (ok) return;
    await new Promise((r) => setTimeout(r, 50));
  }
  throw new Error(`server on ${port} did not start`);
}

async function startServer(kind, port, bothCores, extraEnv = {}) {
  const pin = bothCores ? [] : ['taskset', '-c', '0'];
  let cmd;
  let env = { PATH: process.env.PATH, ...extraEnv };
  if (kind === 'sockudo') {
    cmd = [...pin, SOCKUDO];
    env = { ...env, HOST: '127.0.0.1', PORT: String(port), METRICS_ENABLED: 'false', SOCKUDO_WORKERS: bothCores ? '2' : '1',
      SOCKUDO_WORKER_CPU_AFFINITY: 'true',
      SOCKUDO_DEFAULT_APP_ID: 'app-id', SOCKUDO_DEFAULT_APP_KEY: 'app-key', SOCKUDO_DEFAULT_APP_SECRET: 'app-secret',
      SOCKUDO_DEFAULT_APP_MAX_CONNECTIONS: '-1', SOCKUDO_DEFAULT_APP_MAX_BACKEND_EVENTS_PER_SECOND: '-1',
      SOCKUDO_DEFAULT_APP_MAX_EVENT_BATCH_SIZE: '100', SOCKUDO_DEFAULT_APP_MAX_EVENT_PAYLOAD_IN_KB: '100',
      SOCKUDO_DEFAULT_APP_MAX_EVENT_CHANNELS_AT_ONCE: '100', WEBSOCKET_MAX_BACKPRESSURE: String(64 * 1024 * 1024) };
  } else if (kind === 'soketi') {
    cmd = [...pin, process.execPath, SOKETI, 'start'];
    env = { ...env, SOKETI_HOST: '127.0.0.1', SOKETI_PORT: String(port), SOKETI_METRICS_ENABLED: 'false',
      SOKETI_CLUSTER_UNICAST_ADDRESSES: '127.0.0.1', SOKETI_DEFAULT_APP_ID: 'app-id', SOKETI_DEFAULT_APP_KEY: 'app-key',
      SOKETI_DEFAULT_APP_SECRET: 'app-secret', SOKETI_DEFAULT_APP_MAX_CONNS: '-1',
      SOKETI_DEFAULT_APP_MAX_BACKEND_EVENTS_PER_SEC: '-1', SOKETI_DEFAULT_APP_MAX_CLIENT_EVENTS_PER_SEC: '-1',
      SOKETI_DEFAULT_APP_MAX_READ_REQ_PER_SEC: '-1', SOKETI_EVENT_MAX_BATCH_SIZE: '100' };
  } else {
    cmd = [...pin, FLOOR, String(port)];
  }
  const child = spawn(cmd[0], cmd.slice(1), { env, detached: true, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => { stderr += d; });
  await waitListening(port);
  // The process that serves (Soketi renames itself "soketi-server" and may fork).
  let pid = child.pid;
  if (kind === 'soketi') {
    const found = spawnSync('pgrep', ['-n', '-x', 'soketi-server']).stdout.toString().trim();
    if (found) pid = Number(found);
  }
  return {
    pid,
    stderr: () => stderr,
    stop: () => new Promise((resolve) => {
      child.on('exit', resolve);
      try { process.kill(-child.pid, 'SIGKILL'); } catch { resolve(); }
    }),
  };
}

// A broker and two nodes of `kind` on it. Returns the same shape as startServer with the
// subscriber port (node B), the publish port (node A) and every serving pid.
async function startCluster(kind, bothCores) {
  const brokerPort = await freePort();
  const broker = spawn('taskset', ['-c', '0', 'redis-server', '--port', String(brokerPort), '--bind', '127.0.0.1',
    '--save', '', '--appendonly', 'no'], { detached: true, stdio: 'ignore' });
  const stopBroker = () => new Promise((resolve) => {
    broker.on('exit', resolve);
    try { process.kill(-broker.pid, 'SIGKILL'); } catch { resolve(); }
  });
  try {
    await waitListening(brokerPort);
    const env = kind === 'sockudo'
      ? { ADAPTER_DRIVER: 'redis', REDIS_URL: `redis://127.0.0.1:${brokerPort}` }
      : { SOKETI_ADAPTER_DRIVER: 'redis', SOKETI_DB_REDIS_HOST: '127.0.0.1', SOKETI_DB_REDIS_PORT: String(brokerPort) };
    const [publishPort, subscribePort] = [await freePort(), await freePort()];
    const a = await startServer(kind, publishPort, bothCores, env);
    let b;
    try {
      b = await startServer(kind, subscribePort, bothCores, env);
    } catch (e) {
      await a.stop();
      throw e;
    }
    return {
      port: subscribePort,
      publishPort,
      pids: [a.pid, b.pid, broker.pid],
      stop: async () => { await a.stop(); await b.stop(); await stopBroker(); },
    };
  } catch (e) {
    await stopBroker();
    throw e;
  }
}

function runLoadgen(scenario, kind, port, pids, publishPort) {
  const pin = scenario.bothCores ? [] : ['taskset', '-c', '1'];
  const cmd = [...pin, LOADGEN, ...scenario.args, '--port', String(port), '--label', kind, '--server-pid', pids.join(',')];
  if (publishPort) cmd.push('--publish-port', String(publishPort));
  const r = spawnSync(cmd[0], cmd.slice(1), { encoding: 'utf8', timeout: 300000 });
  const line = (r.stdout || '').trim().split('\n').filter(Boolean).pop();
  if (!line) throw new Error(`loadgen produced nothing: ${r.stderr}`);
  // Still a result, but one to look at: fewer subscribers than asked, lost or duplicated frames.
  if (r.status !== 0) console.error(`${scenario.name} ${kind}: loadgen exited ${r.status}: ${(r.stderr || '').trim()}`);
  return JSON.parse(line);
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length ? (s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2) : NaN;
};

async function main() {
  if (reexecInOwnNetwork()) return;
  if (IN_OWN_NETWORK) run('ip', ['link', 'set', 'lo', 'up']);
  for (const f of [LOADGEN, SOCKUDO]) if (!fs.existsSync(f)) throw new Error(`${f} is missing: run make build first`);
  const servers = SERVERS.filter((s) => s !== 'soketi' || fs.existsSync(SOKETI));
  if (servers.length < SERVERS.length) console.error('soketi is not installed: run `npm ci --prefix bench/soketi` (skipping it)');
  const results = [];
  const machine = { cpus: os.cpus().length, model: os.cpus()[0].model, mem_gib: Math.round(os.totalmem() / 2 ** 30), kernel: os.release(),
    network: IN_OWN_NETWORK ? 'own namespace, quick acknowledgements in the fixed-rate scenarios' : 'shared loopback, default acknowledgements' };
  for (const scenario of SCENARIOS) {
    if (ONLY && !ONLY.includes(scenario.name)) continue;
    const quickAcks = IN_OWN_NETWORK && Boolean(scenario.quickAcks);
    if (IN_OWN_NETWORK) setQuickAcks(quickAcks);
    for (let round = 1; round <= ROUNDS; round += 1) {
      for (const kind of servers) {
        if (scenario.cluster && kind === 'floor') continue;  // the floor has no cluster
        let server;
        try {
          if (scenario.cluster) {
            server = await startCluster(kind, scenario.bothCores);
          } else {
            const port = await freePort();
            const single = await startServer(kind, port, scenario.bothCores);
            server = { port, pids: [single.pid], stop: single.stop };
          }
        } catch (e) {
          console.error(`${scenario.name} ${kind} round ${round}: ${e.message}`);
          continue;
        }
        try {
          const r = runLoadgen(scenario, kind, server.port, server.pids, server.publishPort);
          r.round = round;
          r.name = scenario.name;
          r.acks = quickAcks ? 'quick' : 'default';
          results.push(r);
          console.log(JSON.stringify(r));
        } catch (e) {
          console.error(`${scenario.name} ${kind} round ${round}: ${e.message}`);
        } finally {
          await server.stop();
        }
      }
    }
  }
  // Medians and ratios.
  const rows = [];
  for (const scenario of SCENARIOS) {
    if (ONLY && !ONLY.includes(scenario.name)) continue;
    for (const [metric, better] of scenario.metrics) {
      const med = {};
      for (const kind of servers) {
        med[kind] = median(results.filter((r) => r.name === scenario.name && r.server === kind).map((r) => r[metric]));
      }
      rows.push({ scenario: scenario.name, metric, better, ...med,
        vs_soketi: med.sockudo / med.soketi, vs_floor: med.sockudo / med.floor });
    }
  }
  const fmt = (x) => (Number.isFinite(x) ? (Math.abs(x) >= 100 ? x.toFixed(0) : x.toFixed(2)) : '–');
  const lines = [
    `Measured ${new Date().toISOString().slice(0, 10)} on ${machine.cpus} × ${machine.model}, ${machine.mem_gib} GiB; medians of ${ROUNDS} alternating rounds; server on CPU 0, load generator on CPU 1 (except "both cores"); ${IN_OWN_NETWORK ? 'loopback of a private network namespace, subscribers acknowledging at once in the fixed-rate (25k) scenarios' : 'shared loopback, kernel default acknowledgements'}.`,
    '',
    '| scenario | metric | sockudo | soketi | floor | sockudo/soketi | sockudo/floor |',
    '| --- | --- | --- | --- | --- | --- | --- |',
    ...rows.map((r) => `| ${r.scenario} | ${r.metric} (${r.better} is better) | ${fmt(r.sockudo)} | ${fmt(r.soketi)} | ${fmt(r.floor)} | ${fmt(r.vs_soketi)} | ${fmt(r.vs_floor)} |`),
  ];
  console.log(lines.join('\n'));
  fs.mkdirSync(path.dirname(OUT), { recursive: true });
  fs.writeFileSync(OUT, JSON.stringify({ machine, rounds: ROUNDS, results, summary: rows }, null, 2));
  fs.writeFileSync(OUT.replace(/\.json$/, '.md'), `${lines.join('\n')}\n`);
}

main().catch((e) => { console.error(e); process.exit(1); });
