'use strict';
// A raw WebSocket client (the `ws` package) with an inbox of parsed Pusher frames, so tests can
// await the next frame matching a predicate with a bounded wait.
const WebSocket = require('ws');

class RawClient {
  constructor(url, options = {}) {
    this.url = url;
    this.frames = [];
    this.waiters = [];
    this.closed = null;
    this.ws = new WebSocket(url, options);
    this.opened = new Promise((resolve, reject) => {
      this.ws.once('open', resolve);
      this.ws.once('error', reject);
    });
    this.ws.on('message', (data, isBinary) => {
      let frame;
      try { frame = JSON.parse(data.toString('utf8')); } catch { frame = { raw: data.toString('utf8'), isBinary }; }
      this.frames.push(frame);
      this._wake();
    });
    this.closedPromise = new Promise((resolve) => {
      this.ws.on('close', (code, reason) => {
        this.closed = { code, reason: reason.toString() };
        this._wake();
        resolve(this.closed);
      });
    });
    this.ws.on('error', () => { /* surfaced through close */ });
  }

  _wake() {
    for (const w of [...this.waiters]) w();
  }

  /** Next unconsumed frame matching `match` (event name or predicate). */
  next(match, timeoutMs = 3000) {
    const pred = typeof match === 'string' ? (f) => f.event === match : (match || (() => true));
    return new Promise((resolve, reject) => {
      const check = () => {
        const i = this.frames.findIndex(pred);
        if (i >= 0) {
          const [f] = this.frames.splice(i, 1);
          cleanup();
          resolve(f);
          return true;
        }
        if (this.closed) {
          cleanup();
          reject(new Error(`connection closed (${this.closed.code} ${this.closed.reason}) before ${typeof match === 'string' ? match : 'frame'}`));
          return true;
        }
        return false;
      };
      const timer = setTimeout(() => { cleanup(); reject(new Error(`timed out waiting for ${typeof match === 'string' ? match : 'frame'}; have ${JSON.stringify(this.frames)}`)); }, timeoutMs);
      const waiter = () => { check(); };
      const cleanup = () => { clearTimeout(timer); this.waiters = this.waiters.filter((w) => w !== waiter); };
      this.waiters.push(waiter);
      check();
    });
  }

  /** Asserts nothing matching arrives within `ms`. Resolves true when nothing came. */
  async nothing(match, ms = 300) {
    try { await this.next(match, ms); return false; } catch { return true; }
  }

  send(obj) { this.ws.send(typeof obj === 'string' ? obj : JSON.stringify(obj)); }

  async established(timeoutMs = 3000) {
    const f = await this.next('pusher:connection_established', timeoutMs);
    const data = JSON.parse(f.data);
    this.socketId = data.socket_id;
    return data;
  }

  waitClose(timeoutMs = 5000) {
    return Promise.race([
      this.closedPromise,
      new Promise((_, reject) => setTimeout(() => reject(new Error('timed out waiting for close')), timeoutMs)),
    ]);
  }

  close() { try { this.ws.terminate(); } catch { /* ignore */ } }
}

async function connect(server, path = '/app/app-key?protocol=7&client=js&version=8.4.0', options) {
  const c = new RawClient(`ws://127.0.0.1:${server.port}${path}`, options);
  await c.opened;
  return c;
}

module.exports = { RawClient, connect };
