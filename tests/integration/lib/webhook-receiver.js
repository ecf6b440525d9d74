'use strict';
// A local HTTP endpoint that records every webhook request the server sends and checks it the
// way a backend does: with the `pusher` SDK's webhook() helper.
const http = require('node:http');

/**
 * respond(req, attempt) decides the answer: a status number, or 'hang' to never answer.
 * Default: 200.
 */
async function startReceiver({ respond } = {}) {
  const requests = [];
  const waiters = [];
  const hanging = new Set();
  let attempt = 0;
  const server = http.createServer((req, res) => {
    const chunks = [];
    req.on('data', (c) => chunks.push(c));
    req.on('end', () => {
      attempt += 1;
      const rawBody = Buffer.concat(chunks).toString('utf8');
      let body = null;
      try { body = JSON.parse(rawBody); } catch { /* recorded as null */ }
      const record = { path: req.url, method: req.method, headers: req.headers, rawBody, body, attempt };
      const answer = respond ? respond(record, attempt) : 200;
      record.status = answer;
      requests.push(record);
      for (const w of [...waiters]) w();
      if (answer === 'hang') {
        hanging.add(res);
        return;
      }
      res.writeHead(answer, { 'Content-Type': 'text/plain' });
      res.end('ok');
    });
  });
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();

  /** Every event object received so far (accepted deliveries only unless `all`). */
  function events({ all = false } = {}) {
    return requests
      .filter((r) => all || (typeof r.status === 'number' && r.status >= 200 && r.status < 300))
      .flatMap((r) => (r.body && Array.isArray(r.body.events) ? r.body.events : []));
  }

  /** Resolves when predicate(requests) holds; rejects after `ms`. */
  function waitFor(predicate, ms = 5000, what = 'webhook') {
    return new Promise((resolve, reject) => {
      const check = () => {
        if (predicate(requests)) {
          clearTimeout(timer);
          const i = waiters.indexOf(check);
          if (i >= 0) waiters.splice(i, 1);
          resolve(requests);
          return true;
        }
        return false;
      };
      const timer = setTimeout(() => {
        const i = waiters.indexOf(check);
        if (i >= 0) waiters.splice(i, 1);
        reject(new Error(`timed out after ${ms} ms waiting for ${what}; got ${JSON.stringify(events({ all: true }))}`));
      }, ms);
      if (!check()) waiters.push(check);
    });
  }

  /** Waits until an accepted event matching `match` (subset of fields) arrived. */
  function waitForEvent(match, ms = 5000) {
    const matches = (e) => Object.entries(match).every(([k, v]) => e[k] === v);
    return waitFor(() => events().some(matches), ms, JSON.stringify(match))
      .then(() => events().find(matches));
  }

  return {
    url: `http://127.0.0.1:${port}/webhooks`,
    port,
    requests,
    events,
    waitFor,
    waitForEvent,
    async close() {
      for (const res of hanging) res.destroy();
      server.closeAllConnections?.();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}

module.exports = { startReceiver };
