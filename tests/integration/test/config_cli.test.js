'use strict';
// Foundation: configuration file + environment overrides, the CLI (--print-config,
// --check-config, --version, --help), start-up failures on a broken file, and the basic
// listener (GET /, a WebSocket upgrade). Spec: operations.md §1.1–1.3, §1.8, §6.5; README.
const { describe, it, before, after } = require('node:test');
const assert = require('node:assert/strict');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { startServer, runBinary, httpGet, freePorts, waitForOutput } = require('../lib/harness');
const { connect } = require('../lib/ws-client');

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'sockudo-cli-'));
function writeFile(name, content) {
  const file = path.join(tmp, name);
  fs.writeFileSync(file, typeof content === 'string' ? content : JSON.stringify(content, null, 2));
  return file;
}

/** Finds `key` (a dotted path) in --print-config output, whether it is JSON or key = value text. */
function lookup(output, dotted) {
  try {
    let v = JSON.parse(output);
    for (const part of dotted.split('.')) {
      if (v === null || typeof v !== 'object' || !(part in v)) return undefined;
      v = v[part];
    }
    return v;
  } catch {
    const last = dotted.split('.').pop();
    const m = output.match(new RegExp(`^\\s*"?${last}"?\\s*[=:]\\s*"?([^"\\s,]+)"?`, 'm'));
    return m ? (/^\d+$/.test(m[1]) ? Number(m[1]) : m[1]) : undefined;
  }
}

const FILE_CONFIG = {
  host: '127.0.0.1',
  port: 7001,
  activity_timeout: 50,
  shutdown_grace_period: 4,
  user_authentication_timeout: 33,
  database: { redis: { password: 'redis-password-from-file' } },
  app_manager: {
    array: {
      apps: [{
        id: 'file-app', key: 'file-key', secret: 'file-secret-value', enabled: true,
        policy: { limits: { max_connections: 10 }, features: { enable_client_messages: true } },
      }],
    },
  },
};

