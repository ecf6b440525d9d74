'use strict';
// TLS on the main listener (operations.md §9.5): pusher-js over wss, the SDK over https, modern
// protocol versions only, plain HTTP to the TLS port refused cleanly (with the reason logged),
// HTTP→HTTPS redirect, certificate reload on SIGHUP with connected clients staying up, an
// encrypted key from the config file, and ssl_only apps.
const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const net = require('node:net');
const os = require('node:os');
const path = require('node:path');
const tls = require('node:tls');
const https = require('node:https');
const { execFileSync } = require('node:child_process');
const { startServer, runBinary, freePort, waitForOutput } = require('../lib/harness');
const { request } = require('../lib/signed-http');
const { RawClient } = require('../lib/ws-client');
const { createPusher, connected, subscribe, once, closeAllPushers, PusherSdk } = require('../lib/pusher-clients');

// The test certificates are self-signed: this process trusts them for pusher-js, which offers
// no way to pass a CA. `node --test` runs every file in its own process, so only this file
// runs with the setting.
process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0';
process.removeAllListeners('warning');

const ESTABLISHED = 'pusher:connection_established';
const CLIENT_QUERY = '?protocol=7&client=js&version=8.4.0';

function makeCert(dir, name, cn, passphrase) {
  const key = path.join(dir, `${name}.key`);
  const cert = path.join(dir, `${name}.crt`);
  const keyArgs = passphrase ? ['-passout', `pass:${passphrase}`] : ['-nodes'];
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', ...keyArgs, '-keyout', key, '-out', cert,
    '-days', '2', '-subj', `/CN=${cn}`, '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost'], { stdio: 'ignore' });
  return { key, cert, pem: fs.readFileSync(cert) };
}

function tlsSession(port, options = {}) {
  return new Promise((resolve, reject) => {
    const s = tls.connect({ host: '127.0.0.1', port, rejectUnauthorized: false, ...options }, () => {
      const info = {
        fingerprint: s.getPeerCertificate().fingerprint256,
        protocol: s.getProtocol(),
        cipher: s.getCipher().name,
        alpn: s.alpnProtocol,
      };
      s.end();
      resolve(info);
    });
    s.on('error', reject);
  });
}

const peerFingerprint = async (port) => (await tlsSession(port)).fingerprint;

function sdkOverTls(server, ca) {
  return new PusherSdk({
    appId: server.appId, key: server.key, secret: server.secret, host: '127.0.0.1', port: String(server.port),
    useTLS: true, agent: new https.Agent({ ca, rejectUnauthorized: Boolean(ca) }),
  });
}

const countMatches = (text, re) => (text.match(new RegExp(re.source, 'g')) || []).length;

