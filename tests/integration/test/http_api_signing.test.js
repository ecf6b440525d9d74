'use strict';
// HTTP API request signing (protocol-v1 §11.2; checklist §18.9 SIG-01, SIG-03..SIG-12). Every
// failure case is a hand-signed raw request that differs from a valid one in exactly the aspect
// under test, so each test fails if the server stops checking that aspect. SIG-02 (the SDKs) is
// in http_api_sdk.test.js.
const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { startServer } = require('../lib/harness');
const { signed, signQuery, request, md5, hmac } = require('../lib/signed-http');
const { defaultAppConfig, configWithApps } = require('../lib/pusher-clients');
const {
  VECTOR_APP, VECTOR_TIMESTAMP, startApiServer, nowSeconds, assertApiError, subscriber,
} = require('../lib/api-fixtures');

const EVENTS = '/apps/app-id/events';
const CHANNELS = '/apps/app-id/channels';
const validBody = JSON.stringify({ name: 'sig-ev', channel: 'sig-ch', data: 'd' });

/** Replaces the auth_signature of a query string. */
const withSignature = (query, sig) => query.replace(/auth_signature=[0-9a-fA-F]*/, `auth_signature=${sig}`);

/** A query string signed over explicit [key, value] pairs as sent (raw) and as signed (decoded). */
function manualQuery(method, path, pairs, { secret = 'app-secret', signPairs } = {}) {
  const toSign = (signPairs || pairs)
    .map(([k, v]) => [k.toLowerCase(), v])
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  // Keys occurring twice sign with their last value (§11.2.2), as the server does.
  const dedup = [];
  for (const [k, v] of toSign) {
    const i = dedup.findIndex(([dk]) => dk === k);
    if (i >= 0) dedup[i] = [k, v]; else dedup.push([k, v]);
  }
  const canonical = dedup.map(([k, v]) => `${k}=${v}`).join('&');
  const signature = hmac(secret, `${method}\n${path}\n${canonical}`);
  return `${pairs.map(([k, v]) => `${k}=${v}`).join('&')}&auth_signature=${signature}`;
}

const authPairs = (ts = nowSeconds()) => [['auth_key', 'app-key'], ['auth_timestamp', String(ts)], ['auth_version', '1.0']];