describe('configuration and CLI', () => {
  it('--print-config: file values apply, environment wins over the file, secrets are "<redacted>"', async () => {
    const file = writeFile('print.json', FILE_CONFIG);
    const res = await runBinary(['--config', file, '--print-config'], {
      env: { PORT: '7002', ACTIVITY_TIMEOUT: '77', METRICS_PORT: '9999' },
    });
    assert.equal(res.code, 0, `exit code; stderr: ${res.stderr}`);
    const out = res.stdout;
    assert.ok(out.trim().length > 0, 'prints the effective configuration');
    assert.equal(lookup(out, 'port'), 7002, 'PORT env overrides the file');
    assert.equal(lookup(out, 'activity_timeout'), 77, 'ACTIVITY_TIMEOUT env overrides the file');
    assert.equal(lookup(out, 'shutdown_grace_period'), 4, 'file value kept when no env override');
    assert.equal(lookup(out, 'user_authentication_timeout'), 33);
    assert.equal(lookup(out, 'host'), '127.0.0.1');
    assert.equal(lookup(out, 'metrics.port'), 9999);
    assert.ok(out.includes('file-app'), 'the app from the file is listed');
    assert.ok(!out.includes('file-secret-value'), 'the app secret must not be printed');
    assert.ok(!out.includes('redis-password-from-file'), 'the database password must not be printed');
    assert.ok(out.includes('<redacted>'), 'secrets are shown as "<redacted>"');
  });

  it('--print-config with the default-app environment variables redacts that secret too', async () => {
    const res = await runBinary(['--print-config'], {
      env: { SOCKUDO_DEFAULT_APP_ID: 'env-app', SOCKUDO_DEFAULT_APP_KEY: 'env-key', SOCKUDO_DEFAULT_APP_SECRET: 'env-secret-value' },
      cwd: tmp,
    });
    assert.equal(res.code, 0, res.stderr);
    assert.ok(res.stdout.includes('env-app'));
    assert.ok(!res.stdout.includes('env-secret-value'), 'secret printed');
    assert.ok(res.stdout.includes('<redacted>'));
  });

  it('a broken config file makes the binary exit non-zero with the key path named in stderr', async () => {
    const [port, metricsPort] = await freePorts(2);
    const env = { PORT: String(port), HOST: '127.0.0.1', METRICS_PORT: String(metricsPort) };
    const cases = [
      [{ port: 'not-a-number' }, /port/],
      [{ activity_timeout: { nested: true } }, /activity_timeout/],
      [{ adapter: { driver: 'no-such-driver' } }, /adapter\.driver/],
      [{ app_manager: { array: { apps: [{ id: 'a', key: 'k', secret: 's', policy: { limits: { max_connections: 'lots' } } }] } } }, /max_connections/],
    ];
    for (const [body, keyRe] of cases) {
      const file = writeFile('broken.json', body);
      const res = await runBinary(['--config', file], { env, timeoutMs: 5000 }).catch((e) => ({ code: 'still running', stderr: e.message, stdout: '' }));
      assert.notEqual(res.code, 0, `${JSON.stringify(body)} must fail start-up`);
      assert.notEqual(res.code, 'still running', `${JSON.stringify(body)}: the server started despite the broken file`);
      assert.match(res.stderr, keyRe, `stderr must name the key for ${JSON.stringify(body)}: ${res.stderr}`);
    }
    // JSON syntax error and a missing explicit file are fatal too
    const syntax = writeFile('syntax.json', '{"port": 6001,,}');
    const r1 = await runBinary(['--config', syntax], { env, timeoutMs: 5000 }).catch((e) => ({ code: 'still running', stderr: e.message }));
    assert.ok(r1.code !== 0 && r1.code !== 'still running', `syntax error: ${r1.code}`);
    assert.ok(r1.stderr.length > 0);
    const r2 = await runBinary(['--config', path.join(tmp, 'does-not-exist.json')], { env, timeoutMs: 5000 }).catch((e) => ({ code: 'still running', stderr: e.message }));
    assert.ok(r2.code !== 0 && r2.code !== 'still running', `missing file: ${r2.code}`);
    assert.match(r2.stderr, /does-not-exist\.json/);
  });

  it('--check-config: exit 0 for a valid file (unknown keys only warned about), non-zero naming the key for an invalid one', async () => {
    const good = writeFile('good.json', { ...FILE_CONFIG, some_unknown_key: 1 });
    const ok = await runBinary(['--check-config', '--config', good]);
    assert.equal(ok.code, 0, ok.stderr);
    assert.match(`${ok.stdout}${ok.stderr}`, /some_unknown_key/, 'unknown keys are warned about');
    const okShort = await runBinary(['-c', good, '--check-config']);
    assert.equal(okShort.code, 0, `-c alias: ${okShort.stderr}`);
    const bad = writeFile('bad.json', { port: 70000 });
    const ko = await runBinary(['--check-config', '--config', bad]);
    assert.notEqual(ko.code, 0);
    assert.match(ko.stderr, /port/);
    // no file at all: the embedded defaults are valid
    const none = await runBinary(['--check-config'], { cwd: tmp });
    assert.equal(none.code, 0, none.stderr);
  });

  it('${VAR} interpolation in the config file; an unset variable is fatal and named', async () => {
    const file = writeFile('interp.json', '{"port": ${ITEST_PORT}, "activity_timeout": ${ITEST_UNSET_AT:-44}}');
    const ok = await runBinary(['--config', file, '--print-config'], { env: { ITEST_PORT: '7123' } });
    assert.equal(ok.code, 0, ok.stderr);
    assert.equal(lookup(ok.stdout, 'port'), 7123);
    assert.equal(lookup(ok.stdout, 'activity_timeout'), 44);
    const ko = await runBinary(['--config', file, '--check-config'], { env: {} });
    assert.notEqual(ko.code, 0);
    assert.match(ko.stderr, /ITEST_PORT/);
  });

  it('--version prints the version and exits 0', async () => {
    const res = await runBinary(['--version']);
    assert.equal(res.code, 0, res.stderr);
    assert.match(res.stdout, /sockudo\S*\s+v?\d+\.\d+\.\d+/i);
  });

  it('--help lists the options and exits 0', async () => {
    const res = await runBinary(['--help']);
    assert.equal(res.code, 0, res.stderr);
    for (const opt of ['--config', '--check-config', '--print-config', '--version', '--help']) {
      assert.ok(res.stdout.includes(opt), `--help mentions ${opt}`);
    }
    const bad = await runBinary(['--no-such-flag']);
    assert.notEqual(bad.code, 0, 'an unknown flag is an error');
  });
});

