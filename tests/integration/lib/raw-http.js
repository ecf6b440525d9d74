'use strict';
// A minimal HTTP/1.1 client over exactly one TCP socket, so a test can prove that many requests
// share one connection, send pipelined requests, and see the bytes the server really wrote
// (Node's http client hides a stray body after a HEAD response or a reconnect behind an agent).
const net = require('node:net');

class RawHttpConnection {
  constructor(port, host = '127.0.0.1') {
    this.socket = net.connect(port, host);
    this.socket.setNoDelay(true);
    this.buffer = Buffer.alloc(0);
    this.pending = [];  // { method, resolve, reject } in request order
    this.closed = false;
    this.connected = new Promise((resolve, reject) => {
      this.socket.once('connect', resolve);
      this.socket.once('error', reject);
    });
    this.socket.on('data', (chunk) => {
      this.buffer = Buffer.concat([this.buffer, chunk]);
      this._drain();
    });
    this.socket.on('error', () => { /* surfaced through close */ });
    this.socket.on('close', () => {
      this.closed = true;
      for (const p of this.pending.splice(0)) p.reject(new Error('connection closed before the response'));
    });
  }

  // Parses as many complete responses as the buffer holds, in request order.
  _drain() {
    while (this.pending.length > 0) {
      const headEnd = this.buffer.indexOf('\r\n\r\n');
      if (headEnd < 0) return;
      const head = this.buffer.subarray(0, headEnd).toString('latin1');
      const [statusLine, ...lines] = head.split('\r\n');
      const m = /^HTTP\/1\.[01] (\d{3})/.exec(statusLine);
      const p = this.pending[0];
      if (!m) {
        this.pending.shift();
        p.reject(new Error(`malformed status line ${JSON.stringify(statusLine.slice(0, 80))}`));
        this.socket.destroy();
        return;
      }
      const headers = {};
      for (const line of lines) {
        const i = line.indexOf(':');
        if (i > 0) headers[line.slice(0, i).trim().toLowerCase()] = line.slice(i + 1).trim();
      }
      const status = Number(m[1]);
      // RFC 9112 §6.3: no body after HEAD, 204 or 304, whatever Content-Length says.
      const bodyless = p.method === 'HEAD' || status === 204 || status === 304;
      const length = bodyless ? 0 : Number(headers['content-length'] || 0);
      if (this.buffer.length < headEnd + 4 + length) return;
      const body = this.buffer.subarray(headEnd + 4, headEnd + 4 + length).toString('utf8');
      this.buffer = this.buffer.subarray(headEnd + 4 + length);
      this.pending.shift();
      let json;
      try { json = JSON.parse(body); } catch { json = undefined; }
      p.resolve({ status, headers, body, json });
    }
  }

  /** Bytes received that no request accounts for (e.g. a body sent after a HEAD response). */
  leftover() { return this.buffer.toString('latin1'); }

  /** Serialises one request; does not wait. */
  write(method, target, { body, headers = {} } = {}) {
    const lines = [`${method} ${target} HTTP/1.1`, 'Host: 127.0.0.1'];
    const all = { ...headers };
    if (body !== undefined) {
      all['Content-Type'] = all['Content-Type'] || 'application/json';
      all['Content-Length'] = String(Buffer.byteLength(body));
    }
    for (const [k, v] of Object.entries(all)) lines.push(`${k}: ${v}`);
    return `${lines.join('\r\n')}\r\n\r\n${body === undefined ? '' : body}`;
  }

  /**
   * Sends one request (or several at once when `requests` is an array of [method, target, opts])
   * and resolves with the response(s). Every wait is bounded by timeoutMs.
   */
  send(method, target, opts = {}) {
    return this.sendMany([[method, target, opts]], opts.timeoutMs).then((r) => r[0]);
  }

  sendMany(requests, timeoutMs = 5000) {
    if (this.closed) return Promise.reject(new Error('connection already closed'));
    let payload = '';
    const promises = requests.map(([method, target, opts = {}]) => {
      payload += this.write(method, target, opts);
      return new Promise((resolve, reject) => this.pending.push({ method, resolve, reject }));
    });
    this.socket.write(payload);
    let timer;
    const all = Promise.all(promises);
    const timeout = new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms waiting for ${requests.length} response(s)`)), timeoutMs);
    });
    const raced = Promise.race([all, timeout]).finally(() => clearTimeout(timer));
    raced.catch(() => {});
    all.catch(() => {});
    return raced;
  }

  /**
   * The response to the next request written by hand (`socket.write`), in request order;
   * rejects after timeoutMs.
   */
  response(method, timeoutMs = 3000) {
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no response within ${timeoutMs} ms`)), timeoutMs);
      const settle = (fn) => (value) => { clearTimeout(timer); fn(value); };
      this.pending.push({ method, resolve: settle(resolve), reject: settle(reject) });
    });
  }

  /** Resolves once the server has closed the connection; rejects after timeoutMs. */
  closedByServer(timeoutMs = 3000) {
    return new Promise((resolve, reject) => {
      if (this.closed) { resolve(); return; }
      const timer = setTimeout(() => reject(new Error('the server kept the connection open')), timeoutMs);
      this.socket.once('close', () => { clearTimeout(timer); resolve(); });
    });
  }

  close() { this.socket.destroy(); }
}

/** Opens a connection and waits until it is established. */
async function rawHttp(port, host) {
  const c = new RawHttpConnection(port, host);
  await c.connected;
  return c;
}

module.exports = { RawHttpConnection, rawHttp };
