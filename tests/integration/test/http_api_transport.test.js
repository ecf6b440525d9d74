'use strict';
// The HTTP side of the API that is not about one endpoint (protocol-v1 §11.1, §11.11;
// operations.md §9.6; checklist §18.10 API-23, API-25, API-26): error body shape, CORS,
// keep-alive and pipelining over one TCP connection, HEAD, and the request body limit, which is
// separate from the event payload limit.
const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const http = require('node:http');
const { signed, signQuery, request } = require('../lib/signed-http');
const { rawHttp } = require('../lib/raw-http');
const { startApiServer, assertApiError, subscriber, flushChannel } = require('../lib/api-fixtures');

const EVENTS = '/apps/app-id/events';
const CHANNELS = '/apps/app-id/channels';

/** GET returning the raw body bytes, to check the encoding of what the server wrote. */
function getBytes(port, path) {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path, agent: false, timeout: 3000 }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode, headers: res.headers, bytes: Buffer.concat(chunks) }));
    });
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', reject);
  });
}

describe('HTTP API transport behaviour', () => {
  let server;
  const clients = [];
  before(async () => { server = await startApiServer(); });
  after(async () => {
    for (const c of clients) c.close();
    await server.stop();
  });

  it('API-23: every API error is JSON {"error": message, "code": status}', async () => {
    const body = JSON.stringify({ name: 'e', channel: 'c', data: 'x' });
    const cases = [
      [400, await signed(server, 'POST', EVENTS, { body: '{' })],
      [400, await signed(server, 'GET', `${CHANNELS}/bad!name`)],
      [401, await request(server.port, 'GET', CHANNELS)],
      [403, await signed(server, 'GET', '/apps/off-id/channels', { key: 'off-key', secret: 'off-secret' })],
      [404, await signed(server, 'GET', '/apps/nope/channels')],
      [404, await signed(server, 'GET', '/apps/app-id/nope')],
      [413, await signed(server, 'POST', EVENTS, { body: JSON.stringify({ name: 'e', channel: 'c', data: 'x'.repeat(101 * 1024) }) })],
    ];
    for (const [status, res] of cases) assertApiError(res, status);
    const wrongMethod = await signed(server, 'GET', EVENTS, { body });
    assertApiError(wrongMethod, wrongMethod.status);
    assert.ok([404, 405].includes(wrongMethod.status));
  });

  it('API-23: error bodies are valid UTF-8 JSON even when they quote a malformed path', async () => {
    for (const path of ['/apps/%FF%FE/channels', '/apps/a%0A%22b%5C/channels', '/apps/%C3/channels']) {
      const res = await getBytes(server.port, path);
      assert.equal(res.status, 404, path);
      const text = new TextDecoder('utf-8', { fatal: true }).decode(res.bytes);
      assert.equal(typeof JSON.parse(text).error, 'string', `${path}: ${text}`);
    }
    assertApiError(await request(server.port, 'GET', '/apps/a%ZZ/channels'), 400);
  });

  describe('CORS with the default (wildcard) origin', () => {
    it('API-25: OPTIONS preflight on /apps/... → 204 with the CORS headers, no signature needed', async () => {
      for (const path of [EVENTS, '/apps/app-id/channels/x/users', '/apps/unknown-app/events']) {
        const res = await request(server.port, 'OPTIONS', path, {
          headers: { Origin: 'https://app.example.com', 'Access-Control-Request-Method': 'POST', 'Access-Control-Request-Headers': 'content-type' },
        });
        assert.equal(res.status, 204, path);
        assert.equal(res.body, '');
        assert.equal(res.headers['access-control-allow-origin'], '*');
        assert.match(res.headers['access-control-allow-methods'], /\bPOST\b/);
        assert.match(res.headers['access-control-allow-methods'], /\bGET\b/);
        assert.match(res.headers['access-control-allow-headers'], /Content-Type/i);
        assert.ok(Number(res.headers['access-control-max-age']) > 0);
        assert.equal(res.headers['access-control-allow-credentials'], undefined, 'never credentials with "*"');
      }
    });

    it('API-25: actual responses, errors included, carry Access-Control-Allow-Origin: *', async () => {
      const headers = { Origin: 'https://app.example.com' };
      const responses = [
        await signed(server, 'GET', CHANNELS, { headers }),
        await signed(server, 'POST', EVENTS, { body: { name: 'e', channel: 'c', data: 'x' }, headers }),
        await request(server.port, 'GET', CHANNELS, { headers }),
        await signed(server, 'GET', '/apps/nope/channels', { headers }),
        await signed(server, 'POST', EVENTS, { body: '{', headers }),
        await request(server.port, 'GET', '/up', { headers }),
      ];
      for (const res of responses) {
        assert.equal(res.headers['access-control-allow-origin'], '*', `${res.status} ${res.body}`);
        assert.equal(res.headers['access-control-allow-credentials'], undefined);
      }
    });
  });

  describe('keep-alive', () => {
    it('3000 requests (publishes, queries, failures) over one TCP connection', async () => {
      const sub = await subscriber(server, clients, ['ka']);
      const conn = await rawHttp(server.port);
      let published = 0;
      try {
        for (let i = 0; i < 3000; i += 1) {
          let res;
          if (i % 3 === 0) {
            const body = JSON.stringify({ name: 'ka', channel: 'ka', data: String(i) });
            res = await conn.send('POST', `${EVENTS}?${signQuery('POST', EVENTS, { body })}`, { body });
            assert.equal(res.status, 200, `request ${i}: ${res.body}`);
            published += 1;
          } else if (i % 3 === 1) {
            res = await conn.send('GET', `${CHANNELS}?${signQuery('GET', CHANNELS, { params: { filter_by_prefix: 'ka' } })}`);
            assert.equal(res.status, 200, `request ${i}`);
            assert.deepEqual(res.json, { channels: { ka: {} } });
          } else {
            // Failures must not cost the connection either.
            res = await conn.send('GET', CHANNELS);
            assert.equal(res.status, 401, `request ${i}`);
          }
          assert.equal(res.headers.connection, 'keep-alive', `request ${i}`);
        }
        assert.equal(conn.closed, false, 'the server never closed the connection');
      } finally {
        conn.close();
      }
      await flushChannel(server, 'ka', [sub]);
      const got = sub.allFrames.filter((f) => f.event === 'ka').map((f) => Number(f.data));
      assert.equal(got.length, published);
      assert.deepEqual(got, [...got].sort((a, b) => a - b), 'delivered in request order');
    });

    it('pipelined requests are answered in order on one connection', async () => {
      const sub = await subscriber(server, clients, ['pipe']);
      const conn = await rawHttp(server.port);
      try {
        const requests = [];
        for (let i = 0; i < 200; i += 1) {
          if (i % 2 === 0) {
            const body = JSON.stringify({ name: 'pipe', channel: 'pipe', data: String(i) });
            requests.push(['POST', `${EVENTS}?${signQuery('POST', EVENTS, { body })}`, { body }]);
          } else {
            requests.push(['GET', `/apps/pipe-${i}/channels`]);
          }
        }
        const responses = await conn.sendMany(requests, 10000);
        responses.forEach((res, i) => {
          if (i % 2 === 0) {
            assert.equal(res.status, 200, `response ${i}: ${res.body}`);
          } else {
            assert.equal(res.status, 404, `response ${i}`);
            assert.match(res.json.error, new RegExp(`pipe-${i}\\b`), `response ${i} answers request ${i}`);
          }
        });
      } finally {
        conn.close();
      }
      await flushChannel(server, 'pipe', [sub]);
      const got = sub.allFrames.filter((f) => f.event === 'pipe').map((f) => Number(f.data));
      assert.deepEqual(got, Array.from({ length: 100 }, (_, i) => i * 2));
    });

    it('Connection: close from the client is honoured', async () => {
      const conn = await rawHttp(server.port);
      const res = await conn.send('GET', `${CHANNELS}?${signQuery('GET', CHANNELS)}`, { headers: { Connection: 'close' } });
      assert.equal(res.status, 200);
      assert.equal(res.headers.connection, 'close');
      await conn.closedByServer();
    });
  });

  it('the answer to a complete Connection: close request ends in an orderly close, not a reset', async () => {
    const conn = await rawHttp(server.port);
    const ending = new Promise((resolve, reject) => {
      const t = setTimeout(() => reject(new Error('no end of stream from the server')), 3000);
      conn.socket.once('end', () => { clearTimeout(t); resolve('end'); });
      conn.socket.once('error', (e) => { clearTimeout(t); resolve(e.code); });
    });
    const res = await conn.send('GET', `${CHANNELS}?${signQuery('GET', CHANNELS)}`, { headers: { Connection: 'close' } });
    assert.equal(res.status, 200);
    assert.equal(typeof res.json.channels, 'object');
    assert.equal(await ending, 'end');
    conn.close();
  });

  it('bytes sent behind a Connection: close request do not cost the client its answer', async () => {
    const conn = await rawHttp(server.port);
    const target = `${CHANNELS}?${signQuery('GET', CHANNELS)}`;
    const answer = conn.response('GET');
    // One write: the request that asks to close, then more input the server will never answer.
    conn.socket.write(`${conn.write('GET', target, { headers: { Connection: 'close' } })}${conn.write('POST', '/x', { body: 'y'.repeat(8192) })}`);
    const res = await answer;
    assert.equal(res.status, 200);
    assert.equal(typeof res.json.channels, 'object');
    await conn.closedByServer();
  });

  // The listener hands over connections once their first bytes are in and reads them before
  // watching the socket; these are the clients that do not fit that picture.
  it('a client silent for two seconds after connecting is answered, twice on the same connection', async () => {
    const conn = await rawHttp(server.port);
    await conn.connected;
    await new Promise((r) => setTimeout(r, 2000));  // the silence under test
    for (let i = 0; i < 2; i += 1) {
      const res = await conn.send('GET', `${CHANNELS}?${signQuery('GET', CHANNELS)}`);
      assert.equal(res.status, 200);
      assert.equal(typeof res.json.channels, 'object');
    }
    conn.close();
  });

  it('a request whose first bytes arrive alone is answered when the rest follows', async () => {
    const conn = await rawHttp(server.port);
    await conn.connected;
    const text = conn.write('GET', `${CHANNELS}?${signQuery('GET', CHANNELS)}`);
    const answer = conn.response('GET');
    conn.socket.write(text.slice(0, 5));
    await new Promise((r) => setTimeout(r, 200));  // the pause under test
    conn.socket.write(text.slice(5));
    const res = await answer;
    assert.equal(res.status, 200);
    conn.close();
  });

  it('HEAD responses carry no body, so the next response on the connection parses', async () => {
    const conn = await rawHttp(server.port);
    try {
      for (const path of ['/', '/up', '/up/app-id', '/live', '/usage', '/nope', CHANNELS, `${CHANNELS}?${signQuery('HEAD', CHANNELS)}`]) {
        const head = await conn.send('HEAD', path);
        assert.ok(head.status >= 200, path);
        const next = await conn.send('GET', '/up');
        assert.equal(next.status, 200, `GET after HEAD ${path}`);
        assert.equal(next.body, 'OK', `GET after HEAD ${path}`);
        assert.equal(conn.leftover(), '', `stray bytes after HEAD ${path}`);
      }
      const head = await conn.send('HEAD', '/up');
      assert.equal(head.status, 200);
      assert.equal(head.headers['x-health-check'], 'OK');
    } finally {
      conn.close();
    }
  });
});

