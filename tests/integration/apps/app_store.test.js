'use strict';
// App managers against real databases (operations.md §2): one suite, run per driver (sqlite,
// postgres, mysql). Apps are created, changed and disabled with plain SQL, as operators do; the
// server sees them through its lookup cache (TTL 1 s here), and the number of lookups that
// reached the database is read from /stats (app_store.queries).
const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const { startServer, runBinary, httpGet, waitFor, waitForOutput, freePort } = require('../lib/harness');
const { connect } = require('../lib/ws-client');
const { signed } = require('../lib/signed-http');
const {
  createPusher, serverSdk, connected, subscribe, once, closeAllPushers, appConfig, configWithApps,
} = require('../lib/pusher-clients');
const { DATABASES } = require('../lib/databases');

const DRIVERS = (process.env.SOCKUDO_APP_STORE_DRIVERS || 'sqlite,postgres,mysql').split(',').filter(Boolean);
const TTL_S = 1;

/** The dialect's quoting of the `key` column (reserved in MySQL). */
function keyColumn(driver) { return driver === 'mysql' ? '`key`' : '"key"'; }

function insertApp(db, driver, id, { enabled = true, maxConnections = 0, clientMessages = false } = {}) {
  db.query(`INSERT INTO applications (id, ${keyColumn(driver)}, secret, max_connections, enable_client_messages, `
    + `enabled, max_client_events_per_second) VALUES ('${id}', '${id}-key', '${id}-secret', ${maxConnections}, `
    + `${clientMessages ? 'TRUE' : 'FALSE'}, ${enabled ? 'TRUE' : 'FALSE'}, 0)`);
  return { id, key: `${id}-key`, secret: `${id}-secret` };
}

async function queries(server) {
  const res = await httpGet(server.port, '/stats');
  return JSON.parse(res.body).app_store.queries;
}

/** 'established' or the close code of one raw connection to /app/{key}. */
async function outcome(server, key) {
  const c = await connect(server, `/app/${key}?protocol=7&client=js&version=8.4.0`);
  try {
    const first = await Promise.race([
      c.next((f) => f.event === 'pusher:connection_established' || f.event === 'pusher:error', 5000),
      c.waitClose(5000),
    ]);
    if (first.event === 'pusher:connection_established') return { result: 'established', client: c };
    const closed = await c.waitClose(5000);
    return { result: closed.code, client: c };
  } catch (e) {
    c.close();
    throw e;
  }
}

async function outcomeCode(server, key) {
  const { result, client } = await outcome(server, key);
  client.close();
  return result;
}

/** Polls new connections until they end in `expected` (the TTL has to pass first). */
async function eventually(server, key, expected, what) {
  let last;
  await waitFor(async () => {
    last = await outcomeCode(server, key);
    if (last === expected) return true;
    await new Promise((r) => setTimeout(r, 100));
    return false;
  }, (TTL_S + 6) * 1000, `${what} (last outcome ${last})`);
}

