#!/usr/bin/env node
'use strict';
// Splits a fixed-rate fan-out run's scheduler trace into publishes and shows, for each, who ran
// where: each server thread's CPU time and when it last ran, the load generator's, and how long
// each CPU sat idle before the generator read the publish's last frame. With both cores
// shared, a publish's latency is the schedule of a few threads over two CPUs; this shows
// whether a slow publish was a slow server, a slow generator or an idle core.
//
//   perf sched record -o sched.data -- sleep 6      # while the fixed-rate run is measuring
//   perf sched timehist -i sched.data > timehist.txt
//   node bench/sched-timeline.js timehist.txt [--server worker-] [--generator sockudo_loadgen]
//
// A publish starts when a server thread runs for longer than --min-run-ms after at least
// --gap-ms without doing so; it is followed for --window-ms. The first and last publishes of
// the trace are left out (cut by the recording).

const fs = require('node:fs');

// One line of `perf sched timehist`: "time [cpu] task wait-time sch-delay run-time", where
// `time` is when the task left the CPU and every duration is in milliseconds.
function parseTimehist(text) {
  const runs = [];
  for (const line of text.split('\n')) {
    const m = line.match(/^\s*(\d+\.\d+)\s+\[(\d+)\]\s+(.+?)\s+(\d+\.\d+)\s+(\d+\.\d+)\s+(\d+\.\d+)\s*$/);
    if (!m) continue;
    const end = Number(m[1]) * 1000;
    const ms = Number(m[6]);
    runs.push({ start: end - ms, end, cpu: Number(m[2]), task: m[3] });
  }
  return runs.sort((a, b) => a.start - b.start);
}

function publishes(runs, { server = 'worker-', generator = 'sockudo_loadgen', gapMs = 50,
  windowMs = 60, minRunMs = 0.5 } = {}) {
  const isServer = (r) => r.task.startsWith(server);
  const isGenerator = (r) => r.task.includes(generator);
  const isIdle = (r) => r.task.startsWith('<idle>');
  const starts = [];
  let lastEnd = -Infinity;
  for (const r of runs) {
    if (!isServer(r) || r.end - r.start < minRunMs) continue;
    if (r.start - lastEnd > gapMs) starts.push(r.start);
    lastEnd = Math.max(lastEnd, r.end);
  }
  const cpus = [...new Set(runs.map((r) => r.cpu))].sort((a, b) => a - b);
  const rows = [];
  for (const start of starts.slice(1, -1)) {
    const from = start - 1;
    const to = from + windowMs;
    const inside = runs.filter((r) => r.end > from && r.start < to);
    const clipped = (r) => Math.min(r.end, to) - Math.max(r.start, from);
    const row = { start_ms: from, threads: {}, generator_cpu_ms: 0, generator_end_ms: 0, generator_cpus: {},
      idle_ms: {} };
    for (const r of inside) {
      // Sub-0.2 ms runs are wakeups that found nothing to do (timer ticks, epoll timeouts).
      const real = clipped(r) >= 0.2;
      if (isServer(r)) {
        const name = r.task.replace(/\[.*$/, '');
        const t = (row.threads[name] ??= { cpu_ms: 0, end_ms: 0, cpus: {} });
        t.cpu_ms += clipped(r);
        t.cpus[r.cpu] = (t.cpus[r.cpu] ?? 0) + clipped(r);
        if (real) t.end_ms = Math.max(t.end_ms, Math.min(r.end, to) - from);
      } else if (isGenerator(r)) {
        row.generator_cpu_ms += clipped(r);
        row.generator_cpus[r.cpu] = (row.generator_cpus[r.cpu] ?? 0) + clipped(r);
        if (real) row.generator_end_ms = Math.max(row.generator_end_ms, Math.min(r.end, to) - from);
      }
    }
    for (const cpu of cpus) row.idle_ms[cpu] = 0;
    const until = from + row.generator_end_ms;
    for (const r of inside) {
      if (isIdle(r) && r.start < until) row.idle_ms[r.cpu] += Math.min(r.end, until) - Math.max(r.start, from);
    }
    rows.push(row);
  }
  return rows;
}

function format(rows) {
  const f = (x) => x.toFixed(1).padStart(5);
  const where = (byCpu) => Object.entries(byCpu).map(([cpu, ms]) => `c${cpu}:${ms.toFixed(1)}`).join(' ');
  return rows.map((row) => {
    const threads = Object.entries(row.threads).sort().map(([name, t]) =>
      `${name} cpu ${f(t.cpu_ms)} end ${f(t.end_ms)} (${where(t.cpus)})`);
    const idle = Object.entries(row.idle_ms).map(([cpu, ms]) => `c${cpu} ${f(ms)}`).join(' ');
    return `${threads.join(' | ')} | generator cpu ${f(row.generator_cpu_ms)} end ${f(row.generator_end_ms)} `
      + `(${where(row.generator_cpus)}) | idle before its end: ${idle}`;
  }).join('\n');
}

if (require.main === module) {
  const args = process.argv.slice(2);
  const opt = (name, fallback) => {
    const i = args.indexOf(`--${name}`);
    return i >= 0 ? args[i + 1] : fallback;
  };
  const file = args.find((a, i) => !a.startsWith('--') && (i === 0 || !args[i - 1].startsWith('--')));
  if (!file) {
    console.error('usage: node bench/sched-timeline.js TIMEHIST.txt [--server PREFIX] [--generator NAME] '
      + '[--gap-ms 50] [--window-ms 60] [--min-run-ms 0.5]');
    process.exit(2);
  }
  const rows = publishes(parseTimehist(fs.readFileSync(file, 'utf8')), {
    server: opt('server', 'worker-'),
    generator: opt('generator', 'sockudo_loadgen'),
    gapMs: Number(opt('gap-ms', '50')),
    windowMs: Number(opt('window-ms', '60')),
    minRunMs: Number(opt('min-run-ms', '0.5')),
  });
  console.log(format(rows));
}

module.exports = { parseTimehist, publishes, format };