describe('TLS', { timeout: 60000 }, () => {
  let dir;
  let first;
  let second;
  let server;
  let redirectPort;
  before(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sockudo-tls-'));
    first = makeCert(dir, 'first', 'first.test');
    second = makeCert(dir, 'second', 'second.test');
    fs.copyFileSync(first.key, path.join(dir, 'live.key'));
    fs.copyFileSync(first.cert, path.join(dir, 'live.crt'));
    redirectPort = await freePort();
    server = await startServer({
      env: {
        SSL_ENABLED: 'true', SSL_CERT_PATH: path.join(dir, 'live.crt'), SSL_KEY_PATH: path.join(dir, 'live.key'),
        SSL_REDIRECT_HTTP: 'true', SSL_HTTP_PORT: String(redirectPort),
      },
      readyOverTls: true,
    });
  });
  after(async () => {
    closeAllPushers();
    if (server) await server.stop();
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('the start-up line names https and wss', async () => {
    await waitForOutput(server, new RegExp(`listening on https://127\\.0\\.0\\.1:${server.port} \\(WebSocket wss://`));
  });

  it('pusher-js over wss receives an event published with the SDK over https', async () => {
    const pusher = createPusher(server, { pusherOptions: { forceTLS: true, enabledTransports: ['ws'] } });
    await connected(pusher);
    const channel = await subscribe(pusher, 'secure-room');
    const got = once(channel, 'secure-event');
    const res = await sdkOverTls(server, first.pem).trigger('secure-room', 'secure-event', { over: 'tls' });
    assert.equal(res.status, 200);
    assert.deepEqual(await got, { over: 'tls' });
  });

  it('a burst of frames in both directions crosses TLS records intact', async () => {
    const c = new RawClient(`wss://127.0.0.1:${server.port}/app/app-key${CLIENT_QUERY}`, { ca: first.pem });
    try {
      await c.next(ESTABLISHED);
      // Many small frames arrive as several TLS records in one read, and the replies are
      // coalesced into few records on the way back.
      for (let i = 0; i < 200; i++) c.send({ event: 'pusher:ping', data: {} });
      for (let i = 0; i < 200; i++) await c.next('pusher:pong');
      c.send({ event: 'pusher:subscribe', data: { channel: 'burst-room' } });
      await c.next('pusher_internal:subscription_succeeded');
      const sdk = sdkOverTls(server, first.pem);
      const big = 'x'.repeat(9000);  // under the 10 KB event limit, more than half a record
      await Promise.all([...Array(20).keys()].map((i) => sdk.trigger('burst-room', 'big', { i, big })));
      const seen = new Set();
      for (let i = 0; i < 20; i++) {
        const frame = await c.next('big', 5000);
        const data = JSON.parse(frame.data);
        assert.equal(data.big.length, 9000);
        seen.add(data.i);
      }
      assert.equal(seen.size, 20);
    } finally {
      c.close();
    }
  });

  it('modern TLS only: TLS 1.2 negotiates a forward-secret AEAD suite, TLS 1.1 is refused', async () => {
    const t12 = await tlsSession(server.port, { maxVersion: 'TLSv1.2' });
    assert.equal(t12.protocol, 'TLSv1.2');
    assert.match(t12.cipher, /^ECDHE-(RSA|ECDSA)-(AES\d+-GCM|CHACHA20-POLY1305)/);
    const t13 = await tlsSession(server.port, { ALPNProtocols: ['h2', 'http/1.1'] });
    assert.equal(t13.protocol, 'TLSv1.3');
    assert.equal(t13.alpn, 'http/1.1', 'HTTP/1.1 is chosen when a client offers h2 first');
    await assert.rejects(tlsSession(server.port, {
      minVersion: 'TLSv1', maxVersion: 'TLSv1.1', ciphers: 'DEFAULT:@SECLEVEL=0',
    }));
    await waitForOutput(server, /TLS handshake failed from 127\.0\.0\.1: unsupported protocol/, 3000);
  });

  it('plain HTTP to the TLS port fails cleanly, the reason is logged, and the server keeps serving', async () => {
    const plain = await request(server.port, 'GET', '/up', { timeoutMs: 2000 }).catch((e) => ({ error: e }));
    assert.ok(plain.error || plain.status !== 200, 'a plaintext request gets no normal answer');
    await waitForOutput(server, /TLS handshake failed from 127\.0\.0\.1: http request \(plain HTTP/, 3000);
    assert.ok(await peerFingerprint(server.port));
  });

  it('a TCP probe that connects and leaves is not logged as a failed handshake', async () => {
    const before = countMatches(server.output(), /TLS handshake failed/);
    await new Promise((resolve, reject) => {
      const s = net.connect(server.port, '127.0.0.1', () => s.end());
      s.resume();  // the server's alert must be read for 'close' to come
      s.on('close', resolve);
      s.on('error', reject);
    });
    await new Promise((r) => setTimeout(r, 200));
    assert.ok(await peerFingerprint(server.port));
    assert.equal(countMatches(server.output(), /TLS handshake failed/), before);
  });

  it('a half-open handshake does not hold up other clients', async () => {
    const stalled = net.connect(server.port, '127.0.0.1');
    await new Promise((resolve) => stalled.once('connect', resolve));
    stalled.write(Buffer.from([0x16, 0x03, 0x01, 0x02, 0x00, 0x01]));  // a ClientHello that never ends
    try {
      const res = await sdkOverTls(server, first.pem).trigger('any-room', 'e', {});
      assert.equal(res.status, 200);
    } finally {
      stalled.destroy();
    }
  });

  it('the redirect listener answers 308 to https on the TLS port, upgrades included', async () => {
    const res = await request(redirectPort, 'POST', '/apps/app-id/events?x=1', {
      body: '{}', headers: { Host: `localhost:${redirectPort}` },
    });
    assert.equal(res.status, 308);
    assert.equal(res.headers.location, `https://localhost:${server.port}/apps/app-id/events?x=1`);
    const upgrade = await request(redirectPort, 'GET', '/app/app-key', {
      headers: { Host: '[::1]', Connection: 'Upgrade', Upgrade: 'websocket', 'Sec-WebSocket-Version': '13', 'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==' },
    });
    assert.equal(upgrade.status, 308);
    assert.equal(upgrade.headers.location, `https://[::1]:${server.port}/app/app-key`);
    const bad = await request(redirectPort, 'GET', '/', { headers: { Host: 'evil.test/path@x' } });
    assert.equal(bad.status, 400);
  });

  it('SIGHUP reloads the certificate; a connected client stays connected', async () => {
    const pusher = createPusher(server, { pusherOptions: { forceTLS: true, enabledTransports: ['ws'] } });
    await connected(pusher);
    const channel = await subscribe(pusher, 'reload-room');
    const beforeReload = await peerFingerprint(server.port);
    fs.copyFileSync(second.key, path.join(dir, 'live.key'));
    fs.copyFileSync(second.cert, path.join(dir, 'live.crt'));
    process.kill(server.child.pid, 'SIGHUP');
    await waitForOutput(server, /TLS certificate reloaded/, 5000);
    const afterReload = await peerFingerprint(server.port);
    assert.notEqual(afterReload, beforeReload, 'new connections see the new certificate');
    assert.equal(pusher.connection.state, 'connected');
    const got = once(channel, 'after-reload');
    await sdkOverTls(server, second.pem).trigger('reload-room', 'after-reload', { ok: true });
    assert.deepEqual(await got, { ok: true }, 'the client connected before the reload still receives');
    assert.ok(!pusher.stateLog.some((s) => s.current !== 'connected' && s.previous === 'connected'),
      'the client never left the connected state');
  });

  it('a broken certificate on SIGHUP keeps the old one, and the server keeps running', async () => {
    const fp = await peerFingerprint(server.port);
    fs.writeFileSync(path.join(dir, 'live.crt'), 'not a certificate');
    process.kill(server.child.pid, 'SIGHUP');
    await waitForOutput(server, /TLS reload failed, keeping the current certificate: cannot load certificate/, 5000);
    assert.equal(await peerFingerprint(server.port), fp);
    assert.equal(server.child.exitCode, null);
  });
});

describe('TLS from the config file', { timeout: 60000 }, () => {
  let dir;
  let locked;
  const apps = [
    { id: 'app-id', key: 'app-key', secret: 'app-secret' },
    { id: 'tls-app', key: 'tls-key', secret: 'tls-secret', policy: { features: { ssl_only: true } } },
  ];
  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sockudo-tls-config-'));
    locked = makeCert(dir, 'locked', 'locked.test', 'correct horse');
  });
  after(() => fs.rmSync(dir, { recursive: true, force: true }));

  it('an encrypted key loads with ssl.passphrase, and an ssl_only app accepts wss', async () => {
    const server = await startServer({
      config: {
        ssl: { enabled: true, cert_path: locked.cert, key_path: locked.key, passphrase: 'correct horse' },
        app_manager: { array: { apps } },
      },
      readyOverTls: true,
    });
    try {
      const c = new RawClient(`wss://127.0.0.1:${server.port}/app/tls-key${CLIENT_QUERY}`, { ca: locked.pem });
      await c.next(ESTABLISHED);
      c.close();
    } finally {
      await server.stop();
    }
  });

  it('a wrong passphrase stops start-up with the reason', async () => {
    const file = path.join(dir, 'wrong.json');
    fs.writeFileSync(file, JSON.stringify({
      host: '127.0.0.1', port: await freePort(),
      ssl: { enabled: true, cert_path: locked.cert, key_path: locked.key, passphrase: 'wrong' },
    }));
    const res = await runBinary(['--config', file], { env: { METRICS_ENABLED: 'false' } });
    assert.notEqual(res.code, 0);
    assert.match(res.stdout + res.stderr, /cannot load private key .*locked\.key/);
  });

  it('an ssl_only app refuses a plain ws:// connection with 4000 (protocol-v1 §3.2.2)', async () => {
    const server = await startServer({ config: { app_manager: { array: { apps } } } });
    try {
      const c = new RawClient(`ws://127.0.0.1:${server.port}/app/tls-key${CLIENT_QUERY}`);
      const closed = await c.waitClose(3000);
      assert.equal(closed.code, 4000);
    } finally {
      await server.stop();
    }
  });
});