describe('a server started from a config file plus environment overrides', () => {
  let server;
  before(async () => {
    server = await startServer({
      config: FILE_CONFIG, // host/port are overridden by the harness's HOST/PORT env
      env: { ACTIVITY_TIMEOUT: '42' },
    });
  });
  after(async () => { await server.stop(); });

  it('GET / answers 200', async () => {
    const res = await httpGet(server.port, '/');
    assert.equal(res.status, 200);
  });

  it('a WebSocket upgrade on /app/{key} is accepted and uses the file app and the env activity_timeout', async () => {
    const c = await connect(server, '/app/file-key?protocol=7&client=js&version=8.4.0');
    try {
      const d = await c.established();
      assert.match(d.socket_id, /^\d+\.\d+$/);
      assert.equal(d.activity_timeout, 42);
    } finally { c.close(); }
    // the embedded default app is replaced by the file's apps
    const other = await connect(server, '/app/app-key?protocol=7');
    try {
      const f = await other.next(() => true, 3000);
      assert.equal(f.event, 'pusher:error');
      assert.equal(f.data.code, 4001);
    } finally { other.close(); }
  });

  it('health endpoints: /live 200, /up 200 OK, unknown route 404', async () => {
    assert.equal((await httpGet(server.port, '/live')).status, 200);
    const up = await httpGet(server.port, '/up');
    assert.equal(up.status, 200);
    assert.equal(up.body, 'OK');
    assert.equal((await httpGet(server.port, '/up/file-app')).status, 200);
    assert.equal((await httpGet(server.port, '/up/no-such-app')).status, 404);
    assert.equal((await httpGet(server.port, '/no/such/route')).status, 404);
  });
});

describe('a server on the embedded defaults', () => {
  let server;
  before(async () => { server = await startServer(); });
  after(async () => { await server.stop(); });

  it('GET / answers 200 and /app/app-key is upgraded', async () => {
    assert.equal((await httpGet(server.port, '/')).status, 200);
    const c = await connect(server, '/app/app-key?protocol=7&client=js&version=8.4.0&flash=false');
    try {
      const d = await c.established();
      assert.match(d.socket_id, /^\d+\.\d+$/);
    } finally { c.close(); }
  });
});

/** The CPUs a process or thread may run on ("Cpus_allowed_list" in its /proc status file). */
function allowedCpus(statusFile) {
  const list = fs.readFileSync(statusFile, 'utf8').match(/^Cpus_allowed_list:\s*(\S+)$/m)[1];
  return list.split(',').flatMap((part) => {
    const [lo, hi = lo] = part.split('-').map(Number);
    return Array.from({ length: hi - lo + 1 }, (_, i) => lo + i);
  });
}

/** The server's worker threads by name, each with the CPUs it may run on. */
function workerThreads(pid) {
  const found = {};
  for (const tid of fs.readdirSync(`/proc/${pid}/task`)) {
    const name = fs.readFileSync(`/proc/${pid}/task/${tid}/comm`, 'utf8').trim();
    if (name.startsWith('worker-')) found[name] = allowedCpus(`/proc/${pid}/task/${tid}/status`);
  }
  return found;
}

describe('the default number of workers', () => {
  let server;
  before(async () => { server = await startServer({ wrapper: ['taskset', '-c', '0'], env: { SOCKUDO_WORKERS: '0' } }); });
  after(async () => { await server.stop(); });

  it('is one per CPU the process may use, not one per core of the machine', async () => {
    assert.deepEqual(Object.keys(workerThreads(server.child.pid)), ['worker-0']);
    await waitForOutput(server, /\b1 worker\(s\)/);
  });
});

describe('a server with worker_cpu_affinity', () => {
  let server;
  before(async () => { server = await startServer({ workers: 3, env: { SOCKUDO_WORKER_CPU_AFFINITY: 'true' } }); });
  after(async () => { await server.stop(); });

  it('pins worker i to the i-th usable CPU, round robin, and serves clients', async () => {
    const usable = allowedCpus(`/proc/${server.child.pid}/status`);
    assert.deepEqual(workerThreads(server.child.pid), {
      'worker-0': [usable[0]], 'worker-1': [usable[1 % usable.length]], 'worker-2': [usable[2 % usable.length]],
    });
    await waitForOutput(server, /worker_cpu_affinity: 3 worker\(s\) pinned/);
    const c = await connect(server, '/app/app-key?protocol=7&client=js&version=8.4.0');
    try {
      assert.match((await c.established()).socket_id, /^\d+\.\d+$/);
    } finally { c.close(); }
  });
});
