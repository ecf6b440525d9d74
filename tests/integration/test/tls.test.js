'use strict';
// TLS on the main listener (operations.md §9.5): pusher-js over wss, the SDK over https, plain
// HTTP to the TLS port refused cleanly, HTTP→HTTPS redirect, certificate reload on SIGHUP.
const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const tls = require('node:tls');
const https = require('node:https');
const { execFileSync } = require('node:child_process');
const { startServer, freePort, waitFor } = require('../lib/harness');
const { request } = require('../lib/signed-http');
const { createPusher, connected, subscribe, once, closeAllPushers, PusherSdk } = require('../lib/pusher-clients');

// The test certificates are self-signed: this process trusts them for pusher-js, which offers
// no way to pass a CA. Only this test file runs with the setting.
process.env.NODE_TLS_REJECT_UNAUTHORIZED = '0';
process.removeAllListeners('warning');

function makeCert(dir, name, cn) {
  const key = path.join(dir, `${name}.key`);
  const cert = path.join(dir, `${name}.crt`);
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert,
    '-days', '2', '-subj', `/CN=${cn}`, '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost'], { stdio: 'ignore' });
  return { key, cert, pem: fs.readFileSync(cert) };
}

function peerFingerprint(port) {
  return new Promise((resolve, reject) => {
    const s = tls.connect({ host: '127.0.0.1', port, rejectUnauthorized: false }, () => {
      const fp = s.getPeerCertificate().fingerprint256;
      s.end();
      resolve(fp);
    });
    s.on('error', reject);
  });
}

describe('TLS', () => {
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

  it('pusher-js over wss receives an event published with the SDK over https', async () => {
    const pusher = createPusher(server, { pusherOptions: { forceTLS: true, enabledTransports: ['ws'] } });
    await connected(pusher);
    const channel = await subscribe(pusher, 'secure-room');
    const got = once(channel, 'secure-event');
    const sdk = new PusherSdk({
      appId: server.appId, key: server.key, secret: server.secret, host: '127.0.0.1', port: String(server.port),
      useTLS: true, agent: new https.Agent({ ca: first.pem, rejectUnauthorized: false }),
    });
    const res = await sdk.trigger('secure-room', 'secure-event', { over: 'tls' });
    assert.equal(res.status, 200);
    assert.deepEqual(await got, { over: 'tls' });
  });

  it('modern TLS only: TLS 1.1 is refused', async () => {
    await assert.rejects(new Promise((resolve, reject) => {
      const s = tls.connect({ host: '127.0.0.1', port: server.port, rejectUnauthorized: false, maxVersion: 'TLSv1.1', minVersion: 'TLSv1' }, () => {
        s.end();
        resolve();
      });
      s.on('error', reject);
    }));
  });

  it('plain HTTP to the TLS port fails cleanly and the server keeps serving', async () => {
    const plain = await request(server.port, 'GET', '/up', { timeoutMs: 2000 }).catch((e) => ({ error: e }));
    assert.ok(plain.error || plain.status !== 200, 'a plaintext request gets no normal answer');
    const fp = await peerFingerprint(server.port);
    assert.ok(fp);
    assert.match(server.output(), /TLS handshake with 127\.0\.0\.1 failed/);
  });

  it('the redirect listener answers 301 to https', async () => {
    const res = await request(redirectPort, 'GET', '/apps/app-id/channels?x=1', { headers: { Host: `127.0.0.1:${redirectPort}` } });
    assert.equal(res.status, 301);
    assert.equal(res.headers.location, `https://127.0.0.1:${server.port}/apps/app-id/channels?x=1`);
  });

  it('SIGHUP reloads the certificate; a connected client stays connected', async () => {
    const pusher = createPusher(server, { pusherOptions: { forceTLS: true, enabledTransports: ['ws'] } });
    await connected(pusher);
    const channel = await subscribe(pusher, 'reload-room');
    const before = await peerFingerprint(server.port);
    fs.copyFileSync(second.key, path.join(dir, 'live.key'));
    fs.copyFileSync(second.cert, path.join(dir, 'live.crt'));
    process.kill(server.child.pid, 'SIGHUP');
    await waitFor(() => /TLS certificate reloaded/.test(server.output()), 5000, 'reload log line');
    const after = await peerFingerprint(server.port);
    assert.notEqual(after, before, 'new connections see the new certificate');
    assert.equal(pusher.connection.state, 'connected');
    const got = once(channel, 'after-reload');
    const sdk = new PusherSdk({
      appId: server.appId, key: server.key, secret: server.secret, host: '127.0.0.1', port: String(server.port),
      useTLS: true, agent: new https.Agent({ rejectUnauthorized: false }),
    });
    await sdk.trigger('reload-room', 'after-reload', { ok: true });
    assert.deepEqual(await got, { ok: true }, 'the client connected before the reload still receives');
  });

  it('a broken certificate on SIGHUP keeps the old one', async () => {
    const fp = await peerFingerprint(server.port);
    fs.writeFileSync(path.join(dir, 'live.crt'), 'not a certificate');
    process.kill(server.child.pid, 'SIGHUP');
    await waitFor(() => /TLS reload failed/.test(server.output()), 5000, 'failure log line');
    assert.equal(await peerFingerprint(server.port), fp);
  });
});
