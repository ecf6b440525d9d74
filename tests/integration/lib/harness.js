'use strict';
// Starts the real `sockudo` binary on free loopback ports in its own process group, waits until
// it answers, and always stops it. Every wait is bounded.
const { spawn } = require('node:child_process');
const net = require('node:net');
const http = require('node:http');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');

const BINARY = process.env.SOCKUDO_BINARY || path.resolve(__dirname, '../../../build/sockudo');
const WORKERS = process.env.SOCKUDO_TEST_WORKERS || '2';

const running = new Set();
function killAll() {
  for (const server of running) {
    try { process.kill(-server.child.pid, 'SIGKILL'); } catch { /* already gone */ }
  }
}
process.on('exit', killAll);
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, () => { killAll(); process.exit(130); });
}

/**
 * `count` distinct free loopback ports. Every probe listener stays open until all are chosen:
 * picked one after another, the kernel may hand out a port it has just seen closed again.
 */
async function freePorts(count) {
  const servers = [];
  try {
    for (let i = 0; i < count; i += 1) {
      const srv = net.createServer();
      srv.unref();
      servers.push(srv);
      await new Promise((resolve, reject) => {
        srv.once('error', reject);
        srv.listen(0, '127.0.0.1', resolve);
      });
    }
    return servers.map((srv) => srv.address().port);
  } finally {
    await Promise.all(servers.map((srv) => new Promise((resolve) => srv.close(() => resolve()))));
  }
}

async function freePort() {
  return (await freePorts(1))[0];
}

function httpGet(port, urlPath, timeoutMs = 2000, { tls = false } = {}) {
  return new Promise((resolve, reject) => {
    const client = tls ? require('node:https') : http;
    const options = { host: '127.0.0.1', port, path: urlPath, timeout: timeoutMs, agent: false };
    if (tls) options.rejectUnauthorized = false;  // test certificates are self-signed
    const req = client.get(options, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c) => { body += c; });
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, body }));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
  });
}

/**
 * Starts a server. Options:
 *   env: extra environment variables (merged over a clean default app setup)
 *   config: an object written to a temp JSON file and passed with --config
 *   args: extra CLI args
 *   workers: number of worker threads (default from SOCKUDO_TEST_WORKERS)
 *   wrapper: a command that execs the server, e.g. ['taskset', '-c', '0']
 * Returns { port, metricsPort, host, appId, key, secret, stop(), output(), child, wsUrl(path) }.
 */
async function startServer(opts = {}) {
  const [port, metricsPort] = await freePorts(2);
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sockudo-test-'));
  const args = [...(opts.args || [])];
  if (opts.config) {
    const file = path.join(dir, 'config.json');
    fs.writeFileSync(file, JSON.stringify(opts.config));
    args.push('--config', file);
  }
  const env = {
    PATH: process.env.PATH,
    HOST: '127.0.0.1',
    PORT: String(port),
    METRICS_HOST: '127.0.0.1',
    METRICS_PORT: String(metricsPort),
    SOCKUDO_WORKERS: String(opts.workers || WORKERS),
    SHUTDOWN_GRACE_PERIOD: '1',
    LOG_COLORS_ENABLED: 'false',
    ...(opts.env || {}),
  };
  // Run from an empty directory so no config/config.json is discovered by accident.
  const command = [...(opts.wrapper || []), BINARY, ...args];
  const child = spawn(command[0], command.slice(1), { cwd: dir, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  child.stdout.on('data', (d) => { out += d; });
  child.stderr.on('data', (d) => { out += d; });
  const exited = new Promise((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
  const server = {
    child, port, metricsPort, host: '127.0.0.1', dir,
    appId: 'app-id', key: 'app-key', secret: 'app-secret',
    output: () => out,
    exited,
    wsUrl: (p = `/app/app-key`) => `ws://127.0.0.1:${port}${p}`,
    async stop(signal = 'SIGTERM', timeoutMs = 8000) {
      if (child.exitCode !== null || child.signalCode !== null) { running.delete(server); return exited; }
      try { process.kill(-child.pid, signal); } catch { /* gone */ }
      const timer = setTimeout(() => { try { process.kill(-child.pid, 'SIGKILL'); } catch { /* gone */ } }, timeoutMs);
      const result = await exited;
      clearTimeout(timer);
      running.delete(server);
      return result;
    },
  };
  running.add(server);
  const deadline = Date.now() + (opts.startTimeoutMs || 10000);
  for (;;) {
    if (child.exitCode !== null) {
      running.delete(server);
      throw new Error(`sockudo exited early (${child.exitCode}):\n${out}`);
    }
    try {
      const res = await httpGet(port, '/live', 500, { tls: Boolean(opts.readyOverTls) });
      if (res.status === 200) break;
    } catch { /* not yet */ }
    if (Date.now() > deadline) {
      await server.stop('SIGKILL');
      throw new Error(`sockudo did not start within the deadline:\n${out}`);
    }
    await new Promise((r) => setTimeout(r, 25));
  }
  return server;
}

/** Runs the binary to completion (e.g. --print-config) and returns { code, stdout, stderr }. */
function runBinary(args, { env = {}, cwd, timeoutMs = 10000 } = {}) {
  return new Promise((resolve, reject) => {
    const child = spawn(BINARY, args, { cwd: cwd || os.tmpdir(), env: { PATH: process.env.PATH, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = ''; let stderr = '';
    child.stdout.on('data', (d) => { stdout += d; });
    child.stderr.on('data', (d) => { stderr += d; });
    const timer = setTimeout(() => { child.kill('SIGKILL'); reject(new Error(`timeout running ${args.join(' ')}`)); }, timeoutMs);
    child.on('exit', (code) => { clearTimeout(timer); resolve({ code, stdout, stderr }); });
  });
}

/** Resolves when `predicate()` is truthy, polling; rejects after timeoutMs. */
async function waitFor(predicate, timeoutMs = 5000, what = 'condition') {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const v = await predicate();
    if (v) return v;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

/**
 * Resolves when the server's output matches `pattern`. A line the server writes before an HTTP
 * answer may still reach us after it (two pipes, read in either order), so lines are awaited,
 * not assumed.
 */
async function waitForOutput(server, pattern, timeoutMs = 5000) {
  return waitFor(() => pattern.test(server.output()), timeoutMs, `server output matching ${pattern}`);
}

module.exports = { startServer, runBinary, freePort, freePorts, httpGet, waitFor, waitForOutput, BINARY };
