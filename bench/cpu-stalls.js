#!/usr/bin/env node
'use strict';
// Finds the stretches in which a CPU of this (virtual) machine ran nothing at all: a task was
// on the CPU, yet neither a scheduler event nor a timer tick happened there. With a task
// running the kernel ticks every 1/HZ (4 ms here), so a silence of several ticks means the
// hypervisor did not run that virtual CPU, or ran it with interrupts off. Whatever held a lock
// then holds it for the whole silence, and the other CPU may spin on it (a thread spinning
// with preemption off shows as one long run in the trace).
//
//   perf record -a -e sched:sched_switch,timer:hrtimer_expire_entry -o stalls.data -- sleep 8
//   perf script -i stalls.data > stalls.txt
//   node bench/cpu-stalls.js stalls.txt [--gap-ms 6]
//
// One line per silence: when it began (seconds, the trace's clock), how long it lasted, the CPU
// and the task that was on it; then how many there were per CPU over the trace's length.

const fs = require('node:fs');

// "comm pid [cpu] seconds: event: details" as `perf script` prints a tracepoint.
const LINE = /^\s*(.+?)\s+\d+\s+\[(\d+)\]\s+(\d+\.\d+):\s+(\S+):\s*(.*)$/;

function stalls(text, { gapMs = 6 } = {}) {
  const previous = new Map();  // cpu → { ms, task } of its last event
  const found = [];
  let first = Infinity;
  let last = -Infinity;
  for (const line of text.split('\n')) {
    const m = line.match(LINE);
    if (!m) continue;
    const task = m[1];
    const cpu = Number(m[2]);
    const ms = Number(m[3]) * 1000;
    first = Math.min(first, ms);
    last = Math.max(last, ms);
    const before = previous.get(cpu);
    // An idle CPU stops its tick (nohz): only a silence with the same task on the CPU at both
    // ends, and not the idle task, is one in which that task should have been ticking.
    if (before && before.task === task && !task.startsWith('swapper') && ms - before.ms > gapMs) {
      found.push({ start_ms: before.ms, length_ms: ms - before.ms, cpu, task });
    }
    // After a switch the CPU runs the switched-to task; any other event shows the current one.
    const next = m[4] === 'sched:sched_switch' ? m[5].match(/next_comm=(.+?) next_pid=/) : null;
    previous.set(cpu, { ms, task: next ? next[1] : task });
  }
  return { stalls: found, trace_ms: last > first ? last - first : 0 };
}

function format({ stalls: found, trace_ms: traceMs }) {
  const lines = found.map((s) =>
    `${(s.start_ms / 1000).toFixed(3)} s  ${s.length_ms.toFixed(1).padStart(6)} ms  cpu ${s.cpu}  ${s.task}`);
  const perCpu = new Map();
  for (const s of found) perCpu.set(s.cpu, (perCpu.get(s.cpu) ?? 0) + 1);
  const summary = [...perCpu.entries()].sort((a, b) => a[0] - b[0])
    .map(([cpu, n]) => `cpu ${cpu}: ${n}`).join(', ');
  lines.push(`${found.length} silences in ${(traceMs / 1000).toFixed(1)} s${summary ? ` (${summary})` : ''}`);
  return lines.join('\n');
}

if (require.main === module) {
  const args = process.argv.slice(2);
  const at = args.indexOf('--gap-ms');
  const gapMs = at >= 0 ? Number(args[at + 1]) : 6;
  const file = args.find((a, i) => !a.startsWith('--') && (i === 0 || args[i - 1] !== '--gap-ms'));
  if (!file || !(gapMs > 0)) {
    console.error('usage: node bench/cpu-stalls.js PERF-SCRIPT.txt [--gap-ms 6]');
    process.exit(2);
  }
  console.log(format(stalls(fs.readFileSync(file, 'utf8'), { gapMs })));
}

module.exports = { stalls, format };
