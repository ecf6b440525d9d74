'use strict';
// Graceful shutdown (spec protocol-v1.md §3.10, checklist CON-22; operations.md §9.2, §6.5):
// on SIGTERM every client gets pusher:error 4200 then close 4200, /up answers 503 DRAINING while
// draining, and the process exits 0 within shutdown_grace_period.
const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const http = require('node:http');
const { startServer } = require('../lib/harness');
const { connect } = require('../lib/ws-client');
const {
  rawApp, rawJoin, rawSignin, createPusher, connected, subscribe, closeAllPushers,
} = require('../lib/pusher-clients');

const GRACE_S = 2;

function getWith(agent, port, path) {
  return new Promise((resolve) => {
    const req = http.get({ host: '127.0.0.1', port, path, agent, timeout: 1000 }, (res) => {
      let body = '';
      res.setEncoding('utf8');
      res.on('data', (c) => { body += c; });
      res.on('end', () => resolve({ status: res.statusCode, header: res.headers['x-health-check'], body }));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', (e) => resolve({ error: e.code || e.message }));
  });
}

describe('graceful shutdown', () => {
  let server;
  before(async () => { server = await startServer({ env: { SHUTDOWN_GRACE_PERIOD: String(GRACE_S) } }); });
  after(async () => { closeAllPushers(); await server.stop('SIGKILL'); });

  it('CON-22: SIGTERM → pusher:error 4200 + close 4200 to every client, /up 503 DRAINING, pusher-js reconnects immediately, exit 0 within the grace period', async () => {
    // A few connections in different states.
    const plain = await rawApp(server);
    const subscribed = await rawApp(server);
    await rawJoin(subscribed, 'shutdown-public');
    await rawJoin(subscribed, 'presence-shutdown', { channelData: { user_id: 'sd' } });
    const signed = await rawApp(server);
    rawSignin(signed, { id: 'sd-user' });
    await signed.next('pusher:signin_success');
    const raws = [plain, subscribed, signed];
    const pusher = createPusher(server);
    await connected(pusher);
    await subscribe(pusher, 'private-shutdown');

    // Keep-alive HTTP connections opened before the signal, so /up can be observed while draining.
    const agents = Array.from({ length: 4 }, () => new http.Agent({ keepAlive: true, maxSockets: 1 }));
    for (const agent of agents) {
      const up = await getWith(agent, server.port, '/up');
      assert.equal(up.status, 200, `/up before shutdown: ${JSON.stringify(up)}`);
    }

    const t0 = Date.now();
    const exited = server.stop('SIGTERM', (GRACE_S + 6) * 1000);
    const probes = [];
    const probing = (async () => {
      let i = 0;
      while (server.child.exitCode === null && server.child.signalCode === null && Date.now() - t0 < (GRACE_S + 5) * 1000) {
        const agent = agents[i % agents.length];
        i += 1;
        probes.push(await getWith(agent, server.port, '/up'));
        probes.push(await getWith(false, server.port, '/up'));
        await new Promise((r) => setTimeout(r, 30));
      }
    })();

    for (const c of raws) {
      const closed = await c.waitClose((GRACE_S + 3) * 1000);
      const err = c.frames.find((f) => f.event === 'pusher:error');
      assert.ok(err, `pusher:error before the close: ${JSON.stringify(c.frames)}`);
      assert.equal(typeof err.data, 'object');
      assert.equal(err.data.code, 4200, JSON.stringify(err));
      assert.equal(typeof err.data.message, 'string');
      assert.equal(closed.code, 4200, `close code (reason "${closed.reason}")`);
    }
    const closedAt = Date.now() - t0;

    // pusher-js maps 4200 to "reconnect immediately": connected → connecting without a backoff state.
    const deadline = Date.now() + 2000;
    while (pusher.stateLog.every((s) => s.previous !== 'connected') && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
    const leave = pusher.stateLog.find((s) => s.previous === 'connected');
    assert.ok(leave, `pusher-js noticed the close: ${JSON.stringify(pusher.stateLog)}`);
    assert.equal(leave.current, 'connecting', `pusher-js should reconnect after 4200, went to ${leave.current}`);
    // "immediately" (retry action, delay 0) as opposed to the 1 s used for codes without an action
    assert.ok(leave.at - t0 <= closedAt + 600, `pusher-js reconnected ${leave.at - t0 - closedAt} ms after the raw clients saw the close`);
    pusher.disconnect();

    const result = await exited;
    const exitedAt = Date.now() - t0;
    await probing;
    for (const agent of agents) agent.destroy();
    assert.deepEqual(result, { code: 0, signal: null }, `exit status; output:\n${server.output().slice(-2000)}`);
    assert.ok(closedAt < exitedAt + 50, 'clients are closed before the process exits');
    assert.ok(exitedAt <= (GRACE_S + 2) * 1000, `exited after ${exitedAt} ms (grace period ${GRACE_S} s)`);
    const draining = probes.filter((p) => p.status === 503);
    assert.ok(draining.length > 0, `/up must answer 503 DRAINING while draining; probes: ${JSON.stringify(probes.slice(0, 20))}`);
    for (const p of draining) {
      assert.equal(p.body, 'DRAINING');
      assert.equal(p.header, 'DRAINING');
    }
  });
});

describe('new connections while draining', () => {
  let server;
  before(async () => { server = await startServer({ env: { SHUTDOWN_GRACE_PERIOD: String(GRACE_S) } }); });
  after(async () => { await server.stop('SIGKILL'); });

  it('a WebSocket upgrade during the drain is refused (HTTP 503 / connection refused) or closed with 4200, never established', async () => {
    const holder = await rawApp(server);
    const exited = server.stop('SIGTERM', (GRACE_S + 6) * 1000);
    await holder.waitClose(3000);
    const outcomes = [];
    for (let i = 0; i < 3 && server.child.exitCode === null; i += 1) {
      const outcome = await connect(server).then(async (c) => {
        const f = await c.next(() => true, 2000).catch(() => null);
        const closed = await c.waitClose(3000).catch(() => null);
        c.close();
        return { frame: f, closed };
      }, (e) => ({ refused: e.message }));
      outcomes.push(outcome);
      if (outcome.frame) {
        assert.notEqual(outcome.frame.event, 'pusher:connection_established', 'a draining server must not accept new connections');
        assert.equal(outcome.frame.data.code, 4200);
        assert.equal(outcome.closed && outcome.closed.code, 4200);
      } else if (outcome.refused) {
        assert.match(outcome.refused, /503|ECONNREFUSED|ECONNRESET|socket hang up/, outcome.refused);
      }
    }
    const result = await exited;
    assert.equal(result.code, 0);
  });
});