describe('HTTP API signing', () => {
  let server;
  const clients = [];
  before(async () => { server = await startApiServer(); });
  after(async () => {
    for (const c of clients) c.close();
    await server.stop();
  });

  describe('SIG-01: the spec vectors [TV-10]..[TV-16]', () => {
    // The server has no clock override, so the literal vectors are checked in two halves: the
    // test signer reproduces every published signature byte for byte, and the server accepts the
    // same requests (same app, path, params, body) signed by that signer at the current time.
    const base = `auth_key=${VECTOR_APP.key}&auth_timestamp=${VECTOR_TIMESTAMP}&auth_version=1.0`;
    const vectors = [
      {
        id: 'TV-10', method: 'POST', path: '/apps/3/events',
        body: '{"name":"foo","channels":["project-3"],"data":"{\\"some\\":\\"data\\"}"}',
        md5: 'ec365a775a4cd0599faeb73354201b6f',
        sig: 'da454824c97ba181a32ccc17a72625ba02771f50b50e1e7430e47a1f3f457e6c',
        expect: {},
      },
      {
        id: 'TV-11', method: 'GET', path: '/apps/3/channels', params: { filter_by_prefix: 'presence-', info: 'user_count' },
        sig: '16819168891cb5dfd72b5c7a5d3d602605b26c6ba1930033b5e2eeeb65010291',
        expect: { channels: { 'presence-foobar': { user_count: 1 }, 'presence-room': { user_count: 1 } } },
      },
      {
        id: 'TV-12a', method: 'GET', path: '/apps/3/channels/presence-foobar', params: { info: 'user_count' },
        sig: '4a3f2072171ff7ef80a933451b38ec483e1385faf0389630e3b994b581609157',
        expect: { occupied: true, user_count: 1 },
      },
      {
        id: 'TV-12b', method: 'GET', path: '/apps/3/channels/my-channel', params: { info: 'subscription_count' },
        sig: 'd0330e1ce3225ef91d321d44bf89b116a9726b5238c0b85b77fddcfc12caa54d',
        expect: { occupied: false, subscription_count: 0 },
      },
      {
        id: 'TV-13', method: 'GET', path: '/apps/3/channels/presence-foobar/users',
        sig: '5567dd30e7f8575e66be615d2aac3f608a0c311c31ddab8513a278b022e9597e',
        expect: { users: [{ id: 'v1' }] },
      },
      {
        id: 'TV-14', method: 'POST', path: '/apps/3/batch_events',
        body: '{"batch":[{"channel":"my-channel","name":"my-event","data":"{\\"n\\":1}"},{"channel":"presence-room","name":"my-event","data":"{\\"n\\":2}","info":"user_count"}]}',
        md5: 'c6ded6d2e2fbc4e8aa59c6d441258fa4',
        sig: 'fce9c5bbb51a1070c8974ce3f37549a46495c9b8c02f507c126bf436294c7472',
        expect: { batch: [{}, { user_count: 1 }] },
      },
      {
        id: 'TV-15', method: 'POST', path: '/apps/3/users/12345/terminate_connections', body: '{}',
        md5: '99914b932bd37a50b983c5e7c90ae93b',
        sig: '01fa634edeb0cae84115307cad5c23f65a46cd286461b1c89637a3b5871a8f0e',
        expect: {},
      },
      {
        id: 'TV-16', method: 'POST', path: '/apps/3/events',
        body: '{"name":"my-event","channels":["presence-room","my-channel"],"data":"{\\"hello\\":\\"world\\"}","socket_id":"1234.1234","info":"user_count,subscription_count"}',
        md5: 'db8bed62f31dae2a97091ce7819bce56',
        sig: 'c165efa097832a8434622f330069e7ca642512b82acf74fb813b8ca55940cee9',
        // The spec's example response for [TV-16], with one member in presence-room.
        expect: { channels: { 'presence-room': { user_count: 1, subscription_count: 1 }, 'my-channel': { subscription_count: 0 } } },
      },
    ];

    it('the test signer reproduces every published signature', () => {
      for (const v of vectors) {
        if (v.body) assert.equal(md5(v.body), v.md5, `${v.id} body_md5`);
        const query = signQuery(v.method, v.path, {
          params: v.params, body: v.body, key: VECTOR_APP.key, secret: VECTOR_APP.secret, timestamp: VECTOR_TIMESTAMP,
        });
        assert.equal(query.match(/auth_signature=([0-9a-f]+)/)[1], v.sig, v.id);
      }
    });

    it('replayed verbatim they are refused as stale (the 2012 timestamp is outside the window)', async () => {
      for (const v of vectors) {
        let query = base;
        if (v.body) query += `&body_md5=${v.md5}`;
        for (const [k, val] of Object.entries(v.params || {})) query += `&${k}=${val}`;
        query += `&auth_signature=${v.sig}`;
        const res = await request(server.port, v.method, `${v.path}?${query}`, { body: v.body });
        assertApiError(res, 401, /timestamp/i);
      }
    });

    it('the same requests signed now are accepted with the spec\'s response bodies', async () => {
      // One member in each presence channel the vectors name, nobody on my-channel.
      const vectorApp = { id: VECTOR_APP.id, key: VECTOR_APP.key, secret: VECTOR_APP.secret };
      const { rawApp, rawJoin } = require('../lib/pusher-clients');
      const member = await rawApp(server, vectorApp);
      clients.push(member);
      await rawJoin(member, 'presence-foobar', { channelData: { user_id: 'v1' } });
      await rawJoin(member, 'presence-room', { channelData: { user_id: 'v1' } });
      for (const v of vectors) {
        const res = await signed(server, v.method, v.path, {
          params: v.params, body: v.body, key: VECTOR_APP.key, secret: VECTOR_APP.secret,
        });
        assert.equal(res.status, 200, `${v.id}: ${res.body}`);
        assert.deepEqual(res.json, v.expect, v.id);
      }
    });
  });

  it('SIG-03: a wrong signature → 401 with a JSON error body', async () => {
    const query = signQuery('POST', EVENTS, { body: validBody });
    const good = query.match(/auth_signature=([0-9a-f]+)/)[1];
    const flipped = (good[0] === '0' ? '1' : '0') + good.slice(1);
    assertApiError(await request(server.port, 'POST', `${EVENTS}?${withSignature(query, flipped)}`, { body: validBody }), 401);
    // Signed with the secret of another app.
    const other = signQuery('POST', EVENTS, { body: validBody, secret: 'other-secret' });
    assertApiError(await request(server.port, 'POST', `${EVENTS}?${other}`, { body: validBody }), 401);
    // Truncated and empty signatures.
    assertApiError(await request(server.port, 'POST', `${EVENTS}?${withSignature(query, good.slice(0, 63))}`, { body: validBody }), 401);
    assertApiError(await request(server.port, 'POST', `${EVENTS}?${withSignature(query, '')}`, { body: validBody }), 401);
    // The untouched query is accepted, so the failures above come from the signature alone.
    assert.equal((await request(server.port, 'POST', `${EVENTS}?${query}`, { body: validBody })).status, 200);
  });

  it('SIG-03: the method is part of the signature', async () => {
    const asPost = signQuery('POST', CHANNELS);
    assertApiError(await request(server.port, 'GET', `${CHANNELS}?${asPost}`), 401);
  });

  it('unsigned requests and requests missing auth_key, auth_timestamp or auth_signature → 401', async () => {
    assertApiError(await request(server.port, 'GET', CHANNELS), 401);
    assertApiError(await request(server.port, 'POST', EVENTS, { body: validBody }), 401);
    const full = signQuery('GET', CHANNELS);
    for (const key of ['auth_key', 'auth_timestamp', 'auth_signature']) {
      const without = full.split('&').filter((p) => !p.startsWith(`${key}=`)).join('&');
      assertApiError(await request(server.port, 'GET', `${CHANNELS}?${without}`), 401);
    }
    // A signature over the remaining params does not help either.
    const noKey = manualQuery('GET', CHANNELS, authPairs().filter(([k]) => k !== 'auth_key'));
    assertApiError(await request(server.port, 'GET', `${CHANNELS}?${noKey}`), 401);
    const noTs = manualQuery('GET', CHANNELS, authPairs().filter(([k]) => k !== 'auth_timestamp'));
    assertApiError(await request(server.port, 'GET', `${CHANNELS}?${noTs}`), 401);
  });

  it('SIG-04: a timestamp 601 s old or in the future → 401; 599 s either way is accepted', async () => {
    // The server reads its clock after the test does; the future bound gets one second of margin
    // so a second boundary passing in between cannot bring it back inside the window.
    const now = nowSeconds();
    for (const ts of [now - 601, now + 602, now - 3600, 0]) {
      assertApiError(await signed(server, 'GET', CHANNELS, { timestamp: ts }), 401, /timestamp/i);
    }
    for (const ts of [now - 599, now + 599, now]) {
      const res = await signed(server, 'GET', CHANNELS, { timestamp: ts });
      assert.equal(res.status, 200, `offset ${ts - now}: ${res.body}`);
    }
    for (const ts of ['abc', '1e9', '', `${now}.5`, ` ${now}`]) {
      assertApiError(await signed(server, 'GET', CHANNELS, { timestamp: ts }), 401);
    }
  });

  it('SIG-05: a body changed after signing (body_md5 mismatch) → 401', async () => {
    const query = signQuery('POST', EVENTS, { body: validBody });
    assertApiError(await request(server.port, 'POST', `${EVENTS}?${query}`, { body: validBody.replace('"d"', '"x"') }), 401, /body_md5/);
    assertApiError(await request(server.port, 'POST', `${EVENTS}?${query}`, { body: `${validBody} ` }), 401, /body_md5/);
    // A body_md5 that is signed but does not describe the body.
    const lying = manualQuery('POST', EVENTS, [...authPairs(), ['body_md5', md5('something else')]]);
    assertApiError(await request(server.port, 'POST', `${EVENTS}?${lying}`, { body: validBody }), 401, /body_md5/);
    // Upper-case hex of the right digest is the same digest.
    const upper = manualQuery('POST', EVENTS, [...authPairs(), ['body_md5', md5(validBody).toUpperCase()]]);
    assert.equal((await request(server.port, 'POST', `${EVENTS}?${upper}`, { body: validBody })).status, 200);
  });

  it('SIG-06: a non-empty body without body_md5 → 401; an empty body may carry the empty digest', async () => {
    assertApiError(await signed(server, 'POST', EVENTS, { body: validBody, omitMd5: true }), 401, /body_md5/);
    const emptyDigest = manualQuery('GET', CHANNELS, [...authPairs(), ['body_md5', md5('')]]);
    assert.equal((await request(server.port, 'GET', `${CHANNELS}?${emptyDigest}`)).status, 200);
    const wrongDigest = manualQuery('GET', CHANNELS, [...authPairs(), ['body_md5', md5('{}')]]);
    assertApiError(await request(server.port, 'GET', `${CHANNELS}?${wrongDigest}`), 401, /body_md5/);
  });

  it('SIG-07: the auth_key of another app, or an unknown key → 401', async () => {
    assertApiError(await signed(server, 'GET', CHANNELS, { key: 'other-key', secret: 'other-secret' }), 401);
    assertApiError(await signed(server, 'GET', CHANNELS, { key: 'other-key', secret: 'app-secret' }), 401);
    assertApiError(await signed(server, 'GET', CHANNELS, { key: 'no-such-key', secret: 'app-secret' }), 401);
    // The other app's own credentials work on its own path.
    assert.equal((await signed(server, 'GET', '/apps/other-id/channels', { key: 'other-key', secret: 'other-secret' })).status, 200);
  });

  it('SIG-08: an unknown app id → 404, signed or not', async () => {
    assertApiError(await signed(server, 'GET', '/apps/nope/channels'), 404);
    assertApiError(await request(server.port, 'POST', '/apps/nope/events', { body: validBody }), 404);
    assertApiError(await signed(server, 'POST', '/apps/nope/events', { body: validBody }), 404);
  });

  it('SIG-09: a disabled app → 403, but only once the request is authenticated', async () => {
    const creds = { key: 'off-key', secret: 'off-secret' };
    assertApiError(await signed(server, 'GET', '/apps/off-id/channels', creds), 403);
    assertApiError(await signed(server, 'POST', '/apps/off-id/events', { body: validBody, ...creds }), 403);
    // Unauthenticated callers learn nothing about the app's state.
    assertApiError(await request(server.port, 'GET', '/apps/off-id/channels'), 401);
    assertApiError(await signed(server, 'GET', '/apps/off-id/channels', { key: 'off-key', secret: 'wrong' }), 401);
  });

  it('SIG-10: values are signed decoded (info=user_count%2Csubscription_count signed with a comma)', async () => {
    await subscriber(server, clients, ['presence-sig10']);
    const path = '/apps/app-id/channels/presence-sig10';
    const query = manualQuery('GET', path, [...authPairs(), ['info', 'user_count%2Csubscription_count']], {
      signPairs: [...authPairs(), ['info', 'user_count,subscription_count']],
    });
    const res = await request(server.port, 'GET', `${path}?${query}`);
    assert.equal(res.status, 200, res.body);
    assert.deepEqual(res.json, { occupied: true, user_count: 1, subscription_count: 1 });
    // Signing the encoded form instead is a different string to sign.
    const encodedSigned = manualQuery('GET', path, [...authPairs(), ['info', 'user_count%2Csubscription_count']]);
    assertApiError(await request(server.port, 'GET', `${path}?${encodedSigned}`), 401);
  });

  it('SIG-10: "+" in a value is a space, "%2B" a plus (form decoding)', async () => {
    const plusAsSpace = manualQuery('GET', CHANNELS, [...authPairs(), ['filter_by_prefix', 'a+b']], {
      signPairs: [...authPairs(), ['filter_by_prefix', 'a b']],
    });
    assert.equal((await request(server.port, 'GET', `${CHANNELS}?${plusAsSpace}`)).status, 200);
    const literalPlus = manualQuery('GET', CHANNELS, [...authPairs(), ['filter_by_prefix', 'a+b']]);
    assertApiError(await request(server.port, 'GET', `${CHANNELS}?${literalPlus}`), 401);
    const encodedPlus = manualQuery('GET', CHANNELS, [...authPairs(), ['filter_by_prefix', 'a%2Bb']], {
      signPairs: [...authPairs(), ['filter_by_prefix', 'a+b']],
    });
    assert.equal((await request(server.port, 'GET', `${CHANNELS}?${encodedPlus}`)).status, 200);
  });

  it('SIG-10: keys are lower-cased and sorted whatever order and case they arrive in', async () => {
    await subscriber(server, clients, ['sig10-order']);
    const path = '/apps/app-id/channels/sig10-order';
    // Reverse order on the wire, upper-case key names.
    const pairs = [['Info', 'subscription_count'], ['AUTH_VERSION', '1.0'], ['auth_timestamp', String(nowSeconds())], ['Auth_Key', 'app-key']];
    const res = await request(server.port, 'GET', `${path}?${manualQuery('GET', path, pairs)}`);
    assert.equal(res.status, 200, res.body);
    assert.deepEqual(res.json, { occupied: true, subscription_count: 1 });
  });

  it('SIG-10: a parameter that occurs twice is processed with the value that was signed (the last one)', async () => {
    await subscriber(server, clients, ['sig10-dup']);
    const path = '/apps/app-id/channels/sig10-dup';
    // The first value would be a 400 on a public channel; the signed (last) value is valid.
    for (const second of ['info', 'INFO']) {
      const pairs = [...authPairs(), ['info', 'user_count'], [second, 'subscription_count']];
      const res = await request(server.port, 'GET', `${path}?${manualQuery('GET', path, pairs)}`);
      assert.equal(res.status, 200, `${second}: ${res.body}`);
      assert.deepEqual(res.json, { occupied: true, subscription_count: 1 }, second);
    }
  });

  it('SIG-10: extra parameters are signed — changed, added or removed ones → 401', async () => {
    const params = { filter_by_prefix: 'presence-', info: 'user_count' };
    const query = signQuery('GET', CHANNELS, { params });
    assert.equal((await request(server.port, 'GET', `${CHANNELS}?${query}`)).status, 200);
    const changed = query.replace('filter_by_prefix=presence-', 'filter_by_prefix=presence-x');
    assertApiError(await request(server.port, 'GET', `${CHANNELS}?${changed}`), 401);
    assertApiError(await request(server.port, 'GET', `${CHANNELS}?${query}&extra=1`), 401);
    const removed = query.split('&').filter((p) => !p.startsWith('info=')).join('&');
    assertApiError(await request(server.port, 'GET', `${CHANNELS}?${removed}`), 401);
  });

  it('SIG-10: an auth_version other than 1.0 → 401', async () => {
    const pairs = [['auth_key', 'app-key'], ['auth_timestamp', String(nowSeconds())], ['auth_version', '2.0']];
    assertApiError(await request(server.port, 'GET', `${CHANNELS}?${manualQuery('GET', CHANNELS, pairs)}`), 401);
  });

  it('SIG-11: the raw path is signed: percent-encoded segments and a trailing slash as received', async () => {
    await subscriber(server, clients, ['presence-sig11']);
    const raw = '/apps/app-id/channels/presence%2Dsig11';
    const decoded = '/apps/app-id/channels/presence-sig11';
    const ok = await request(server.port, 'GET', `${raw}?${signQuery('GET', raw, { params: { info: 'user_count' } })}`);
    assert.equal(ok.status, 200, ok.body);
    assert.deepEqual(ok.json, { occupied: true, user_count: 1 }, 'the route decodes the segment');
    const signedDecoded = signQuery('GET', raw, { params: { info: 'user_count' }, signPath: decoded });
    assertApiError(await request(server.port, 'GET', `${raw}?${signedDecoded}`), 401);

    const slash = `${CHANNELS}/`;
    assert.equal((await request(server.port, 'GET', `${slash}?${signQuery('GET', slash)}`)).status, 200);
    assertApiError(await request(server.port, 'GET', `${slash}?${signQuery('GET', slash, { signPath: CHANNELS })}`), 401);
  });

  it('SIG-12: signature errors take precedence over body validation', async () => {
    const cases = [
      '{not json',
      JSON.stringify({ channel: 'c', data: 'x' }),
      JSON.stringify({ name: 'e', channels: ['bad name!'], data: 'x' }),
      JSON.stringify({ name: 'e', channel: 'c', data: 'x'.repeat(200 * 1024) }),
      JSON.stringify({ name: 'e', channels: Array.from({ length: 150 }, (_, i) => `c${i}`), data: 'x' }),
    ];
    for (const body of cases) {
      const bad = withSignature(signQuery('POST', EVENTS, { body }), '1'.repeat(64));
      assertApiError(await request(server.port, 'POST', `${EVENTS}?${bad}`, { body }), 401);
      const stale = signQuery('POST', EVENTS, { body, timestamp: nowSeconds() - 4000 });
      assertApiError(await request(server.port, 'POST', `${EVENTS}?${stale}`, { body }), 401);
      assertApiError(await signed(server, 'POST', EVENTS, { body, omitMd5: true }), 401);
    }
    // Batch bodies too, and the correctly signed variants do reach validation.
    const batch = JSON.stringify({ batch: Array.from({ length: 20 }, () => ({ name: 'e', channel: 'c', data: 'x' })) });
    const bad = withSignature(signQuery('POST', '/apps/app-id/batch_events', { body: batch }), '2'.repeat(64));
    assertApiError(await request(server.port, 'POST', `/apps/app-id/batch_events?${bad}`, { body: batch }), 401);
    assertApiError(await signed(server, 'POST', '/apps/app-id/batch_events', { body: batch }), 400);
    assertApiError(await signed(server, 'POST', EVENTS, { body: cases[0] }), 400);
  });
});

describe('HTTP API signing with a path prefix', () => {
  it('SIG-11: the signature covers the request path including the prefix', async () => {
    const server = await startServer({
      config: configWithApps([defaultAppConfig()], { path_prefix: '/ws' }),
      env: { RATE_LIMITER_ENABLED: 'false' },
    });
    try {
      const path = '/ws/apps/app-id/channels';
      assert.equal((await signed(server, 'GET', path)).status, 200);
      const body = JSON.stringify({ name: 'e', channel: 'c', data: 'x' });
      assert.equal((await signed(server, 'POST', '/ws/apps/app-id/events', { body })).status, 200);
      const withoutPrefix = signQuery('GET', path, { signPath: '/apps/app-id/channels' });
      assertApiError(await request(server.port, 'GET', `${path}?${withoutPrefix}`), 401);
      // The API is not served outside the prefix.
      assert.equal((await signed(server, 'GET', '/apps/app-id/channels')).status, 404);
    } finally {
      await server.stop();
    }
  });
});
