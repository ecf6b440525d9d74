'use strict';
// Throwaway database servers for the app-store tests: PostgreSQL (initdb into a temp dir, run as
// the `postgres` user when the tests run as root, since PostgreSQL refuses root) and MariaDB
// (mariadb-install-db into a temp dir). Each listens on a free loopback port, runs in its own
// process group and is always stopped (also on a failing test or an interrupted run). Both can be
// stopped and started again on the same data directory to simulate an outage.
const { spawn, execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');
const path = require('node:path');
const { freePort, waitFor } = require('./harness');

const running = new Set();
function killAll() {
  for (const child of running) {
    try { process.kill(-child.pid, 'SIGKILL'); } catch { /* gone */ }
  }
}
process.on('exit', killAll);

const isRoot = process.getuid && process.getuid() === 0;

function pgBin(name) {
  const base = '/usr/lib/postgresql';
  const versions = fs.existsSync(base) ? fs.readdirSync(base).sort((a, b) => Number(b) - Number(a)) : [];
  for (const v of versions) {
    const p = path.join(base, v, 'bin', name);
    if (fs.existsSync(p)) return p;
  }
  return name;
}

/** Runs a command as `user` (only when root) and returns stdout; throws with its output. */
function run(cmd, args, { user, timeout = 30000, input } = {}) {
  const [file, argv] = user && isRoot ? ['runuser', ['-u', user, '--', cmd, ...args]] : [cmd, args];
  return execFileSync(file, argv, { timeout, input, encoding: 'utf8', stdio: ['pipe', 'pipe', 'pipe'] });
}

function spawnGroup(cmd, args, { user, logFile }) {
  const [file, argv] = user && isRoot ? ['runuser', ['-u', user, '--', cmd, ...args]] : [cmd, args];
  const log = fs.openSync(logFile, 'a');
  const child = spawn(file, argv, { detached: true, stdio: ['ignore', log, log] });
  fs.closeSync(log);
  running.add(child);
  child.exited = new Promise((resolve) => child.on('exit', () => { running.delete(child); resolve(); }));
  return child;
}

async function stopGroup(child, signal = 'SIGTERM', timeoutMs = 10000) {
  if (!child || child.exitCode !== null || child.signalCode !== null) return;
  try { process.kill(-child.pid, signal); } catch { /* gone */ }
  const timer = setTimeout(() => { try { process.kill(-child.pid, 'SIGKILL'); } catch { /* gone */ } }, timeoutMs);
  await child.exited;
  clearTimeout(timer);
}

/** A PostgreSQL server with database `sockudo`; returns { port, env, query(sql), stop(), start(), destroy() }. */
async function startPostgres() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sockudo-pg-'));
  if (isRoot) execFileSync('chown', ['postgres', dir]);
  const data = path.join(dir, 'data');
  run(pgBin('initdb'), ['-D', data, '-U', 'postgres', '--auth=trust', '-E', 'UTF8', '--no-sync'], { user: 'postgres' });
  const port = await freePort();
  let child;
  const psql = (sql) => run('psql', ['-h', '127.0.0.1', '-p', String(port), '-U', 'postgres', '-d', 'sockudo',
    '-v', 'ON_ERROR_STOP=1', '-tAq', '-c', sql], { timeout: 10000 });
  const db = {
    port,
    env: {
      APP_MANAGER_DRIVER: 'pgsql', DATABASE_POSTGRES_HOST: '127.0.0.1', DATABASE_POSTGRES_PORT: String(port),
      DATABASE_POSTGRES_USERNAME: 'postgres', DATABASE_POSTGRES_DATABASE: 'sockudo', DATABASE_CONNECTION_POOL_SIZE: '2',
    },
    query: (sql) => psql(sql).trim(),
    async start() {
      child = spawnGroup(pgBin('postgres'), ['-D', data, '-k', dir, '-p', String(port), '-h', '127.0.0.1',
        '-c', 'fsync=off', '-c', 'synchronous_commit=off'], { user: 'postgres', logFile: path.join(dir, 'log') });
      await waitFor(() => {
        try {
          run('psql', ['-h', '127.0.0.1', '-p', String(port), '-U', 'postgres', '-d', 'postgres', '-tAqc', 'SELECT 1'], { timeout: 3000 });
          return true;
        } catch { return false; }
      }, 20000, 'postgres to accept connections');
    },
    // SIGINT is PostgreSQL's fast shutdown; SIGTERM would wait for the server's connections.
    async stop() { await stopGroup(child, 'SIGINT'); },
    async destroy() {
      await stopGroup(child, 'SIGINT');
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
  await db.start();
  run('psql', ['-h', '127.0.0.1', '-p', String(port), '-U', 'postgres', '-d', 'postgres', '-qc', 'CREATE DATABASE sockudo']);
  return db;
}

/** A MariaDB server with database `sockudo` (any user, no password); same shape as startPostgres(). */
async function startMariadb() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sockudo-mariadb-'));
  const data = path.join(dir, 'data');
  const user = isRoot ? ['--user=root'] : [];
  run('mariadb-install-db', ['--no-defaults', `--datadir=${data}`, ...user, '--auth-root-authentication-method=normal',
    '--skip-test-db'], { timeout: 60000 });
  const port = await freePort();
  let child;
  const client = (database, sql) => run('mariadb', ['--no-defaults', '-h', '127.0.0.1', '-P', String(port), '-u', 'root',
    '-N', '-B', ...(database ? [database] : []), '-e', sql], { timeout: 10000 });
  const db = {
    port,
    env: {
      APP_MANAGER_DRIVER: 'mysql', DATABASE_MYSQL_HOST: '127.0.0.1', DATABASE_MYSQL_PORT: String(port),
      DATABASE_MYSQL_USERNAME: 'root', DATABASE_MYSQL_DATABASE: 'sockudo', DATABASE_CONNECTION_POOL_SIZE: '2',
    },
    query: (sql) => client('sockudo', sql).trim(),
    async start() {
      child = spawnGroup('mariadbd', ['--no-defaults', `--datadir=${data}`, ...user, `--socket=${path.join(dir, 'sock')}`,
        `--port=${port}`, '--bind-address=127.0.0.1', '--skip-grant-tables', '--skip-name-resolve', '--skip-log-bin',
        `--pid-file=${path.join(dir, 'pid')}`, '--innodb-buffer-pool-size=16M', '--innodb-log-file-size=8M',
        '--innodb-flush-log-at-trx-commit=0'], { logFile: path.join(dir, 'log') });
      await waitFor(() => {
        try { client(null, 'SELECT 1'); return true; } catch { return false; }
      }, 30000, 'mariadb to accept connections');
    },
    async stop() { await stopGroup(child); },
    async destroy() {
      await stopGroup(child);
      fs.rmSync(dir, { recursive: true, force: true });
    },
  };
  await db.start();
  client(null, 'CREATE DATABASE sockudo');
  return db;
}

/** The embedded store: a temp file; `query` uses the sqlite3 shell when present. */
async function startSqlite() {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'sockudo-sqlite-'));
  const file = path.join(dir, 'apps.db');
  return {
    file,
    env: { APP_MANAGER_DRIVER: 'sqlite', DATABASE_SQLITE_PATH: file },
    query: (sql) => run('sqlite3', ['-cmd', '.timeout 2000', file, sql]).trim(),
    // A file cannot be "down"; making it unreadable is the nearest outage.
    async stop() { fs.renameSync(file, `${file}.away`); },
    async start() { fs.renameSync(`${file}.away`, file); },
    async destroy() { fs.rmSync(dir, { recursive: true, force: true }); },
  };
}

const DATABASES = { sqlite: startSqlite, postgres: startPostgres, mysql: startMariadb };

module.exports = { startPostgres, startMariadb, startSqlite, DATABASES };