for (const driver of DRIVERS) {
  describe(`app store × ${driver}`, () => {
    let db;
    let server;
    before(async () => {
      db = await DATABASES[driver]();
      server = await startServer({
        env: { ...db.env, CACHE_TTL_SECONDS: String(TTL_S) },
        config: configWithApps([appConfig('inline-app', { features: { enable_client_messages: true } })]),
      });
    });
    after(async () => {
      closeAllPushers();
      if (server) await server.stop();
      if (db) await db.destroy();
    });

    it(`migrations create the table and inline apps are upserted with columns and policy × ${driver}`, async () => {
      assert.equal(db.query("SELECT COUNT(*) FROM applications WHERE id = 'inline-app' AND policy IS NOT NULL"), '1');
      assert.equal(db.query("SELECT max_client_events_per_second FROM applications WHERE id = 'inline-app'"), '0');
      assert.equal(await outcomeCode(server, 'inline-app-key'), 'established');
    });

    it(`create: pusher-js connects to an app that exists only in the database; the HTTP API finds it by id × ${driver}`, async () => {
      const app = insertApp(db, driver, 'db-app');
      const pusher = createPusher(server, { appId: app.id, key: app.key, secret: app.secret });
      await connected(pusher);
      const channel = await subscribe(pusher, 'news');
      const received = once(channel, 'headline');
      await serverSdk(server, { appId: app.id, key: app.key, secret: app.secret }).trigger('news', 'headline', { n: 1 });
      assert.deepEqual(await received, { n: 1 });
      const res = await signed(server, 'GET', `/apps/${app.id}/channels`, app);
      assert.equal(res.status, 200, res.body);
      assert.ok('news' in res.json.channels);
    });

    it(`unknown key: 4001 and HTTP 404; a flood of the same bad key reaches the database about once × ${driver}`, async () => {
      assert.equal(await outcomeCode(server, 'no-such-key'), 4001);
      const before = await queries(server);
      const started = Date.now();
      const codes = await Promise.all(Array.from({ length: 40 }, () => outcomeCode(server, 'no-such-key')));
      assert.deepEqual([...new Set(codes)], [4001]);
      const used = (await queries(server)) - before;
      // The negative entry lives 1 s here: one query per expiry that falls inside the flood.
      const expiries = Math.ceil((Date.now() - started) / (TTL_S * 1000));
      assert.ok(used <= expiries, `${used} database lookups for 40 connects with a cached unknown key (${expiries} TTL periods)`);
      const res = await signed(server, 'GET', '/apps/no-such-app/channels', { appId: 'no-such-app', key: 'k', secret: 's' });
      assert.equal(res.status, 404, res.body);
    });

    it(`warm cache: repeated connects and API calls cost no database query × ${driver}`, async () => {
      const app = insertApp(db, driver, 'warm-app');
      assert.equal(await outcomeCode(server, app.key), 'established');
      const res = await signed(server, 'GET', `/apps/${app.id}/channels`, app);
      assert.equal(res.status, 200, res.body);
      const before = await queries(server);
      const started = Date.now();
      const codes = await Promise.all(Array.from({ length: 30 }, () => outcomeCode(server, app.key)));
      assert.deepEqual([...new Set(codes)], ['established']);
      const used = (await queries(server)) - before;
      const expiries = Math.ceil((Date.now() - started) / (TTL_S * 1000));
      assert.ok(used <= expiries, `${used} lookups for 30 warm connects (${expiries} TTL periods)`);
    });

    it(`disable: new connects get 4003 within the TTL, the HTTP API answers 403 × ${driver}`, async () => {
      const app = insertApp(db, driver, 'doomed-app');
      const { result, client: kept } = await outcome(server, app.key);
      assert.equal(result, 'established');
      db.query("UPDATE applications SET enabled = FALSE WHERE id = 'doomed-app'");
      await eventually(server, app.key, 4003, 'disabled app refused');
      const res = await signed(server, 'POST', `/apps/${app.id}/events`, { ...app, body: { name: 'e', channel: 'c', data: '{}' } });
      assert.equal(res.status, 403, res.body);
      assert.equal(kept.closed, null, 'disabling does not drop open sockets (§2.5)');
      kept.close();
    });

    it(`change limits: max_connections applies after the TTL and the app's live state survives × ${driver}`, async () => {
      const app = insertApp(db, driver, 'limited-app');
      const { result, client: first } = await outcome(server, app.key);
      assert.equal(result, 'established');
      db.query("UPDATE applications SET max_connections = 1 WHERE id = 'limited-app'");
      // The open socket still counts after the refresh: the runtime was updated, not replaced.
      await eventually(server, app.key, 4004, 'connection quota applied');
      first.close();
      await first.waitClose();
      await eventually(server, app.key, 'established', 'quota freed by the closed socket');
    });

    it(`cache expiry: an app created after a miss is found once the negative entry expires × ${driver}`, async () => {
      assert.equal(await outcomeCode(server, 'late-app-key'), 4001);
      insertApp(db, driver, 'late-app');
      await eventually(server, 'late-app-key', 'established', 'late app found');
    });

    if (driver !== 'sqlite') {
      it(`database stopped: cached apps keep working, unknown keys get 4001, /up fails; restarted: recovers × ${driver}`, async () => {
        const app = insertApp(db, driver, 'survivor-app');
        assert.equal(await outcomeCode(server, app.key), 'established');
        assert.equal((await httpGet(server.port, '/up')).status, 200);
        await db.stop();
        await waitFor(async () => (await httpGet(server.port, '/up')).status === 503, 15000, '/up to report the outage');
        assert.equal(await outcomeCode(server, app.key), 'established', 'a known app keeps its last record');
        assert.equal(await outcomeCode(server, 'never-seen-key'), 4001);
        const res = await signed(server, 'GET', `/apps/${app.id}/channels`, app);
        assert.equal(res.status, 200, `the HTTP API keeps working for a known app: ${res.body}`);
        await waitForOutput(server, /app store: database unavailable/);
        await db.start();
        await waitFor(async () => (await httpGet(server.port, '/up')).status === 200, 20000, '/up to recover');
        await waitForOutput(server, /app store: database reachable again/);
        insertApp(db, driver, 'after-outage');
        await eventually(server, 'after-outage-key', 'established', 'new app after the outage');
      });
    }
  });
}

describe('app store start-up', () => {
  it('a database that cannot be reached at start is fatal, naming the driver and the error', async () => {
    const port = await freePort();
    const { code, stdout, stderr } = await runBinary([], {
      env: { APP_MANAGER_DRIVER: 'pgsql', DATABASE_POSTGRES_HOST: '127.0.0.1', DATABASE_POSTGRES_PORT: String(port), PORT: '0', METRICS_ENABLED: 'false' },
    });
    assert.notEqual(code, 0);
    assert.match(stdout + stderr, /app store pgsql: cannot start: postgres 127\.0\.0\.1/);
  });
});
