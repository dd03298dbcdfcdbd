#!/usr/bin/env python3
"""Writes INSTRUCTIONS.md (to stdout) from the callgrind dumps of benchmarks/count-instructions.sh.

Usage: instructions_report.py <work dir>   (benchmarks/target/instructions: meta.txt, windows.tsv, windows/...)

Each counted window is two halves of n requests; each half is a callgrind dump with one file a thread
(--separate-threads=yes). A thread is told apart by the functions it ran: the JIT compilers' (C1, C2), the VM
thread's (safepoints and, with the Serial GC a one-CPU JVM picks, garbage collection), and the rest: the threads
serving requests and the JVM's periodic tasks. The figure per request is the last group's: the JIT's threads
(the compilers and the code cache's sweeper) are left out because compiling is warm-up, and the VM thread because
a young collection (tens of millions of instructions, once every few thousand requests) falls into a window or
not; the report shows both shares of each window. What the agent adds to garbage collection follows from what it
allocates, which JMH's -prof gc measures per operation.
"""
import csv
import os
import re
import statistics
import sys

CONFIGS = ["none", "audit", "block"]
TARGET = {"hello": 1.05, "file-read": 1.02, "file-read-api-key": 1.05, "process-start": 1.02}
WHAT = {
    "hello": "hello, touches nothing (`/hello`, `/health`)",
    "file-read": "allowed file read, logged-in user (`/ops/file`, BASIC)",
    "file-read-api-key": "allowed file read, API key (`/admin/file`, `X-API-Key`; judged, then let through)",
    "proc-read-api-key": "`/proc/self/environ` read, API key (`/admin/file`; block: refused, 403; target: block ≤ no agent)",
    "process-start": "allowed process start, logged-in user (`/ops/exec?cmd=/bin/true`, BASIC)",
}
# functions only the JIT's threads run: the compilers (C2: the Phase* optimisers and the register allocator; C1:
# its graph builder and linear-scan allocator; not CompileBroker's, which the Java threads call to queue a method)
# and the code cache's sweeper (it cleans up after compilations: inline caches, methods made not entrant); and
# functions only the VM thread runs
COMPILER = re.compile(r"^c?fn=(?:\(\d+\) )?(Phase[A-Za-z]*::|Compile::|C2Compiler::|Compilation::|GraphBuilder::|"
                      r"LinearScan::|NMethodSweeper::sweep)", re.M)
# (not VMThread::execute or SafepointSynchronize::block: a Java thread calls these to request an operation, or
# stops at a safepoint)
VM_THREAD = re.compile(r"^c?fn=(?:\(\d+\) )?(VMThread::(inner_execute|evaluate_operation|loop)\b)", re.M)


def thread_counts(half_dir):
    """(compiler, vm thread, other) instructions of one dump."""
    counts = {"compiler": 0, "vm": 0, "other": 0}
    for name in os.listdir(half_dir):
        with open(os.path.join(half_dir, name)) as f:
            text = f.read()
        m = re.search(r"^totals: (\d+)", text, re.M)
        ir = int(m.group(1)) if m else 0
        if ir == 0:
            continue
        kind = "compiler" if COMPILER.search(text) else "vm" if VM_THREAD.search(text) else "other"
        counts[kind] += ir
    return counts


def load(work):
    windows = []
    with open(os.path.join(work, "windows.tsv")) as f:
        for app, endpoint, config, rnd, n, path, cycles, warm_jit in csv.reader(f, delimiter="\t"):
            n = int(n)
            halves = [thread_counts(os.path.join(path, h)) for h in ("1", "2")]
            per_half = [h["other"] / n for h in halves]
            all_ir = sum(sum(h.values()) for h in halves)
            windows.append({
                "app": app, "endpoint": endpoint, "config": config, "round": int(rnd), "n": 2 * n,
                "per_request": sum(per_half) / 2,
                "compiler_share": sum(h["compiler"] for h in halves) / all_ir if all_ir else 0.0,
                "gc_vm_share": sum(h["vm"] for h in halves) / all_ir if all_ir else 0.0,
                "drift": per_half[1] / per_half[0] - 1 if per_half[0] else 0.0,
                "cycles": int(cycles), "warm_jit": warm_jit,
            })
    return windows


def fmt_k(v):
    return f"{v / 1000:,.1f} k"


