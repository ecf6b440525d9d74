'use strict';
// The real clients in Node: pusher-js (node build, which bundles tweetnacl so encrypted channels
// work), laravel-echo (ESM-only in practice, loaded with import()) and the `pusher` server SDK,
// pointed at a server started by harness.js. Signatures are produced locally by the SDK inside
// pusher-js custom handlers, so no HTTP auth endpoint is needed. Every wait is bounded.
const PusherJs = require('pusher-js');
const PusherSdk = require('pusher');

/** The official Node server SDK for `server` (or for explicit credentials). */
function serverSdk(server, creds = {}) {
  return new PusherSdk({
    appId: creds.appId || server.appId,
    key: creds.key || server.key,
    secret: creds.secret || server.secret,
    host: '127.0.0.1',
    port: String(server.port),
    useTLS: false,
    ...(creds.encryptionMasterKeyBase64 ? { encryptionMasterKeyBase64: creds.encryptionMasterKeyBase64 } : {}),
  });
}

const clients = new Set();

/**
 * A pusher-js client for `server`. Options:
 *   key, secret, appId           credentials (default: the server's default app)
 *   user                          {id, user_info?, watchlist?} used for sign-in (userAuthentication)
 *   presence                      {user_id, user_info?} used as channel_data for presence channels
 *                                 (omit to subscribe without channel_data, i.e. via the signed-in user)
 *   encryptionMasterKeyBase64     master key for private-encrypted- channels
 *   channelAuth(params)           override: returns {auth, channel_data?, shared_secret?} or throws
 *   userAuth(params)              override: returns {auth, user_data} or throws
 *   pusherOptions                 extra pusher-js options (activityTimeout, ...)
 * The client is tracked; closeAllPushers() disconnects every client still open.
 */
function createPusher(server, opts = {}) {
  const sdk = serverSdk(server, opts);
  const channelHandler = (params, callback) => {
    try {
      let result;
      if (opts.channelAuth) {
        result = opts.channelAuth(params, sdk);
      } else if (params.channelName.startsWith('presence-') && opts.presence) {
        result = sdk.authorizeChannel(params.socketId, params.channelName, opts.presence);
      } else {
        result = sdk.authorizeChannel(params.socketId, params.channelName);
      }
      callback(null, result);
    } catch (e) {
      callback(e, null);
    }
  };
  const userHandler = (params, callback) => {
    try {
      const result = opts.userAuth ? opts.userAuth(params, sdk) : sdk.authenticateUser(params.socketId, opts.user);
      callback(null, result);
    } catch (e) {
      callback(e, null);
    }
  };
  const pusher = new PusherJs(opts.key || server.key, {
    wsHost: '127.0.0.1',
    wsPort: server.port,
    wssPort: server.port,
    forceTLS: false,
    enabledTransports: ['ws'],
    disableStats: true,
    cluster: 'mt1',
    channelAuthorization: { customHandler: channelHandler },
    userAuthentication: { customHandler: userHandler },
    ...(opts.pusherOptions || {}),
  });
  // A log of every decoded frame this client received, for wire-level assertions.
  pusher.frameLog = [];
  pusher.connection.bind('message', (ev) => { pusher.frameLog.push(ev); });
  pusher.stateLog = [];
  pusher.connection.bind('state_change', (s) => { pusher.stateLog.push({ ...s, at: Date.now() }); });
  // The bundled faye-websocket client arms a 30 s close-handshake timer when pusher-js closes a
  // socket the server already closed (e.g. after 4009/4200); unref it so it cannot keep the test
  // process alive.
  pusher.connection.bind('connected', () => {
    const conn = pusher.connection.connection;
    const sock = conn && conn.transport && conn.transport.socket;
    if (sock && typeof sock.close === 'function' && !sock.itestPatched) {
      const close = sock.close;
      sock.close = function patchedClose(...args) {
        const r = close.apply(this, args);
        if (this._closeTimer && typeof this._closeTimer.unref === 'function') this._closeTimer.unref();
        return r;
      };
      sock.itestPatched = true;
    }
  });
  clients.add(pusher);
  return pusher;
}

/**
 * Races `promise` against a timeout. The result is marked as handled, so a waiter that a failing
 * test never reaches cannot surface later as an unhandled rejection inside another test; awaiting
 * it still throws.
 */