describe('request body limit vs event payload limit', () => {
  let server;
  const clients = [];
  before(async () => {
    // A 1 MB body limit with a 2 MB payload limit on the default app and 10 KB on another: each
    // limit is hit where the other one is not.
    server = await startApiServer({
      defaultOverrides: { limits: { max_event_payload_in_kb: 2048 } },
      extraApps: [{ id: 'small-id', key: 'small-key', secret: 'small-secret', policy: { limits: { max_event_payload_in_kb: 10 } } }],
      extraConfig: { http_api: { request_limit_in_mb: 1 } },
    });
  });
  after(async () => {
    for (const c of clients) c.close();
    await server.stop();
  });

  it('API-26: a body over request_limit_in_mb → 413 before it is read, although the event would fit', async () => {
    const body = JSON.stringify({ name: 'e', channel: 'c', data: 'x'.repeat(1536 * 1024) });
    const query = signQuery('POST', EVENTS, { body });
    const conn = await rawHttp(server.port);
    try {
      // Only the head is sent: the declared length alone must be refused.
      conn.socket.write(`POST ${EVENTS}?${query} HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n\r\n`);
      const res = await conn.response('POST');
      assert.equal(res.status, 413);
      assert.equal(typeof res.json.error, 'string');
    } finally {
      conn.close();
    }
  });

  it('API-26: a chunked body growing over the limit → 413', async () => {
    const conn = await rawHttp(server.port);
    try {
      const query = signQuery('POST', EVENTS, { body: 'irrelevant' });
      conn.socket.write(`POST ${EVENTS}?${query} HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n200000\r\n${'x'.repeat(1024)}`);
      const res = await conn.response('POST');
      assert.equal(res.status, 413);
    } finally {
      conn.close();
    }
  });

  it('a body under the request limit is judged by the app\'s payload limit only', async () => {
    const sub = await subscriber(server, clients, ['big']);
    const data = 'y'.repeat(900 * 1024);
    const got = sub.next((f) => f.event === 'big', 5000);
    const res = await signed(server, 'POST', EVENTS, { body: { name: 'big', channel: 'big', data } });
    assert.equal(res.status, 200, res.body);
    assert.equal((await got).data.length, data.length);
    // The same 20 KB event: fine for the default app, over the small app's 10 KB payload limit.
    const event = { name: 'e', channel: 'c', data: 'z'.repeat(20 * 1024) };
    assert.equal((await signed(server, 'POST', EVENTS, { body: event })).status, 200);
    assertApiError(await signed(server, 'POST', '/apps/small-id/events', { body: event, key: 'small-key', secret: 'small-secret' }), 413);
  });

  it('the server keeps serving after refusing an oversize body', async () => {
    assert.equal((await signed(server, 'GET', CHANNELS)).status, 200);
  });
});