def main(work):
    meta = {}
    with open(os.path.join(work, "meta.txt")) as f:
        for line in f:
            k, _, v = line.rstrip("\n").partition("=")
            meta[k] = v
    windows = load(work)
    out = []
    w = out.append
    quick = meta.get("profile") == "quick"
    w("# HostGuard overhead: instructions per request" + (" (QUICK profile: indicative only)" if quick else ""))
    w("")
    w("Written by `benchmarks/count-instructions.sh` (see `benchmarks/README.md`, \"Instructions per request\"). "
      "Each service runs under valgrind's callgrind with the JVM's default JIT; nothing is counted while it starts "
      "and warms up, then every instruction its process executes in user space while it serves exactly N requests "
      "(one kept-alive connection) is counted, per thread. The figure per request is that of the threads that serve "
      "requests (and the JVM's periodic tasks); left out, and shown apart below: the JIT's threads (compilers and "
      "code-cache sweeper: warm-up) and the VM thread (safepoints and garbage collection, which with the Serial "
      "GC of a one-CPU JVM is a young collection of tens of millions of instructions every few thousand requests, "
      "in a window or not; what HostGuard adds to it follows from what it allocates: 0 B on a logged-in user's "
      "operations, see JMH's `-prof gc` in `RESULTS.md`). Instruction counts do not depend on what else runs on the machine: they resolve the "
      "few per cent that CPU time under load cannot here (`RESULTS.md`). The kernel's work (system calls, network, "
      "fork and exec) is not counted.")
    w("")
    w("| | |")
    w("|---|---|")
    for key, label in [("date", "date"), ("cpu", "CPU"), ("cores", "cores"), ("kernel", "kernel"), ("jdk", "JDK"),
                       ("valgrind", "valgrind"), ("profile", "profile"), ("settings", "requests"),
                       ("elapsed", "run time"), ("agent", "agent (last commit touching agent/)")]:
        w(f"| {label} | {meta.get(key, '')} |")
    w(f"| valgrind options | `{meta.get('command', '')}` |")
    w("")
    w("## Against the targets")
    w("")
    w("Instructions per request: median over the rounds (no agent, with its lowest–highest over the rounds; audit "
      "and block with the ratio of the medians). Round ratios: each round's figure over the same round's no-agent "
      "figure, lowest–highest.")
    w("")
    w("| service | endpoint | target | no agent | audit | audit round ratios | block | block round ratios | met (audit, block) |")
    w("|---|---|---|---|---|---|---|---|---|")
    seen = []
    for x in windows:
        if (x["app"], x["endpoint"]) not in seen:
            seen.append((x["app"], x["endpoint"]))

    def of(app, endpoint, config):
        return {x["round"]: x for x in windows if (x["app"], x["endpoint"], x["config"]) == (app, endpoint, config)}

    for app, endpoint in seen:
        base = of(app, endpoint, "none")
        if not base:
            continue
        base_med = statistics.median(x["per_request"] for x in base.values())
        cells, verdicts = [], []
        for config in ("audit", "block"):
            runs = of(app, endpoint, config)
            if not runs:
                cells += ["–", "–"]
                verdicts.append("–")
                continue
            med = statistics.median(x["per_request"] for x in runs.values())
            ratio = med / base_med
            rounds = [x["per_request"] / base[r]["per_request"] for r, x in runs.items() if r in base]
            cells += [f"{fmt_k(med)} ({ratio:.3f}×)", f"{min(rounds):.3f}–{max(rounds):.3f}"]
            target = TARGET.get(endpoint)
            verdicts.append("–" if target is None else "met" if max(rounds) <= target
                            else "**missed**" if min(rounds) > target else "**not resolved**")
        lo, hi = (min(x["per_request"] for x in base.values()), max(x["per_request"] for x in base.values()))
        w(f"| {app} | {WHAT.get(endpoint, endpoint)} | ≤ {TARGET.get(endpoint, '–')}× | {fmt_k(base_med)} "
          f"({lo / 1000:,.1f}–{hi / 1000:,.1f}) | "
          f"{cells[0]} | {cells[1]} | {cells[2]} | {cells[3]} | {', '.join(verdicts)} |")
    w("")
    w("Met: every round's ratio within the target; missed: every round's above it; not resolved: the rounds fall "
      "on both sides. Each service start compiles its code anew, and the JIT's choices (what it inlines, in which "
      "order it compiles) differ from one start to the next: the no-agent rounds' own spread shows how much, and a "
      "difference smaller than that is not resolved by a few rounds.")
    w("")
    w("## Every window")
    w("")
    w("Per request: user-space instructions of all threads but the JIT's and the VM thread, over the window's N "
      "requests. "
      "JIT: the compiler and code-cache sweeper threads' share of all instructions in the window (left out of the "
      "figure; warm-up not yet over). VM thread: its share (safepoints and, with the Serial GC, garbage collection; "
      "left out of the figure). Drift: "
      "the window's second half against its first, per request; near 0 when the warm-up was long enough. Warm-up: "
      "the service's cycles of requests to all its endpoints before counting, and the JIT compiler threads' share "
      "of the service's CPU time (`/proc/<pid>/task`) over the last cycle.")
    w("")
    w("| service | endpoint | config | round | warm-up cycles (JIT CPU share, last) | N | per request | JIT | VM thread | drift |")
    w("|---|---|---|---|---|---|---|---|---|---|")
    for x in sorted(windows, key=lambda x: (seen.index((x["app"], x["endpoint"])), CONFIGS.index(x["config"]),
                                              x["round"])):
        w(f"| {x['app']} | {x['endpoint']} | {x['config']} | {x['round']} | {x['cycles']} ({x['warm_jit']} %) | "
          f"{x['n']} | {x['per_request']:,.0f} | "
          f"{100 * x['compiler_share']:.1f} % | {100 * x['gc_vm_share']:.1f} % | {100 * x['drift']:+.1f} % |")
    w("")
    print("\n".join(out))


if __name__ == "__main__":
    if len(sys.argv) != 2:
        sys.exit("usage: instructions_report.py <work dir>")
    main(sys.argv[1])
