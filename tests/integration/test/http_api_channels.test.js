'use strict';
// Channel queries and user termination (protocol-v1 §11.5–§11.8; checklist §18.10 API-16..API-22,
// CACHE-08) with hand-signed requests and raw WebSocket clients.
const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { waitFor } = require('../lib/harness');
const { signed, request } = require('../lib/signed-http');
const { rawApp, rawJoin, rawSignin } = require('../lib/pusher-clients');
const { startApiServer, assertApiError, subscriber } = require('../lib/api-fixtures');

const LIST = '/apps/app-id/channels';

describe('HTTP API channel queries', () => {
  let server;
  const clients = [];
  before(async () => { server = await startApiServer(); });
  after(async () => {
    for (const c of clients) c.close();
    await server.stop();
  });
  const sub = (channels, opts) => subscriber(server, clients, channels, opts);
  const get = (path, params) => signed(server, 'GET', path, { params });
  const list = (params) => get(LIST, params);

  describe('GET /channels', () => {
    it('API-16: lists occupied channels only, with {} attributes when no info is asked', async () => {
      const c = await sub(['api16-a', 'api16-b', 'private-api16-c']);
      const res = await list({ filter_by_prefix: 'api16-' });
      assert.equal(res.status, 200, res.body);
      assert.match(res.headers['content-type'], /^application\/json/);
      assert.deepEqual(res.json, { channels: { 'api16-a': {}, 'api16-b': {} } });
      const all = await list();
      assert.ok('private-api16-c' in all.json.channels);
      // A channel nobody is on any more disappears.
      c.send({ event: 'pusher:unsubscribe', data: { channel: 'api16-b' } });
      await waitFor(async () => !('api16-b' in (await list({ filter_by_prefix: 'api16-' })).json.channels), 3000, 'api16-b to be vacated');
      c.close();
      await waitFor(async () => Object.keys((await list({ filter_by_prefix: 'api16-' })).json.channels).length === 0, 3000, 'all api16 channels vacated');
    });

    it('API-16: never lists # channels (server-to-user subscriptions)', async () => {
      const c = await rawApp(server);
      clients.push(c);
      rawSignin(c, { id: 'hash-user' });
      await c.next('pusher:signin_success', 3000);
      await rawJoin(c, '#server-to-user-hash-user');
      await rawJoin(c, 'hash-visible');
      const res = await list();
      assert.ok('hash-visible' in res.json.channels, res.body);
      assert.deepEqual(Object.keys(res.json.channels).filter((n) => n.startsWith('#')), []);
      assert.deepEqual((await list({ filter_by_prefix: '#' })).json, { channels: {} });
    });

    it('API-16: an empty result is {"channels":{}}', async () => {
      const res = await list({ filter_by_prefix: 'nothing-here-' });
      assert.equal(res.status, 200);
      assert.deepEqual(res.json, { channels: {} });
    });

    it('API-17: filter_by_prefix=presence-&info=user_count → distinct users per channel ([TV-11] shape)', async () => {
      await sub(['presence-api17-a'], { userId: 'ann' });
      await sub(['presence-api17-a'], { userId: 'ann' });
      await sub(['presence-api17-a', 'presence-api17-b'], { userId: 'ben' });
      const res = await list({ filter_by_prefix: 'presence-api17', info: 'user_count' });
      assert.equal(res.status, 200, res.body);
      assert.deepEqual(res.json, { channels: { 'presence-api17-a': { user_count: 2 }, 'presence-api17-b': { user_count: 1 } } });
    });

    it('API-17: info=user_count without a presence- filter → 400, even when nothing matches', async () => {
      await sub(['api17-public']);
      for (const params of [{ info: 'user_count' }, { info: 'user_count', filter_by_prefix: 'api17' },
        { info: 'user_count', filter_by_prefix: 'nothing-' }, { info: 'subscription_count,user_count', filter_by_prefix: 'private-' },
        { info: 'user_count', filter_by_prefix: 'presenc' }]) {
        assertApiError(await list(params), 400, undefined, JSON.stringify(params));
      }
    });

    it('info=subscription_count (extension) reports connections per channel', async () => {
      await sub(['api17-subs']);
      await sub(['api17-subs']);
      const res = await list({ filter_by_prefix: 'api17-subs', info: 'subscription_count' });
      assert.deepEqual(res.json, { channels: { 'api17-subs': { subscription_count: 2 } } });
    });
  });

  describe('GET /channels/{name}', () => {
    it('API-18: always reports occupied; requested counts are present, 0 when empty ([TV-12] shape)', async () => {
      assert.deepEqual((await get('/apps/app-id/channels/api18-empty')).json, { occupied: false });
      assert.deepEqual((await get('/apps/app-id/channels/api18-empty', { info: 'subscription_count' })).json, { occupied: false, subscription_count: 0 });
      assert.deepEqual((await get('/apps/app-id/channels/presence-api18-empty', { info: 'user_count,subscription_count' })).json,
        { occupied: false, user_count: 0, subscription_count: 0 });
      await sub(['api18']);
      await sub(['api18']);
      const pub = await get('/apps/app-id/channels/api18', { info: 'subscription_count' });
      assert.equal(pub.status, 200, pub.body);
      assert.deepEqual(pub.json, { occupied: true, subscription_count: 2 });
      assert.deepEqual((await get('/apps/app-id/channels/api18')).json, { occupied: true });
      await sub(['presence-api18'], { userId: 'p1' });
      await sub(['presence-api18'], { userId: 'p1' });
      await sub(['presence-api18'], { userId: 'p2' });
      const pres = await get('/apps/app-id/channels/presence-api18', { info: 'user_count,subscription_count' });
      assert.deepEqual(pres.json, { occupied: true, user_count: 2, subscription_count: 3 });
      // Unknown attribute names are ignored.
      assert.deepEqual((await get('/apps/app-id/channels/api18', { info: 'bogus,subscription_count' })).json, { occupied: true, subscription_count: 2 });
    });

    it('API-19: user_count on a non-presence channel → 400', async () => {
      for (const name of ['api19', 'private-api19', 'private-encrypted-api19', 'cache-api19']) {
        assertApiError(await get(`/apps/app-id/channels/${name}`, { info: 'user_count' }), 400, undefined, name);
      }
    });

    it('CACHE-08: info=cache → {"data","ttl"} of the cached event, null when empty; 400 on a non-cache channel', async () => {
      const empty = await get('/apps/app-id/channels/cache-api-empty', { info: 'cache' });
      assert.equal(empty.status, 200, empty.body);
      assert.deepEqual(empty.json, { occupied: false, cache: null });
      const data = '{"id":1}';
      assert.equal((await signed(server, 'POST', '/apps/app-id/events', { body: { name: 'c', channel: 'cache-api', data } })).status, 200);
      const res = await get('/apps/app-id/channels/cache-api', { info: 'cache,subscription_count' });
      assert.equal(res.status, 200, res.body);
      assert.equal(res.json.occupied, false);
      assert.equal(res.json.subscription_count, 0);
      assert.equal(res.json.cache.data, data, 'the data string of the cached event');
      assert.ok(Number.isInteger(res.json.cache.ttl) && res.json.cache.ttl > 0, `ttl ${res.json.cache.ttl}`);
      assert.deepEqual(Object.keys(res.json.cache).sort(), ['data', 'ttl']);
      assertApiError(await get('/apps/app-id/channels/api-not-cache', { info: 'cache' }), 400);
      assertApiError(await get('/apps/app-id/channels/my-cache-x', { info: 'cache' }), 400);
    });

    it('an invalid channel name → 400', async () => {
      for (const raw of ['bad%20name', 'bad!', `${'x'.repeat(201)}`, '%23server-to-user-', 'caf%C3%A9']) {
        assertApiError(await get(`/apps/app-id/channels/${raw}`), 400, undefined, raw);
      }
      assert.equal((await get(`/apps/app-id/channels/${'x'.repeat(200)}`)).status, 200);
    });
  });

  describe('GET /channels/{name}/users', () => {
    it('API-20: distinct user ids as strings; a user with several sockets appears once ([TV-13] shape)', async () => {
      await sub(['presence-api20'], { userId: 7 });
      await sub(['presence-api20'], { userId: 7 });
      await sub(['presence-api20'], { userId: 'eve' });
      const res = await get('/apps/app-id/channels/presence-api20/users');
      assert.equal(res.status, 200, res.body);
      assert.deepEqual(Object.keys(res.json), ['users']);
      assert.deepEqual(res.json.users.map((u) => u.id).sort(), ['7', 'eve']);
      for (const u of res.json.users) assert.deepEqual(Object.keys(u), ['id']);
    });

    it('API-20: an empty presence channel → {"users":[]}; a member who leaves is gone', async () => {
      assert.deepEqual((await get('/apps/app-id/channels/presence-api20-none/users')).json, { users: [] });
      const c = await sub(['presence-api20-leave'], { userId: 'leaver' });
      assert.deepEqual((await get('/apps/app-id/channels/presence-api20-leave/users')).json, { users: [{ id: 'leaver' }] });
      c.close();
      await waitFor(async () => (await get('/apps/app-id/channels/presence-api20-leave/users')).json.users.length === 0, 3000, 'the member to leave');
    });

    it('API-20: a non-presence channel → 400', async () => {
      for (const name of ['api20-public', 'private-api20', 'private-encrypted-api20', 'cache-api20']) {
        assertApiError(await get(`/apps/app-id/channels/${name}/users`), 400, undefined, name);
      }
    });
  });

  describe('POST /users/{id}/terminate_connections', () => {
    async function signedIn(id) {
      const c = await rawApp(server);
      clients.push(c);
      rawSignin(c, { id });
      await c.next('pusher:signin_success', 3000);
      return c;
    }

    it('API-21: body {} → 200 {}; every signed-in socket of that user gets pusher:error 4009 and close 4009', async () => {
      const a = await signedIn('term-1');
      const b = await signedIn('term-1');
      const other = await signedIn('term-2');
      // Same id used only as presence channel_data: not a signed-in user (§9.2).
      const presenceOnly = await sub(['presence-term'], { userId: 'term-1' });
      const res = await signed(server, 'POST', '/apps/app-id/users/term-1/terminate_connections', { body: '{}' });
      assert.equal(res.status, 200, res.body);
      assert.deepEqual(res.json, {});
      for (const c of [a, b]) {
        const err = await c.next('pusher:error', 3000);
        assert.equal(err.data.code, 4009, JSON.stringify(err));
        assert.equal((await c.waitClose(3000)).code, 4009);
      }
      for (const c of [other, presenceOnly]) {
        c.send({ event: 'pusher:ping', data: {} });
        await c.next('pusher:pong', 2000);
        assert.equal(c.closed, null);
      }
    });

    it('API-21: an empty body is accepted too; an unknown user is a 200 no-op', async () => {
      const c = await signedIn('term-empty');
      const res = await signed(server, 'POST', '/apps/app-id/users/term-empty/terminate_connections');
      assert.equal(res.status, 200, res.body);
      assert.equal((await c.waitClose(3000)).code, 4009);
      const none = await signed(server, 'POST', '/apps/app-id/users/nobody-at-all/terminate_connections', { body: '{}' });
      assert.equal(none.status, 200);
      assert.deepEqual(none.json, {});
    });

    it('the user id in the path is percent-decoded for the lookup', async () => {
      const c = await signedIn('user@example.com');
      const res = await signed(server, 'POST', '/apps/app-id/users/user%40example.com/terminate_connections', { body: '{}' });
      assert.equal(res.status, 200, res.body);
      assert.equal((await c.waitClose(3000)).code, 4009);
    });

    it('GET is not terminate_connections', async () => {
      const c = await signedIn('term-get');
      const res = await signed(server, 'GET', '/apps/app-id/users/term-get/terminate_connections');
      assert.ok([404, 405].includes(res.status), `status ${res.status}`);
      assertApiError(res, res.status);
      c.send({ event: 'pusher:ping', data: {} });
      await c.next('pusher:pong', 2000);
    });
  });

  describe('routing', () => {
    it('API-22: unknown routes → 404; a known path with the wrong method → 405 or 404 (JSON)', async () => {
      for (const path of ['/apps/app-id/nope', '/apps/app-id/channels/a/b/c', '/apps/app-id/users/x', '/apps/app-id/users/x/y', '/apps/app-id/events/x']) {
        assertApiError(await get(path), 404, undefined, path);
      }
      for (const [method, path] of [['GET', '/apps/app-id/events'], ['GET', '/apps/app-id/batch_events'], ['POST', LIST], ['DELETE', LIST], ['PUT', '/apps/app-id/events']]) {
        const res = await signed(server, method, path, method === 'GET' || method === 'DELETE' ? {} : { body: '{}' });
        assert.ok([404, 405].includes(res.status), `${method} ${path}: ${res.status}`);
        assertApiError(res, res.status, undefined, `${method} ${path}`);
      }
      // Outside /apps/ the text/plain 404 of the operational listener applies.
      const plain = await request(server.port, 'GET', '/apps');
      assert.equal(plain.status, 404);
    });
  });
});
