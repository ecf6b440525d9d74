'use strict';
// Hand-signed HTTP API requests (protocol-v1 §11.2), for the failure cases an SDK never sends.
const crypto = require('node:crypto');
const http = require('node:http');

const md5 = (s) => crypto.createHash('md5').update(s).digest('hex');
const hmac = (secret, s) => crypto.createHmac('sha256', secret).update(s).digest('hex');

/**
 * Builds the query string for a signed request.
 *   params: extra query params (values as they should be signed, i.e. decoded)
 *   body: the exact body string (body_md5 added unless omitMd5)
 *   timestamp, key, secret: overrides; signPath: the path used in the signature
 */
function signQuery(method, path, { params = {}, body, key = 'app-key', secret = 'app-secret', timestamp, omitMd5 = false, signPath } = {}) {
  const all = {
    auth_key: key,
    auth_timestamp: String(timestamp ?? Math.floor(Date.now() / 1000)),
    auth_version: '1.0',
    ...params,
  };
  if (body !== undefined && body !== '' && !omitMd5) all.body_md5 = md5(body);
  const sorted = Object.keys(all).map((k) => [k.toLowerCase(), all[k]]).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  const toSign = sorted.map(([k, v]) => `${k}=${v}`).join('&');
  const signature = hmac(secret, `${method}\n${signPath || path}\n${toSign}`);
  const encoded = sorted.map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&');
  return `${encoded}&auth_signature=${signature}`;
}

/** Sends a request and resolves { status, headers, body, json }. */
function request(port, method, pathAndQuery, { body, headers = {}, agent, timeoutMs = 5000 } = {}) {
  return new Promise((resolve, reject) => {
    const req = http.request({
      host: '127.0.0.1', port, method, path: pathAndQuery, agent,
      headers: { ...(body !== undefined ? { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(body) } : {}), ...headers },
      timeout: timeoutMs,
    }, (res) => {
      const chunks = [];
      res.on('data', (c) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json;
        try { json = JSON.parse(text); } catch { json = undefined; }
        resolve({ status: res.statusCode, headers: res.headers, body: text, json });
      });
    });
    req.on('timeout', () => req.destroy(new Error('request timed out')));
    req.on('error', reject);
    if (body !== undefined) req.write(body);
    req.end();
  });
}

/** A correctly signed request for the default app (or `opts.key/secret/appId`). */
function signed(server, method, path, opts = {}) {
  const body = opts.body === undefined ? undefined : (typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body));
  const query = signQuery(method, path, { ...opts, body });
  return request(server.port, method, `${path}?${query}`, { body, agent: opts.agent, headers: opts.headers });
}

module.exports = { signQuery, request, signed, md5, hmac };