describe('CORS with a configured origin list', () => {
  let server;
  before(async () => {
    server = await startApiServer({
      extraConfig: {
        cors: {
          origin: ['https://app.example.com', '*.example.org'],
          methods: ['GET', 'POST', 'OPTIONS'],
          allowed_headers: ['Content-Type', 'X-Custom-Header'],
          credentials: true,
        },
      },
    });
  });
  after(async () => { await server.stop(); });

  it('an allowed Origin is echoed with Vary: Origin and credentials, on success and on errors', async () => {
    for (const origin of ['https://app.example.com', 'https://a.example.org', 'http://example.org']) {
      const headers = { Origin: origin };
      for (const res of [await signed(server, 'GET', CHANNELS, { headers }), await request(server.port, 'GET', CHANNELS, { headers })]) {
        assert.equal(res.headers['access-control-allow-origin'], origin, `${origin} ${res.status}`);
        assert.match(res.headers.vary || '', /Origin/i);
        assert.equal(res.headers['access-control-allow-credentials'], 'true');
      }
    }
  });

  it('another or a missing Origin gets no Access-Control-Allow-Origin', async () => {
    for (const headers of [{ Origin: 'https://evil.example.com' }, { Origin: 'https://example.org.evil.com' }, {}]) {
      const res = await signed(server, 'GET', CHANNELS, { headers });
      assert.equal(res.status, 200, 'CORS does not block the request itself');
      assert.equal(res.headers['access-control-allow-origin'], undefined, JSON.stringify(headers));
      assert.equal(res.headers['access-control-allow-credentials'], undefined);
    }
  });

  it('preflight answers with the configured methods and headers', async () => {
    const ok = await request(server.port, 'OPTIONS', EVENTS, { headers: { Origin: 'https://app.example.com', 'Access-Control-Request-Method': 'POST' } });
    assert.equal(ok.status, 204);
    assert.equal(ok.headers['access-control-allow-origin'], 'https://app.example.com');
    assert.equal(ok.headers['access-control-allow-methods'], 'GET, POST, OPTIONS');
    assert.equal(ok.headers['access-control-allow-headers'], 'Content-Type, X-Custom-Header');
    const denied = await request(server.port, 'OPTIONS', EVENTS, { headers: { Origin: 'https://evil.example.com', 'Access-Control-Request-Method': 'POST' } });
    assert.equal(denied.status, 204);
    assert.equal(denied.headers['access-control-allow-origin'], undefined);
  });

  it('credentials=false is respected, and "*" in the list means any origin without credentials', async () => {
    const noCreds = await startApiServer({ extraConfig: { cors: { origin: ['https://app.example.com'], credentials: false } } });
    const star = await startApiServer({ extraConfig: { cors: { origin: ['https://app.example.com', '*'], credentials: true } } });
    try {
      const a = await signed(noCreds, 'GET', CHANNELS, { headers: { Origin: 'https://app.example.com' } });
      assert.equal(a.headers['access-control-allow-origin'], 'https://app.example.com');
      assert.equal(a.headers['access-control-allow-credentials'], undefined);
      const b = await signed(star, 'GET', CHANNELS, { headers: { Origin: 'https://anything.test' } });
      assert.equal(b.headers['access-control-allow-origin'], '*');
      assert.equal(b.headers['access-control-allow-credentials'], undefined);
    } finally {
      await noCreds.stop();
      await star.stop();
    }
  });
});
