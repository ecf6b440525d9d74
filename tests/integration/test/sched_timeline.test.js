'use strict';
// bench/sched-timeline.js on a scheduler trace written here: publishes are found, and each
// one's server threads, generator and idle CPUs are accounted as the trace says.

const test = require('node:test');
const assert = require('node:assert');
const path = require('node:path');
const { execFileSync } = require('node:child_process');
const fs = require('node:fs');
const os = require('node:os');

const TOOL = path.resolve(__dirname, '../../../bench/sched-timeline.js');
const { parseTimehist, publishes } = require(TOOL);

// A `perf sched timehist` line: the task left `cpu` at `endMs` after running `runMs`.
const line = (endMs, cpu, task, runMs) =>
  `${(endMs / 1000).toFixed(6).padStart(15)} [${String(cpu).padStart(4, '0')}]  ${task.padEnd(30)} `
  + `${'0.000'.padStart(9)}  ${'0.000'.padStart(9)}  ${runMs.toFixed(3).padStart(9)}`;

// One publish at `t` ms: worker-0 alone on CPU 0 for 10 ms; on CPU 1 worker-1 and the
// generator take turns; the generator reads the last frames on CPU 0 after it went idle.
function publish(t) {
  return [
    line(t + 10, 0, 'worker-0[101/100]', 10),
    line(t + 4, 1, 'worker-1[102/100]', 4),
    line(t + 12, 1, 'sockudo_loadgen[200]', 8),
    line(t + 16, 1, 'worker-1[102/100]', 4),
    line(t + 20, 0, '<idle>', 10),
    line(t + 21, 0, 'sockudo_loadgen[200]', 1),
    line(t + 30, 1, '<idle>', 14),
    line(t + 40.04, 0, 'sockudo_loadgen[200]', 0.04), // an empty wakeup: not the end
  ];
}

const TRACE = [
  '           time    cpu  task name                       wait time  sch delay   run time',
  '                        [tid/pid]                          (msec)     (msec)     (msec)',
  '--------------- ------  ------------------------------  ---------  ---------  ---------',
  ...[1000, 1200, 1400, 1600].flatMap(publish),
  'not a line of the trace',
].join('\n');

test('every line of the trace is read, headers and noise are not', () => {
  const runs = parseTimehist(TRACE);
  assert.strictEqual(runs.length, 4 * 8);
  const first = runs[0];
  assert.strictEqual(first.task, 'worker-0[101/100]');
  assert.strictEqual(first.cpu, 0);
  assert.ok(Math.abs(first.start - 1000) < 1e-6 && Math.abs(first.end - 1010) < 1e-6);
});

test('each publish inside the recording is accounted: threads, generator, idle CPUs', () => {
  const rows = publishes(parseTimehist(TRACE));
  assert.strictEqual(rows.length, 2, 'the first and the last publish are cut by the recording');
  for (const [i, row] of rows.entries()) {
    // Times are from 1 ms before the publish's first server run.
    assert.ok(Math.abs(row.start_ms - (1200 + 200 * i - 1)) < 1e-6);
    const near = (a, b) => Math.abs(a - b) < 1e-6;
    assert.ok(near(row.threads['worker-0'].cpu_ms, 10) && near(row.threads['worker-0'].end_ms, 11));
    assert.ok(near(row.threads['worker-1'].cpu_ms, 8) && near(row.threads['worker-1'].end_ms, 17));
    assert.deepStrictEqual(Object.keys(row.threads['worker-1'].cpus), ['1']);
    assert.ok(near(row.generator_cpu_ms, 9.04), `generator ${row.generator_cpu_ms}`);
    assert.ok(near(row.generator_end_ms, 22), 'an empty wakeup after the last read is not the end');
    assert.ok(near(row.generator_cpus[0], 1.04) && near(row.generator_cpus[1], 8));
    // Idle until the generator's last read: CPU 0 from 10 to 20 ms, CPU 1 from 16 to 21.
    assert.ok(near(row.idle_ms[0], 10) && near(row.idle_ms[1], 5), JSON.stringify(row.idle_ms));
  }
});

test('the command prints one line per publish', () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'timeline-'));
  try {
    const file = path.join(dir, 'timehist.txt');
    fs.writeFileSync(file, TRACE);
    const out = execFileSync(process.execPath, [TOOL, file], { encoding: 'utf8', timeout: 10000 });
    const lines = out.trim().split('\n');
    assert.strictEqual(lines.length, 2);
    assert.match(lines[0], /worker-0 cpu {2}10\.0 end {2}11\.0 \(c0:10\.0\)/);
    assert.match(lines[0], /generator cpu {3}9\.0 end {2}22\.0 \(c0:1\.0 c1:8\.0\)/);
    assert.match(lines[0], /idle before its end: c0 {2}10\.0 c1 {3}5\.0/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