function withTimeout(promise, ms, what) {
  let timer;
  const raced = Promise.race([
    promise,
    new Promise((_, reject) => { timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms waiting for ${what}`)), ms); }),
  ]).finally(() => clearTimeout(timer));
  raced.catch(() => {});
  return raced;
}

/** Resolves when the connection reaches `state` (immediately if already there). */
function waitForState(pusher, state, ms = 5000) {
  if (pusher.connection.state === state) return Promise.resolve();
  return withTimeout(new Promise((resolve) => {
    const cb = ({ current }) => {
      if (current === state) { pusher.connection.unbind('state_change', cb); resolve(); }
    };
    pusher.connection.bind('state_change', cb);
  }), ms, `pusher-js state "${state}" (now "${pusher.connection.state}", log ${JSON.stringify(pusher.stateLog.map((s) => s.current))})`);
}

/** Connects (if needed) and resolves with the socket_id once connected. */
async function connected(pusher, ms = 5000) {
  await waitForState(pusher, 'connected', ms);
  return pusher.connection.socket_id;
}

/** Resolves with the data of the first emission of `eventName` on an event dispatcher (channel, user, ...). */
function once(emitter, eventName, ms = 3000) {
  return onceWithMeta(emitter, eventName, ms).then((r) => r.data);
}

/** Like once() but resolves with {data, meta} (pusher-js passes {user_id} metadata for client events). */
function onceWithMeta(emitter, eventName, ms = 3000) {
  return withTimeout(new Promise((resolve) => {
    const cb = (data, meta) => { emitter.unbind(eventName, cb); resolve({ data, meta }); };
    emitter.bind(eventName, cb);
  }), ms, `event "${eventName}"`);
}

/** Subscribes and resolves with the channel once pusher:subscription_succeeded fires; rejects on subscription_error. */
function subscribe(pusher, channelName, ms = 3000) {
  const channel = pusher.subscribe(channelName);
  if (channel.subscribed) return Promise.resolve(channel);
  return withTimeout(new Promise((resolve, reject) => {
    const ok = () => { cleanup(); resolve(channel); };
    const err = (e) => { cleanup(); reject(Object.assign(new Error(`subscription_error on ${channelName}: ${JSON.stringify(e)}`), { detail: e })); };
    const cleanup = () => { channel.unbind('pusher:subscription_succeeded', ok); channel.unbind('pusher:subscription_error', err); };
    channel.bind('pusher:subscription_succeeded', ok);
    channel.bind('pusher:subscription_error', err);
  }), ms, `subscription to ${channelName}`);
}

/** Disconnects a client and forgets it. */
function closePusher(pusher) {
  if (!pusher) return;
  try { pusher.disconnect(); } catch { /* ignore */ }
  clients.delete(pusher);
}

function closeAllPushers() {
  for (const p of [...clients]) closePusher(p);
}

let EchoClass;
/** laravel-echo's Echo class. Its CommonJS entry does not load under Node's require, so import() the ESM build. */
async function loadEcho() {
  if (!EchoClass) EchoClass = (await import('laravel-echo')).default;
  return EchoClass;
}

/** A Laravel Echo instance driving an existing pusher-js client. */
async function createEcho(pusher, options = {}) {
  const Echo = await loadEcho();
  return new Echo({ broadcaster: 'pusher', client: pusher, key: pusher.key, ...options });
}

// ---------------------------------------------------------------------------------------------
// Raw-protocol helpers shared by the WebSocket test files (RawClient from ws-client.js).
const { connect } = require('./ws-client');
const { channelAuth, userAuth } = require('./auth');

/** The credentials of the server's default app, or of `app` ({id,key,secret}). */
function creds(server, app) {
  return app ? { appId: app.id, key: app.key, secret: app.secret } : { appId: server.appId, key: server.key, secret: server.secret };
}

/** Connects a raw client to /app/{key} and waits for connection_established (socketId set). */
async function rawClient(server, { key, query = 'protocol=7&client=js&version=8.4.0&flash=false', options } = {}) {
  const c = await connect(server, `/app/${key || server.key}?${query}`, options);
  // Every frame after the handshake, never consumed by next(), for whole-session assertions.
  c.allFrames = [];
  c.ws.on('message', (d) => {
    try { c.allFrames.push(JSON.parse(d.toString('utf8'))); } catch { c.allFrames.push({ raw: d.toString('utf8') }); }
  });
  await c.established();
  c.app = { id: server.appId, key: key || server.key, secret: server.secret };
  return c;
}

/**
 * Sends pusher:subscribe for `channel`, signing private/presence/encrypted channels with the
 * app's secret for this client's socket_id. `channelData` (object or exact string) for presence.
 */
function rawSubscribe(c, channel, { app, channelData, auth } = {}) {
  const { key, secret } = app || c.app;
  const data = { channel };
  const cd = channelData === undefined ? undefined : (typeof channelData === 'string' ? channelData : JSON.stringify(channelData));
  if (auth !== undefined) data.auth = auth;
  else if (/^(private-|presence-)/.test(channel)) data.auth = channelAuth(key, secret, c.socketId, channel, cd);
  else data.auth = '';
  if (cd !== undefined) data.channel_data = cd;
  c.send({ event: 'pusher:subscribe', data });
}

/** Next subscription_succeeded frame for `channel`. */
function nextSucceeded(c, channel, ms = 3000) {
  return c.next((f) => f.event === 'pusher_internal:subscription_succeeded' && f.channel === channel, ms);
}

/** Next pusher:subscription_error for `channel`; returns { frame, body } with the decoded data. */
async function nextSubError(c, channel, ms = 3000) {
  const frame = await c.next((f) => f.event === 'pusher:subscription_error' && f.channel === channel, ms);
  let body;
  try { body = typeof frame.data === 'string' ? JSON.parse(frame.data) : frame.data; } catch { body = frame.data; }
  return { frame, body };
}

/** Subscribes and waits for success; returns the success frame. */
async function rawJoin(c, channel, opts = {}) {
  rawSubscribe(c, channel, opts);
  return nextSucceeded(c, channel, opts.timeoutMs);
}

/** Sends pusher:signin for user data (object or exact string), signed with the app secret. */
function rawSignin(c, userData, { app, auth } = {}) {
  const { key, secret } = app || c.app;
  const ud = typeof userData === 'string' ? userData : JSON.stringify(userData);
  c.send({ event: 'pusher:signin', data: { auth: auth !== undefined ? auth : userAuth(key, secret, c.socketId, ud), user_data: ud } });
  return ud;
}

/** Connects a raw client bound to an app's credentials (c.app) and waits for the handshake. */
async function rawApp(server, app) {
  const a = app || { id: server.appId, key: server.key, secret: server.secret };
  const c = await rawClient(server, { key: a.key });
  c.app = a;
  return c;
}

/** The default app as the embedded defaults describe it, for config files that must keep it. */
function defaultAppConfig(overrides = {}) {
  return {
    id: 'app-id', key: 'app-key', secret: 'app-secret', enabled: true,
    policy: {
      limits: { max_connections: 100000, max_client_events_per_second: 1000, ...(overrides.limits || {}) },
      features: { enable_client_messages: true, enable_user_authentication: true, ...(overrides.features || {}) },
      ...(overrides.channels ? { channels: overrides.channels } : {}),
    },
  };
}

/** An app record in Sockudo's nested form. */
function appConfig(id, { enabled = true, limits = {}, features = {}, channels, extra = {} } = {}) {
  return {
    id, key: `${id}-key`, secret: `${id}-secret`, enabled,
    policy: { limits, features, ...(channels ? { channels } : {}) },
    ...extra,
  };
}

/** A config file body with these apps (Sockudo key names) plus extra top-level keys. */
function configWithApps(apps, extra = {}) {
  return { ...extra, app_manager: { driver: 'memory', array: { apps } } };
}

/** Every server→client V1 frame must use only these envelope fields (spec §2.2, §0.4). */
const ENVELOPE_FIELDS = new Set(['event', 'channel', 'data', 'user_id']);

module.exports = {
  PusherJs, PusherSdk, serverSdk, createPusher, createEcho, loadEcho,
  waitForState, connected, once, onceWithMeta, subscribe, withTimeout, closePusher, closeAllPushers,
  creds, rawClient, rawApp, rawSubscribe, rawJoin, rawSignin, nextSucceeded, nextSubError,
  defaultAppConfig, appConfig, configWithApps, ENVELOPE_FIELDS,
};
