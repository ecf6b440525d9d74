'use strict';
// Shared set-up for the HTTP API test files: a server with the apps every failure case needs,
// the spec's HTTP signing credentials (protocol-v1 §11.2.4), and helpers that replace sleeps by
// awaiting a marker event that is published after the thing under test.
const assert = require('node:assert/strict');
const { startServer } = require('./harness');
const { signed } = require('./signed-http');
const { rawApp, rawJoin, defaultAppConfig, appConfig, configWithApps } = require('./pusher-clients');

/** App id, key and secret of the spec's HTTP signing test vectors [TV-10]..[TV-16]. */
const VECTOR_APP = { id: '3', key: '278d425bdf160c739803', secret: '7ad3773142a6692b25b8' };
const VECTOR_TIMESTAMP = 1353088179;

/** A second enabled app, a disabled one and the vector app next to the default app. */
function apiApps(defaultOverrides = {}) {
  return [
    defaultAppConfig(defaultOverrides),
    appConfig('off-id', { enabled: false, extra: { key: 'off-key', secret: 'off-secret' } }),
    { id: 'other-id', key: 'other-key', secret: 'other-secret' },
    { id: VECTOR_APP.id, key: VECTOR_APP.key, secret: VECTOR_APP.secret },
  ];
}

/**
 * Starts a server for API tests. The per-IP API limiter is switched off explicitly so the
 * thousands of requests some tests send are never answered 429 whatever the defaults are.
 */
function startApiServer({ defaultOverrides, extraApps = [], extraConfig = {}, env = {}, workers } = {}) {
  return startServer({
    config: configWithApps([...apiApps(defaultOverrides), ...extraApps], extraConfig),
    env: { RATE_LIMITER_ENABLED: 'false', ...env },
    workers,
  });
}

const nowSeconds = () => Math.floor(Date.now() / 1000);

/**
 * Asserts an HTTP API error response: status, JSON content type, {"error": text, "code": status}.
 * `context` is added to failure messages (e.g. the request body that was sent).
 */
function assertApiError(res, status, messagePattern, context = '') {
  const where = context ? ` [${context}]` : '';
  assert.equal(res.status, status, `expected ${status}, got ${res.status}: ${res.body}${where}`);
  assert.match(String(res.headers['content-type']), /^application\/json/, `content-type of a ${status}${where}`);
  assert.ok(res.json && typeof res.json === 'object', `error body must be JSON: ${res.body}${where}`);
  assert.equal(typeof res.json.error, 'string', `${res.body}${where}`);
  assert.ok(res.json.error.length > 0, `the error message is not empty${where}`);
  assert.equal(res.json.code, status, `"code" carries the HTTP status: ${res.body}${where}`);
  if (messagePattern) assert.match(res.json.error, messagePattern, where);
}

let markerSeq = 0;
/**
 * Publishes a marker event to `channel` and waits until every client in `clients` received it.
 * Events from earlier requests on the same channel arrive before it (§11.12 ordering), so once
 * the marker is in, anything that was going to be delivered has been.
 */
async function flushChannel(server, channel, clients, { app } = {}) {
  markerSeq += 1;
  const name = `marker-${markerSeq}`;
  const waits = clients.map((c) => c.next((f) => f.event === name && f.channel === channel, 3000));
  const path = `/apps/${app ? app.id : server.appId}/events`;
  const opts = app ? { key: app.key, secret: app.secret } : {};
  const res = await signed(server, 'POST', path, { body: { name, channel, data: 'm' }, ...opts });
  assert.equal(res.status, 200, `marker publish: ${res.body}`);
  await Promise.all(waits);
}

/** Frames of event `name` on `channel` received so far (including those already consumed). */
function received(client, name, channel) {
  return client.allFrames.filter((f) => f.event === name && (channel === undefined || f.channel === channel));
}

/**
 * A raw client subscribed to `channels` (presence channels joined as `userId`, default a fresh
 * id per client), on the default app or `app` ({id, key, secret}). Pushes it onto `pool` so an
 * after() hook can close it.
 */
let userSeq = 0;
async function subscriber(server, pool, channels, { userId, app } = {}) {
  const c = await rawApp(server, app);
  pool.push(c);
  userSeq += 1;
  const id = userId === undefined ? `u${userSeq}` : userId;
  for (const ch of channels) {
    if (ch.startsWith('presence-')) await rawJoin(c, ch, { channelData: { user_id: id } });
    else await rawJoin(c, ch);
  }
  return c;
}

module.exports = {
  VECTOR_APP, VECTOR_TIMESTAMP, apiApps, startApiServer, nowSeconds, assertApiError,
  flushChannel, received, subscriber,
};
