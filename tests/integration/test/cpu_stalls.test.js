'use strict';
// bench/cpu-stalls.js on a `perf script` trace written here: a busy CPU that went silent for
// several ticks is reported, an idle one or a regular tick is not.

const test = require('node:test');
const assert = require('node:assert');
const path = require('node:path');
const { execFileSync, spawnSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');

const TOOL = path.resolve(__dirname, '../../../bench/cpu-stalls.js');
const { stalls } = require(TOOL);

// `perf script` lines as it prints the two tracepoints the tool reads.
const at = (ms) => (ms / 1000).toFixed(6);
const tick = (ms, cpu, comm, pid) =>
  `${comm.padStart(16)} ${String(pid).padStart(5)} [${String(cpu).padStart(3, '0')}] ${at(ms)}: `
  + 'timer:hrtimer_expire_entry: hrtimer=0xffff888627c206f8 function=tick_nohz_handler now=1';
const sw = (ms, cpu, comm, pid, next, nextPid) =>
  `${comm.padStart(16)} ${String(pid).padStart(5)} [${String(cpu).padStart(3, '0')}] ${at(ms)}: `
  + `        sched:sched_switch: prev_comm=${comm} prev_pid=${pid} prev_prio=120 prev_state=R ==> `
  + `next_comm=${next} next_pid=${nextPid} next_prio=120`;

const TRACE = [
  // CPU 0: worker-0 ticks every 4 ms, then nothing for 31 ms, then ticks again.
  sw(1000, 0, 'swapper', 0, 'worker-0', 11),
  tick(1004, 0, 'worker-0', 11),
  tick(1008, 0, 'worker-0', 11),
  tick(1039, 0, 'worker-0', 11),
  tick(1043, 0, 'worker-0', 11),
  // The switch's own line names the task that left; the silence after it is worker-1's.
  sw(1044, 0, 'worker-0', 11, 'worker-1', 12),
  tick(1052, 0, 'worker-1', 12),
  // CPU 1: idle for 50 ms (no tick while idle), then a task with a name that has a space.
  sw(1000, 1, 'sockudo_loadgen', 20, 'swapper/1', 0),
  sw(1050, 1, 'swapper', 0, 'Web Content', 30),
  tick(1054, 1, 'Web Content', 30),
  // A switch to a task whose next event shows another one: not a silence of either.
  sw(1060, 1, 'Web Content', 30, 'kworker/1:1', 40),
  tick(1080, 1, 'swapper', 0),
  'not a line of the trace',
].join('\n');

test('a busy CPU without events for several ticks is a silence; an idle one is not', () => {
  const { stalls: found, trace_ms: traceMs } = stalls(TRACE);
  assert.deepStrictEqual(found.map((s) => [s.cpu, s.task]), [[0, 'worker-0'], [0, 'worker-1']]);
  assert.ok(Math.abs(found[0].start_ms - 1008) < 1e-6 && Math.abs(found[0].length_ms - 31) < 1e-6);
  assert.ok(Math.abs(found[1].start_ms - 1044) < 1e-6 && Math.abs(found[1].length_ms - 8) < 1e-6);
  assert.ok(Math.abs(traceMs - 80) < 1e-6);
});

test('the threshold decides what counts as a silence', () => {
  assert.deepStrictEqual(stalls(TRACE, { gapMs: 10 }).stalls.map((s) => s.task), ['worker-0']);
  assert.deepStrictEqual(stalls(TRACE, { gapMs: 40 }).stalls, []);
});

test('the command prints one line per silence and a summary', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'stalls-'));
  try {
    const file = path.join(dir, 'stalls.txt');
    fs.writeFileSync(file, TRACE);
    const lines = execFileSync(process.execPath, [TOOL, file], { encoding: 'utf8', timeout: 10000 })
      .trim().split('\n');
    assert.strictEqual(lines.length, 3);
    assert.match(lines[0], /^1\.008 s +31\.0 ms {2}cpu 0 {2}worker-0$/);
    assert.match(lines[2], /^2 silences in 0\.1 s \(cpu 0: 2\)$/);
    const usage = spawnSync(process.execPath, [TOOL], { encoding: 'utf8', timeout: 10000 });
    assert.strictEqual(usage.status, 2);
    assert.match(usage.stderr, /usage: node bench\/cpu-stalls\.js/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
