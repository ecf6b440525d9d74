'use strict';
// A throwaway redis-server for tests: a free loopback port, no persistence, its own process
// group, killed by stop() (and when this process exits).
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const net = require('node:net');
const path = require('node:path');
const { freePort } = require('./harness');

function findRedis() {
  const dirs = [...(process.env.PATH || '').split(':'), '/usr/sbin', '/usr/local/sbin'];
  for (const d of dirs) {
    const p = path.join(d, 'redis-server');
    try { fs.accessSync(p, fs.constants.X_OK); return p; } catch { /* next */ }
  }
  return null;
}

function canConnect(port) {
  return new Promise((resolve) => {
    const s = net.connect(port, '127.0.0.1');
    s.once('connect', () => { s.destroy(); resolve(true); });
    s.once('error', () => resolve(false));
  });
}

const live = new Set();
process.on('exit', () => { for (const pid of live) { try { process.kill(-pid, 'SIGKILL'); } catch { /* gone */ } } });

/** Resolves to { port, url, stop() }; throws when it does not come up within 5 s. */
async function startRedis(binary = findRedis()) {
  const port = await freePort();
  const child = spawn(binary, ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
    { detached: true, stdio: 'ignore' });
  live.add(child.pid);
  const exited = new Promise((resolve) => child.on('exit', resolve));
  const stop = async () => {
    if (child.exitCode === null && child.signalCode === null) {
      try { process.kill(-child.pid, 'SIGKILL'); } catch { /* gone */ }
      await exited;
    }
    live.delete(child.pid);
  };
  const deadline = Date.now() + 5000;
  while (!(await canConnect(port))) {
    if (Date.now() > deadline) { await stop(); throw new Error('redis-server did not start'); }
    await new Promise((r) => setTimeout(r, 25));
  }
  return { port, url: `redis://127.0.0.1:${port}/0`, stop };
}

module.exports = { startRedis, findRedis };
