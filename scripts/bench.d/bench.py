#!/usr/bin/env python3
"""Machi's benchmark: runs every scenario against Machi and against this machine's own ceilings, in one run.

scripts/bench builds the binaries, installs wrk and then runs this file; see `scripts/bench --help` and
docs/benchmarks.md. Python standard library only. Every figure is measured here, in this run, on this machine:
Machi's figures are compared with the raw HTTP and raw SQLite baselines of the same run, never with numbers
from elsewhere.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import signal
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import benchlib  # noqa: E402
import report  # noqa: E402
from benchlib import Bench  # noqa: E402

ALL_SCENARIOS = [
    "raw-get", "raw-post", "create", "create-audit-off", "load", "query", "get", "patch", "geo-near", "geo-within",
    "count-pages", "batch-update", "batch-upsert", "subscription-notify", "temporal", "get-token", "consent-query",
    "iot-http", "iot-mqtt",
    "raw-sqlite", "startup",
]
# What each scenario needs besides itself: its baseline, the loaded data set.
NEEDS_LOAD = {"load", "query", "get", "patch", "geo-near", "geo-within", "count-pages", "batch-update",
              "subscription-notify", "get-token", "raw-sqlite", "startup"}
BASELINE_OF = {
    "create": "raw-post", "create-audit-off": "raw-post", "patch": "raw-post", "get": "raw-get", "query": "raw-get", "geo-near": "raw-get",
    "geo-within": "raw-get", "count-pages": "raw-get", "load": "raw-sqlite", "batch-update": "raw-sqlite",
    "batch-upsert": "raw-sqlite", "temporal": "raw-get", "iot-http": "raw-sqlite", "iot-mqtt": "raw-sqlite",
}


def parse_arguments(argv: list[str]) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="scripts/bench",
        description="Measures Machi against this machine's own ceiling (raw Hummingbird HTTP, raw GRDB SQLite) "
        "with wrk on loopback, and writes docs/benchmarks.md and docs/benchmarks.json.",
        epilog="A full run of every scenario with the default entity count writes docs/benchmarks.{md,json}; "
        "--quick, --scenario and --entities runs write to .build-bench/bench-results/ unless --output is given.",
    )
    parser.add_argument("--quick", action="store_true",
                        help="CI smoke run: 10,000 entities, 50,000 temporal instances, 3 s per scenario (about "
                        "2 minutes after the build)")
    parser.add_argument("--scenario", action="append", default=[], metavar="NAME",
                        help=f"run only this scenario (repeatable or comma-separated; its baseline and the data "
                        f"load come along): {', '.join(ALL_SCENARIOS)}")
    parser.add_argument("--entities", type=int, help="entities to load (default 100,000; --quick 10,000)")
    parser.add_argument("--instances", type=int,
                        help="temporal attribute instances to load, 1,000 per entity (default 1,000,000; "
                        "--quick 50,000)")
    parser.add_argument("--iot-soak", type=float, metavar="SECONDS",
                        help="seconds of the last iot-mqtt step (by default the one as fast as the publishers send), with the server's "
                        "RSS sampled every second (default 120; quick: the step duration); 600 for a 10-minute run")
    parser.add_argument("--iot-steps", default="10k,28k,50k,max", metavar="LIST",
                        help="the offered rates of the iot-mqtt steps, in thousands of measures/s, comma-separated; "
                        "max: as fast as the publishers send (default 10k,28k,50k,max)")
    parser.add_argument("--store", default="sqlite", choices=["sqlite", "postgres"], help="the store to measure")
    parser.add_argument("--duration", type=float, help="seconds measured per wrk scenario (default 40; quick 3)")
    parser.add_argument("--warmup", type=float, help="seconds of warm-up before each wrk scenario (default 5; quick 1)")
    parser.add_argument("--connections", type=int, default=32, help="wrk connections for single-request scenarios")
    parser.add_argument("--batch-connections", type=int, default=4, help="wrk connections for batch scenarios")
    parser.add_argument("--threads", type=int, default=1, help="wrk threads (default 1: leave the cores to Machi)")
    parser.add_argument("--wait-idle", type=float, default=0, metavar="SECONDS",
                        help="first wait up to this long for the 1-minute load average to drop below 1.0")
    parser.add_argument("--output", help="directory for benchmarks.md and benchmarks.json")
    parser.add_argument("--machi", required=True, help=argparse.SUPPRESS)
    parser.add_argument("--baseline", required=True, help=argparse.SUPPRESS)
    parser.add_argument("--root", required=True, help=argparse.SUPPRESS)
    arguments = parser.parse_args(argv)
    selected: list[str] = []
    for item in arguments.scenario:
        for name in item.split(","):
            name = name.strip()
            if name not in ALL_SCENARIOS:
                parser.error(f"unknown scenario {name!r}; one of: {', '.join(ALL_SCENARIOS)}")
            if name not in selected:
                selected.append(name)
    arguments.selected = selected
    if arguments.entities is None:
        arguments.entities = 10_000 if arguments.quick else 100_000
    if arguments.entities < 1000:
        parser.error("--entities must be at least 1,000")
    if arguments.instances is None:
        arguments.instances = 50_000 if arguments.quick else 1_000_000
    if arguments.instances < 10_000:
        parser.error("--instances must be at least 10,000")
    if arguments.duration is None:
        arguments.duration = 3.0 if arguments.quick else 40.0
    if arguments.warmup is None:
        arguments.warmup = 1.0 if arguments.quick else 5.0
    return arguments


def plan(arguments: argparse.Namespace) -> list[str]:
    """The scenarios to run, in run order: the selection plus the baselines its ratios need."""
    if not arguments.selected:
        return list(ALL_SCENARIOS)
    wanted = set(arguments.selected)
    for name in arguments.selected:
        if name in BASELINE_OF:
            wanted.add(BASELINE_OF[name])
    if wanted & NEEDS_LOAD:
        wanted.add("load")
    return [name for name in ALL_SCENARIOS if name in wanted]


def wait_for_idle(limit: float) -> None:
    if limit <= 0:
        return
    deadline = time.monotonic() + limit
    while os.getloadavg()[0] >= 1.0 and time.monotonic() < deadline:
        benchlib.say(f"waiting for an idle machine: load average {os.getloadavg()[0]:.2f} (up to "
                     f"{deadline - time.monotonic():.0f} s more)")
        time.sleep(min(30.0, max(1.0, deadline - time.monotonic())))
    load = os.getloadavg()[0]
    benchlib.say(f"load average {load:.2f}: " + ("idle enough" if load < 1.0 else "still busy; running anyway"))


def output_directory(arguments: argparse.Namespace) -> str:
    if arguments.output:
        return os.path.abspath(arguments.output)
    if (not arguments.quick and not arguments.selected and arguments.entities == 100_000
            and arguments.instances == 1_000_000):
        return os.path.join(arguments.root, "docs")
    return os.path.join(arguments.root, ".build-bench", "bench-results")


def main(argv: list[str]) -> int:
    arguments = parse_arguments(argv)
    if arguments.store == "postgres":
        print("scripts/bench: the PostgreSQL store does not exist yet (MachiPostgres is still to come); "
              "nothing to measure.")
        return 0
    for tool in ["wrk", arguments.machi, arguments.baseline]:
        if shutil.which(tool) is None and not os.access(tool, os.X_OK):
            print(f"scripts/bench: {tool} not found", file=sys.stderr)
            return 2

    wait_for_idle(arguments.wait_idle)
    scenarios = plan(arguments)
    run_directory = tempfile.mkdtemp(prefix="machi-bench.")
    bench = Bench(arguments, run_directory)

    def interrupted(signum, _frame):
        raise KeyboardInterrupt(f"signal {signum}")

    signal.signal(signal.SIGTERM, interrupted)
    started = time.monotonic()
    try:
        bench.say(f"run directory {run_directory}; scenarios: {', '.join(scenarios)}")
        bench.run(scenarios)
    except KeyboardInterrupt as stop:
        bench.say(f"interrupted ({stop}); stopping everything")
        bench.processes.stop_all()
        return 130
    finally:
        bench.processes.stop_all()
        if os.environ.get("MACHI_BENCH_KEEP") != "1":
            shutil.rmtree(run_directory, ignore_errors=True)
        else:
            bench.say(f"kept {run_directory}")

    bench.finish(elapsed=time.monotonic() - started)
    directory = output_directory(arguments)
    os.makedirs(directory, exist_ok=True)
    document = bench.document()
    document["targets"] = report.targets(document)
    with open(os.path.join(directory, "benchmarks.json"), "w") as file:
        json.dump(document, file, indent=2, sort_keys=False)
        file.write("\n")
    markdown = report.markdown(document)
    with open(os.path.join(directory, "benchmarks.md"), "w") as file:
        file.write(markdown)
    print()
    print(report.summary_table(document))
    print()
    bench.say(f"wrote {os.path.join(directory, 'benchmarks.md')} and benchmarks.json "
              f"({time.monotonic() - started:.0f} s)")
    failed = [s["name"] for s in document["scenarios"] if s["status"] == "failed"]
    if failed:
        bench.say(f"FAILED scenarios: {', '.join(failed)}")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
