'use strict';
// The benchmark's load generator (bench/loadgen) against the real server, at a size CI can
// afford: its accounting must add up, and a server that turns subscribers away must end the
// run with a report instead of a wait.
const { describe, it, after } = require('node:test');
const assert = require('node:assert/strict');
const { spawn } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');
const { startServer, BINARY } = require('../lib/harness');

// The generator is built next to the server (build/bench/), except in builds without bench/.
const LOADGEN = path.resolve(path.dirname(BINARY), '../../bench/sockudo_loadgen');
const skip = fs.existsSync(LOADGEN) ? false : `no load generator at ${LOADGEN} (SOCKUDO_BUILD_BENCH=OFF)`;

function runLoadgen(server, args, timeoutMs = 30000) {
  return new Promise((resolve, reject) => {
    const child = spawn(LOADGEN, [...args, '--port', String(server.port), '--label', 'test',
      '--server-pid', String(server.child.pid)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (d) => { out += d; });
    child.stderr.on('data', (d) => { err += d; });
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`load generator still running after ${timeoutMs} ms: ${err}`));
    }, timeoutMs);
    child.on('exit', (code) => {
      clearTimeout(timer);
      const line = out.trim().split('\n').filter(Boolean).pop();
      if (!line) { reject(new Error(`load generator printed nothing (exit ${code}): ${err}`)); return; }
      resolve({ code, result: JSON.parse(line), stderr: err });
    });
  });
}

describe('load generator', { skip }, () => {
  const servers = [];
  after(async () => { for (const s of servers) await s.stop(); });

  for (const readers of [1, 3]) {
    it(`fanout at a fixed rate, ${readers} reader thread(s): every published frame arrives once, and the figures say so`, async () => {
      const server = await startServer({ workers: 2 });
      servers.push(server);
      const { code, result } = await runLoadgen(server,
        ['--scenario', 'fanout', '--clients', '300', '--rate', '10', '--duration', '2', '--warmup', '0.5',
          '--reader-threads', String(readers)]);
      assert.equal(code, 0);
      assert.equal(result.scenario, 'fanout-fixed');
      assert.equal(result.reader_threads, readers);
      assert.equal(result.subscribed, 300);
      assert.equal(result.refused, 0);
      assert.ok(result.published >= 10, `published ${result.published}`);
      assert.equal(result.expected, result.published * 300);
      assert.equal(result.received, result.expected);
      assert.equal(result.missing, 0);
      assert.equal(result.duplicates, 0);
      assert.equal(result.gaps, 0);
      assert.ok(result.latency_p99_ms > 0 && result.latency_p99_ms < 5000, `p99 ${result.latency_p99_ms} ms`);
      // Each publish's slowest delivery: the slowest of them is the slowest delivery of the run,
      // and a typical publish reaches its last subscriber later than a typical frame arrives.
      assert.equal(result.publish_last_max_ms, result.latency_max_ms);
      assert.ok(result.publish_last_p50_ms >= result.latency_p50_ms, `last ${result.publish_last_p50_ms} ms`);
      assert.ok(result.publish_last_p50_ms <= result.publish_last_p90_ms);
      assert.ok(result.server_cpu_s > 0, 'the server\'s CPU time is read from /proc');
    });
  }

  for (const reads of ['batched', 'plain']) {
    it(`fanout with arrival stamps, ${reads} reads: every frame is timed to its arrival too, never after its read`, async () => {
      const server = await startServer({ workers: 2 });
      servers.push(server);
      const { code, result } = await runLoadgen(server,
        ['--scenario', 'fanout', '--clients', '200', '--rate', '10', '--duration', '2', '--warmup', '0.5',
          '--arrival-stamps', '--reader-threads', '2', ...(reads === 'plain' ? ['--plain-reads'] : [])]);
      assert.equal(code, 0);
      assert.equal(result.received, result.expected);
      assert.equal(result.arrival_unstamped, 0, 'every measured delivery carried a receive timestamp');
      // A frame reaches its socket before it is read, so each order statistic of the arrival
      // times is at most the same one of the read times.
      assert.ok(result.arrival_p50_ms > 0, `arrival p50 ${result.arrival_p50_ms} ms`);
      assert.ok(result.arrival_p50_ms <= result.latency_p50_ms);
      assert.ok(result.arrival_p99_ms <= result.latency_p99_ms);
      assert.ok(result.arrival_max_ms <= result.latency_max_ms);
      assert.ok(result.publish_arrival_last_p50_ms <= result.publish_last_p50_ms);
    });
  }

  it('without arrival stamps there are no arrival figures', async () => {
    const server = await startServer({ workers: 1 });
    servers.push(server);
    const { code, result } = await runLoadgen(server,
      ['--scenario', 'fanout', '--clients', '50', '--rate', '10', '--duration', '1', '--warmup', '0.2']);
    assert.equal(code, 0);
    assert.equal(result.arrival_p99_ms, undefined);
    assert.equal(result.arrival_unstamped, undefined);
  });

  it('fanout at the maximum rate with reader threads: the publishing window counts every thread\'s frames', async () => {
    const server = await startServer({ workers: 2 });
    servers.push(server);
    const { code, result } = await runLoadgen(server,
      ['--scenario', 'fanout', '--clients', '200', '--rate', '0', '--duration', '1', '--warmup', '0.2',
        '--reader-threads', '2']);
    assert.equal(code, 0);
    assert.equal(result.scenario, 'fanout-max');
    // Frames read by the second thread unblock the publisher: without them it would stall
    // after the first window of publishes.
    assert.ok(result.published > 20, `published ${result.published}`);
    assert.equal(result.received, result.expected);
    assert.equal(result.missing, 0);
    assert.equal(result.duplicates, 0);
  });

  for (const via of ['io_uring', 'epoll']) {
    it(`per-request HTTP publishing (${via}): every request answered, none failed`, async () => {
      const server = await startServer();
      servers.push(server);
      const args = ['--scenario', 'http-publish', '--clients', '0', '--per-request', '--publishers', '4',
        '--duration', '1', '--warmup', '0.2'];
      if (via === 'epoll') args.push('--plain-requests');
      const { code, result } = await runLoadgen(server, args);
      assert.equal(code, 0);
      assert.equal(result.connections, 'per-request');
      // io_uring where the kernel offers what it needs; the epoll path otherwise.
      if (via === 'epoll') assert.equal(result.requests_via, 'epoll');
      assert.equal(result.errors, 0);
      assert.ok(result.requests > 100, `requests ${result.requests}`);
      assert.ok(result.server_cpu_us_per_request > 0);
    });
  }

  it('a server that admits fewer subscribers than asked: the run reports them and goes on', async () => {
    const server = await startServer({ env: {
      SOCKUDO_DEFAULT_APP_ID: 'app-id', SOCKUDO_DEFAULT_APP_KEY: 'app-key', SOCKUDO_DEFAULT_APP_SECRET: 'app-secret',
      SOCKUDO_DEFAULT_APP_MAX_CONNECTIONS: '40' } });
    servers.push(server);
    const { code, result, stderr } = await runLoadgen(server,
      ['--scenario', 'fanout', '--clients', '60', '--rate', '5', '--duration', '1', '--warmup', '0.2']);
    assert.equal(code, 1, `not the run asked for: ${JSON.stringify(result)}`);
    assert.equal(result.subscribed, 40);
    assert.equal(result.refused, 20);
    assert.match(stderr, /only 40 of 60 subscribers ready \(20 refused by the server/);
    // What the admitted subscribers were sent, they received.
    assert.equal(result.expected, result.published * 40);
    assert.equal(result.missing, 0);
  });
});
