"""The machinery of scripts/bench: processes, wrk, the data loader, measurements (CPU, RSS) and the scenarios."""

from __future__ import annotations

import datetime
import http.client
import json
import os
import platform
import random
import re
import resource
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import threading
import time
import urllib.parse

HERE = os.path.dirname(os.path.abspath(__file__))
LUA = os.path.join(HERE, "lua")
API = "/ngsi-ld/v1"
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
BATCH = 1000
CONTEXT = {
    "WaterObserved": "https://smartdatamodels.org/dataModel.Environment/WaterObserved",
    "WeatherObserved": "https://smartdatamodels.org/dataModel.Weather/WeatherObserved",
    "height": "https://smartdatamodels.org/dataModel.Environment/height",
    "flow": "https://smartdatamodels.org/dataModel.Environment/flow",
    "temperature": "https://smartdatamodels.org/temperature",
    "relativeHumidity": "https://smartdatamodels.org/dataModel.Weather/relativeHumidity",
    "atmosphericPressure": "https://smartdatamodels.org/dataModel.Weather/atmosphericPressure",
    "precipitation": "https://smartdatamodels.org/dataModel.Weather/precipitation",
    "windSpeed": "https://smartdatamodels.org/dataModel.Weather/windSpeed",
    "refDevice": "https://smartdatamodels.org/refDevice",
    "name": "https://smartdatamodels.org/name",
}
# Features whose scenarios cannot run yet: (name, title, path probed on the running server or None).
NOT_YET: list[tuple[str, str, str | None]] = []


class ScenarioFailure(Exception):
    """A scenario that could not produce a valid figure."""


def say(message: str) -> None:
    print(f"bench: {message}", flush=True)


# --- processes -----------------------------------------------------------------------------------------------

class Processes:
    """Every process the run starts, so that all of them are stopped whatever happens.

    The pids are also written to `pids` in the run directory, which scripts/bench's EXIT trap reads as a last
    resort (if this interpreter itself is killed).
    """

    def __init__(self, run_directory: str):
        self.pid_file = os.path.join(run_directory, "pids")
        self.running: list[subprocess.Popen] = []
        pid_list = os.environ.get("MACHI_BENCH_PIDS")
        self.shared_pid_file = pid_list if pid_list else None

    def _record(self) -> None:
        pids = "".join(f"{p.pid}\n" for p in self.running if p.poll() is None)
        for path in filter(None, [self.pid_file, self.shared_pid_file]):
            with open(path, "w") as file:
                file.write(pids)

    def start(self, command: list[str], log_path: str, environment: dict | None = None) -> subprocess.Popen:
        log = open(log_path, "ab")
        process = subprocess.Popen(command, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                                   env=environment)
        log.close()
        self.running.append(process)
        self._record()
        return process

    def track(self, process: subprocess.Popen) -> None:
        self.running.append(process)
        self._record()

    def untrack(self, process: subprocess.Popen) -> None:
        if process in self.running:
            self.running.remove(process)
        self._record()

    def stop(self, process: subprocess.Popen, timeout: float = 15) -> float:
        """Sends SIGTERM, waits (SIGKILL after `timeout`); returns the seconds the process took to exit."""
        started = time.monotonic()
        if process.poll() is None:
            process.send_signal(signal.SIGTERM)
            try:
                process.wait(timeout)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
        self.untrack(process)
        return time.monotonic() - started

    def stop_all(self) -> None:
        for process in list(self.running):
            self.stop(process, timeout=5)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


# --- measurements ------------------------------------------------------------------------------------------

def process_cpu_seconds(pid: int) -> float:
    try:
        with open(f"/proc/{pid}/stat") as file:
            fields = file.read().rsplit(")", 1)[1].split()
        return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS
    except (OSError, IndexError, ValueError):
        return 0.0


def thread_cpu_seconds(pid: int) -> dict[int, tuple[str, float]]:
    """CPU seconds of each thread of a process: {thread id: (thread name, seconds)}."""
    threads = {}
    try:
        tids = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return threads
    for tid in tids:
        try:
            with open(f"/proc/{pid}/task/{tid}/stat") as file:
                text = file.read()
            name = text[text.index("(") + 1:text.rindex(")")]
            fields = text.rsplit(")", 1)[1].split()
            threads[int(tid)] = (name, (int(fields[11]) + int(fields[12])) / CLOCK_TICKS)
        except (OSError, ValueError, IndexError):
            continue
    return threads


def busiest_thread(before: dict[int, tuple[str, float]], after: dict[int, tuple[str, float]],
                   seconds: float) -> dict:
    """The thread that used the most CPU between two thread_cpu_seconds() snapshots: its name and cores. A thread
    near 1.00 while the process as a whole is below the machine's cores is a serial bottleneck."""
    best = {"name": "?", "cores": 0.0}
    for tid, (name, used) in after.items():
        cores = (used - before.get(tid, (name, 0.0))[1]) / seconds if seconds > 0 else 0.0
        if cores > best["cores"]:
            best = {"name": name, "cores": round(cores, 3)}
    return best


def machine_cpu_seconds() -> tuple[float, float]:
    """(busy, total) CPU seconds of the whole machine since boot, summed over every core."""
    with open("/proc/stat") as file:
        values = [int(v) for v in file.readline().split()[1:]]
    idle = values[3] + (values[4] if len(values) > 4 else 0)
    total = sum(values[:8])
    return (total - idle) / CLOCK_TICKS, total / CLOCK_TICKS


def machine_steal_seconds() -> float:
    """CPU seconds since boot that the hypervisor gave this machine's virtual cores to someone else (`steal` in
    /proc/stat), summed over every core: counted as busy by `machine_cpu_seconds`, though nothing here ran."""
    with open("/proc/stat") as file:
        values = [int(v) for v in file.readline().split()[1:]]
    return (values[7] if len(values) > 7 else 0) / CLOCK_TICKS


def memory_kb(pid: int) -> dict:
    result = {}
    try:
        with open(f"/proc/{pid}/status") as file:
            for line in file:
                if line.startswith(("VmRSS:", "VmHWM:")):
                    key, value = line.split(":", 1)
                    result[key] = int(value.split()[0])
    except OSError:
        pass
    return {"rss_kb": result.get("VmRSS"), "hwm_kb": result.get("VmHWM")}


def settle(pid: int | None, timeout: float = 180) -> float:
    """Waits until the process is idle (under 5 % of a core for half a second), so that work a previous wrk run
    left queued (wrk closes its connections at the end, the server still finishes what it received) does not
    leak into the next measurement. Returns the seconds waited."""
    if not pid:
        return 0.0
    started = time.monotonic()
    quiet = 0
    while time.monotonic() - started < timeout and quiet < 2:
        before = process_cpu_seconds(pid)
        time.sleep(0.25)
        quiet = quiet + 1 if process_cpu_seconds(pid) - before < 0.0125 else 0
    return time.monotonic() - started


class CPUWindow:
    """CPU used between `__init__` and `close()` by the server, by the load generator (child processes that ended,
    i.e. wrk, plus this interpreter, i.e. the loader) and by the whole machine; in cores (CPU seconds per wall
    second). `other_cores` is what neither used: other processes on the machine, and the time the hypervisor took
    the virtual cores away (`steal_cores`, which /proc/stat counts as busy)."""

    def __init__(self, server_pid: int | None):
        self.server_pid = server_pid
        self.wall = time.monotonic()
        self.server = process_cpu_seconds(server_pid) if server_pid else 0.0
        self.children = self.generator_seconds()
        self.machine = machine_cpu_seconds()[0]
        self.steal = machine_steal_seconds()

    @staticmethod
    def generator_seconds() -> float:
        children = resource.getrusage(resource.RUSAGE_CHILDREN)
        own = resource.getrusage(resource.RUSAGE_SELF)
        return children.ru_utime + children.ru_stime + own.ru_utime + own.ru_stime

    def close(self) -> dict:
        wall = time.monotonic() - self.wall
        server = (process_cpu_seconds(self.server_pid) - self.server) / wall if self.server_pid else 0.0
        generator = (self.generator_seconds() - self.children) / wall
        machine = (machine_cpu_seconds()[0] - self.machine) / wall
        steal = (machine_steal_seconds() - self.steal) / wall
        return {
            "server_cores": round(server, 3),
            "generator_cores": round(generator, 3),
            "other_cores": round(max(0.0, machine - server - generator), 3),
            "machine_cores": round(machine, 3),
            "steal_cores": round(steal, 3),
        }


# --- HTTP helpers ------------------------------------------------------------------------------------------

def request(port: int, method: str, path: str, body: bytes | None = None, headers: dict | None = None,
            timeout: float = 30) -> tuple[int, dict, bytes]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
    finally:
        connection.close()


def wait_for_health(port: int, process: subprocess.Popen, timeout: float = 60) -> float:
    """Polls GET /health every 5 ms; returns the seconds until it answered 200."""
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if process.poll() is not None:
            raise ScenarioFailure(f"the server exited with status {process.returncode} before answering /health")
        try:
            status, _, _ = request(port, "GET", "/health", timeout=1)
            if status == 200:
                return time.monotonic() - started
        except OSError:
            pass
        time.sleep(0.005)
    raise ScenarioFailure(f"/health did not answer within {timeout:.0f} s")


# --- data ------------------------------------------------------------------------------------------------

def entity_json(n: int, rng: random.Random) -> str:
    """Entity n of the data set, as NGSI-LD JSON: the same shapes as entity() in lua/common.lua."""
    lon = 137.90 + 0.09 * rng.random()
    lat = 36.05 + 0.10 * rng.random()
    at = f"2026-11-21T{rng.randrange(24):02d}:{rng.randrange(60):02d}:00Z"
    if n % 5 == 4:
        return (
            f'{{"id":"urn:ngsi-ld:WeatherObserved:shiojiri:{n}","type":"WeatherObserved",'
            f'"name":{{"type":"Property","value":"Shiojiri weather station {n}"}},'
            f'"temperature":{{"type":"Property","value":{-5 + 35 * rng.random():.1f},"unitCode":"CEL",'
            f'"observedAt":"{at}"}},'
            f'"relativeHumidity":{{"type":"Property","value":{0.3 + 0.7 * rng.random():.2f},"observedAt":"{at}"}},'
            f'"atmosphericPressure":{{"type":"Property","value":{900 + 120 * rng.random():.1f},"unitCode":"A97",'
            f'"observedAt":"{at}"}},'
            f'"precipitation":{{"type":"Property","value":{20 * rng.random():.1f},"unitCode":"MMT",'
            f'"observedAt":"{at}"}},'
            f'"windSpeed":{{"type":"Property","value":{15 * rng.random():.1f},"unitCode":"MTS","observedAt":"{at}"}},'
            f'"location":{{"type":"GeoProperty","value":{{"type":"Point","coordinates":[{lon:.5f},{lat:.5f}]}}}}}}'
        )
    return (
        f'{{"id":"urn:ngsi-ld:WaterObserved:shiojiri:{n}","type":"WaterObserved",'
        f'"name":{{"type":"Property","value":"Shiojiri river gauge {n}"}},'
        f'"height":{{"type":"Property","value":{5 * rng.random():.2f},"unitCode":"MTR","observedAt":"{at}"}},'
        f'"flow":{{"type":"Property","value":{80 * rng.random():.1f},"unitCode":"MQS","observedAt":"{at}"}},'
        f'"temperature":{{"type":"Property","value":{2 + 20 * rng.random():.1f},"unitCode":"CEL","observedAt":"{at}"}},'
        f'"refDevice":{{"type":"Relationship","object":"urn:ngsi-ld:Device:shiojiri:{n}"}},'
        f'"location":{{"type":"GeoProperty","value":{{"type":"Point","coordinates":[{lon:.5f},{lat:.5f}]}}}}}}'
    )


def entity_id(n: int) -> str:
    kind = "WeatherObserved" if n % 5 == 4 else "WaterObserved"
    return f"urn:ngsi-ld:{kind}:shiojiri:{n}"


# --- wrk -------------------------------------------------------------------------------------------------

def wrk_version() -> str:
    result = subprocess.run(["wrk", "-v"], capture_output=True, text=True)
    return (result.stdout + result.stderr).strip().splitlines()[0] if (result.stdout or result.stderr) else "?"


class Bench:
    """One run: the servers, the scenarios in order, and every figure measured."""

    def __init__(self, arguments, run_directory: str):
        self.arguments = arguments
        self.run_directory = run_directory
        self.processes = Processes(run_directory)
        self.results: dict[str, dict] = {}
        self.order: list[str] = []
        self.baselines: dict[str, float] = {}
        self.sqlite_report: dict | None = None
        self.machi: subprocess.Popen | None = None
        self.machi_port = 0
        self.data_directory = os.path.join(run_directory, "data")
        self.link = ""
        self.loaded = 0
        self.started_at = datetime.datetime.now(datetime.timezone.utc)
        self.load_at_start = os.getloadavg()
        self.notes: list[str] = []
        self.skipped_features: list[dict] = []
        self.elapsed = 0.0
        self.wrk_runs = 0
        self.machine = machine_facts(arguments.root, run_directory)

    say = staticmethod(say)

    # --- bookkeeping -----------------------------------------------------------------------------------

    def record(self, name: str, result: dict) -> dict:
        result.setdefault("name", name)
        result.setdefault("status", "ok")
        result["load_average"] = round(os.getloadavg()[0], 2)
        self.results[name] = result
        if name not in self.order:
            self.order.append(name)
        figure = result.get("value")
        if result["status"] == "ok" and figure is not None:
            latency = result.get("latency_ms") or {}
            text = f"{name}: {figure:,.0f} {result['unit']}"
            if latency:
                text += f", p50 {latency['p50']:.2f} ms, p95 {latency['p95']:.2f} ms, p99 {latency['p99']:.2f} ms"
            baseline = result.get("baseline")
            if baseline and baseline in self.baselines:
                text += f", {figure / self.baselines[baseline]:.0%} of {baseline}"
            cpu = result.get("cpu")
            if cpu:
                text += (f" (CPU cores: server {cpu['server_cores']:.2f}, wrk {cpu['generator_cores']:.2f}, "
                         f"other {cpu['other_cores']:.2f}; hypervisor steal {cpu.get('steal_cores', 0):.2f})")
            say(text)
        elif result["status"] == "failed":
            say(f"{name}: FAILED: {result.get('note', '')}")
        return result

    def fail(self, name: str, title: str, error: Exception) -> None:
        self.record(name, {"title": title, "status": "failed", "note": str(error)[:500]})

    # --- servers -------------------------------------------------------------------------------------------

    def start_machi(self, environment: dict | None = None, auth: str = "open") -> float:
        """Starts Machi on the data directory, on a new free port; `environment`: variables to add (IOT_MQTT_URL);
        `auth`: the --auth mode."""
        os.makedirs(self.data_directory, exist_ok=True)
        self.machi_port = free_port()
        # Open mode: the scenarios measure the broker; token checks have scenarios of their own (access.py).
        command = [self.arguments.machi, "serve", "--port", str(self.machi_port), "--data", self.data_directory,
                   "--host", "127.0.0.1", "--auth", auth]
        started = time.monotonic()
        self.machi = self.processes.start(command, os.path.join(self.run_directory, "machi.log"),
                                          dict(os.environ, **environment) if environment else None)
        wait_for_health(self.machi_port, self.machi)
        return time.monotonic() - started

    def stop_machi(self) -> float:
        seconds = self.processes.stop(self.machi) if self.machi else 0.0
        self.machi = None
        return seconds

    def remove_tenant(self, tenant: str) -> int:
        """Deletes a tenant's files from the data directory (Machi stopped); returns the bytes removed. Scenarios
        with a tenant of their own call this, so that the startup scenario measures the entity data set only."""
        removed = 0
        for name in os.listdir(self.data_directory):
            if name.startswith(f"tenant-{tenant}.sqlite"):
                removed += os.path.getsize(os.path.join(self.data_directory, name))
                os.remove(os.path.join(self.data_directory, name))
        return removed

    def machi_alive(self) -> None:
        if self.machi is None or self.machi.poll() is not None:
            tail = self.log_tail("machi.log")
            raise ScenarioFailure(f"machi is not running (exit status {self.machi.returncode if self.machi else '?'})"
                                  + (f"; log: {tail}" if tail else ""))

    def log_tail(self, name: str, lines: int = 5) -> str:
        try:
            with open(os.path.join(self.run_directory, name), errors="replace") as file:
                return " | ".join(file.read().strip().splitlines()[-lines:])
        except OSError:
            return ""

    def host_context(self, headers: dict | None = None) -> None:
        """Hosts the data set's @context on Machi and sets `link`; `headers`: extra request headers (a token)."""
        body = json.dumps({"@context": CONTEXT}).encode()
        status, headers, _ = request(self.machi_port, "POST", API + "/jsonldContexts", body,
                                     {"Content-Type": "application/json"} | (headers or {}))
        if status != 201 or "location" not in headers:
            raise ScenarioFailure(f"hosting the @context failed with HTTP {status}")
        location = headers["location"]
        if location.startswith("/"):
            location = f"http://127.0.0.1:{self.machi_port}{location}"
        self.link = f'<{location}>; rel="http://www.w3.org/ns/json-ld#context"; type="application/ld+json"'

    # --- wrk -----------------------------------------------------------------------------------------------

    def wrk(self, name: str, url: str, script: str, *, connections: int | None = None, headers: list[str] = (),
            script_arguments: dict | None = None, server_pid: int | None = None, per_request: int = 1,
            duration: float | None = None, single_connection: bool = False, around_measured=None) -> dict:
        """Runs a warm-up and then the measured wrk run; returns the figures of the measured run. With
        `single_connection`, also measures the latency one client alone sees (`-c 1`), without queueing.
        `around_measured`, a pair of callables, is called right before the measured run starts (after the server
        settled) and right after it ended, whatever happened."""
        connections = connections or self.arguments.connections
        duration = duration or self.arguments.duration
        script_path = os.path.join(LUA, script)
        environment = dict(os.environ, MACHI_BENCH_LUA=LUA)
        header_flags = [flag for header in headers for flag in ("-H", header)]

        def run(seconds: float, connections: int = connections, hooks=None) -> tuple[dict, dict, float]:
            self.wrk_runs += 1
            # `run` makes the ids of creates unique across wrk runs (warm-up, measured run) on one store.
            extra = [f"{k}={v}" for k, v in ({"run": f"r{self.wrk_runs}"} | (script_arguments or {})).items()]
            waited = settle(server_pid)
            if waited > 2:
                say(f"  waited {waited:.0f} s for the server to finish the work queued by the previous run")
            threads = min(self.arguments.threads, connections)
            command = ["wrk", "-t", str(threads), "-c", str(connections), "-d", f"{max(1, round(seconds))}s",
                       "--timeout", "60s", "-s", script_path, *header_flags, url]
            if extra:
                command += ["--", *extra]
            if hooks:
                hooks[0]()
            try:
                window = CPUWindow(server_pid)
                started = time.monotonic()
                process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                                           env=environment)
                self.processes.track(process)
                output, errors = process.communicate()
                self.processes.untrack(process)
                wall = time.monotonic() - started
                cpu = window.close()
            finally:
                if hooks:
                    hooks[1]()
            match = re.search(r"^BENCH_RESULT (\{.*\})$", output, re.MULTILINE)
            if process.returncode != 0 or not match:
                raise ScenarioFailure(f"wrk failed ({process.returncode}): {(errors or output).strip()[:300]}")
            return json.loads(match.group(1)), cpu, wall

        if self.arguments.warmup > 0:
            run(self.arguments.warmup)
        stats, cpu, _ = run(duration, hooks=around_measured)
        seconds = stats["duration_us"] / 1e6
        errors = stats["errors"]
        requests = stats["requests"]
        latency = {k: stats["latency_us"][k] / 1000 for k in ("p50", "p90", "p95", "p99", "p999", "mean", "max")}
        result = {
            "requests": requests,
            "seconds": round(seconds, 2),
            "requests_per_s": requests / seconds if seconds else 0,
            "items_per_s": requests * per_request / seconds if seconds else 0,
            "latency_ms": {k: round(v, 3) for k, v in latency.items()},
            "errors": errors,
            "connections": connections,
            "threads": self.arguments.threads,
            "cpu": cpu,
        }
        bad = errors["status"] + errors["timeout"] + errors["connect"]
        socket_errors = errors["read"] + errors["write"]
        if requests == 0:
            raise ScenarioFailure("wrk completed no request")
        if bad or socket_errors > requests * 0.001:
            result["status"] = "failed"
            result["note"] = f"{bad + socket_errors} errors in {requests} requests: {errors}"
        if server_pid:
            result.update(memory_kb(server_pid))
        if single_connection:
            solo, _, _ = run(max(2.0, self.arguments.duration / 4), 1)
            solo_seconds = solo["duration_us"] / 1e6
            result["single_connection"] = {
                "requests_per_s": solo["requests"] / solo_seconds if solo_seconds else 0,
                "latency_ms": {k: round(solo["latency_us"][k] / 1000, 3) for k in ("p50", "p95", "p99", "max")},
                "errors": solo["errors"],
            }
        return result

    # --- scenarios -----------------------------------------------------------------------------------------

    def run(self, scenarios: list[str]) -> None:
        wants = set(scenarios)
        if wants & {"raw-get", "raw-post"}:
            self.raw_http(wants)
        machi_scenarios = wants - {"raw-get", "raw-post"}
        if machi_scenarios:
            try:
                startup = self.start_machi()
                self.say(f"machi listening on 127.0.0.1:{self.machi_port} after {startup * 1000:.0f} ms "
                         f"(empty store in {self.data_directory})")
                self.host_context()
            except Exception as error:  # noqa: BLE001 - reported, and the run goes on to the report
                for name in scenarios:
                    if name not in {"raw-get", "raw-post"}:
                        self.fail(name, name, error)
                return
            self.probe_missing_features()
            steps = [
                ("create", self.create),
                ("create-audit-off", self.create_audit_off),
                ("load", self.load_and_query_first_tier),
                ("get", self.get),
                ("patch", self.patch),
                ("query", self.query_last_tier),
                ("geo-near", self.geo_near),
                ("geo-within", self.geo_within),
                ("count-pages", self.count_pages),
                ("batch-update", self.batch_update),
                ("batch-upsert", self.batch_upsert),
                ("subscription-notify", self.subscription_notify),
                ("temporal", self.temporal),
                ("access", self.access),
                ("iot", self.iot),
            ]
            for name, step in steps:
                if (name in wants or (name == "load" and "query" in wants)
                        or (name == "iot" and wants & {"iot-http", "iot-mqtt"})
                        or (name == "access" and wants & {"get-token", "consent-query"})):
                    self.guarded(name, step, wants)
            self.stop_machi()
            if "raw-sqlite" in wants:
                self.guarded("raw-sqlite", self.raw_sqlite, wants)
            if "startup" in wants:
                self.guarded("startup", self.startup, wants)
            self.stop_machi()

    def guarded(self, name: str, step, wants: set[str]) -> None:
        try:
            if name not in {"raw-sqlite", "startup"}:
                self.machi_alive()
            step(wants)
        except ScenarioFailure as error:
            self.fail(name, TITLES.get(name, name), error)
        except Exception as error:  # noqa: BLE001 - a broken scenario is reported; the others still run
            self.fail(name, TITLES.get(name, name), RuntimeError(f"{type(error).__name__}: {error}"))

    def raw_http(self, wants: set[str]) -> None:
        port = free_port()
        server = self.processes.start([self.arguments.baseline, "http", "--host", "127.0.0.1", "--port", str(port)],
                                      os.path.join(self.run_directory, "baseline-http.log"))
        try:
            wait_for_health(port, server)
            if "raw-get" in wants:
                try:
                    result = self.wrk("raw-get", f"http://127.0.0.1:{port}/raw", "plain.lua", server_pid=server.pid)
                    result.update(title=TITLES["raw-get"], unit="req/s", value=result["requests_per_s"])
                    self.baselines["raw-get"] = result["value"]
                    self.record("raw-get", result)
                except ScenarioFailure as error:
                    self.fail("raw-get", TITLES["raw-get"], error)
            if "raw-post" in wants:
                try:
                    result = self.wrk("raw-post", f"http://127.0.0.1:{port}/raw", "raw_post.lua",
                                      server_pid=server.pid)
                    result.update(title=TITLES["raw-post"], unit="req/s", value=result["requests_per_s"])
                    self.baselines["raw-post"] = result["value"]
                    self.record("raw-post", result)
                except ScenarioFailure as error:
                    self.fail("raw-post", TITLES["raw-post"], error)
        except ScenarioFailure as error:
            for name in ("raw-get", "raw-post"):
                if name in wants:
                    self.fail(name, TITLES[name], error)
        finally:
            self.processes.stop(server)

    def machi_wrk(self, name: str, script: str, *, baseline: str, unit: str = "req/s", tenant: str | None = None,
                  per_request: int = 1, connections: int | None = None, script_arguments: dict | None = None,
                  sample: dict | None = None, duration: float | None = None, record_as: str | None = None,
                  title: str | None = None, single_connection: bool = False) -> dict:
        headers = [f"Link: {self.link}"]
        if tenant:
            headers.append(f"NGSILD-Tenant: {tenant}")
        result = self.wrk(name, f"http://127.0.0.1:{self.machi_port}{API}/entities", script, headers=headers,
                          server_pid=self.machi.pid, per_request=per_request, connections=connections,
                          script_arguments=script_arguments, duration=duration,
                          single_connection=single_connection)
        value = result["items_per_s"] if unit == "entities/s" else result["requests_per_s"]
        result.update(title=title or TITLES[name], unit=unit, value=value, baseline=baseline,
                      entities_in_store=self.loaded)
        if sample:
            result["sample"] = sample
        return self.record(record_as or name, result)

    def create(self, _wants) -> None:
        self.machi_wrk("create", "create.lua", baseline="raw-post", tenant="bench-create")

    def create_audit_off(self, _wants) -> None:
        """The create scenario on a Machi restarted with the audit trail off (AUDIT_ENABLED=false), into a tenant
        of its own: what the audit trail costs a single create. Machi is restarted as before afterwards."""
        self.stop_machi()
        self.start_machi({"AUDIT_ENABLED": "false"})
        try:
            self.host_context()  # the Link must name this port
            self.machi_wrk("create-audit-off", "create.lua", baseline="raw-post", tenant="bench-create-audit-off")
        finally:
            self.stop_machi()
            self.start_machi()
            self.host_context()

    def load(self, target: int) -> dict | None:
        """Loads entities [self.loaded, target) through batch upsert, 1,000 per request, 4 clients in parallel,
        printing progress; returns the phase's raw figures."""
        start = self.loaded
        if target <= start:
            return None
        bodies: list[tuple[int, bytes]] = []
        for first in range(start, target, BATCH):
            rng = random.Random(first * 7 + 11)
            last = min(first + BATCH, target)
            bodies.append((last - first, ("[" + ",".join(entity_json(n, rng) for n in range(first, last)) + "]")
                           .encode()))
        headers = {"Content-Type": "application/json", "Link": self.link}
        posted = self.post_all(API + "/entityOperations/upsert", bodies, headers, "entities", start, target)
        self.loaded = target
        return {"entities": target - start, "requests": len(bodies), "seconds": posted["seconds"],
                "latencies": posted["latencies"], "cpu": posted["cpu"]}

    def post_all(self, path: str, bodies: list[tuple[int, bytes]], headers: dict, unit: str, start: int = 0,
                 target: int | None = None, clients: int = 4) -> dict:
        """POSTs every (items, body) of `bodies` to `path`, `clients` connections in parallel, printing progress
        (`start` items were there before, `target` when done); stops at the first answer that is not 2xx. Returns
        the seconds, the latency of each request, the CPU window and how many answers of each status came."""
        target = start + sum(count for count, _ in bodies) if target is None else target
        lock = threading.Lock()
        state = {"next": 0, "done": 0, "errors": [], "latencies": [], "statuses": {}}

        def client() -> None:
            connection = http.client.HTTPConnection("127.0.0.1", self.machi_port, timeout=120)
            try:
                while True:
                    with lock:
                        if state["next"] >= len(bodies) or state["errors"]:
                            return
                        count, body = bodies[state["next"]]
                        state["next"] += 1
                    sent = time.monotonic()
                    connection.request("POST", path, body=body, headers=headers)
                    response = connection.getresponse()
                    answer = response.read()
                    elapsed = time.monotonic() - sent
                    with lock:
                        state["latencies"].append(elapsed)
                        state["statuses"][response.status] = state["statuses"].get(response.status, 0) + 1
                        if response.status not in (200, 201, 204):
                            state["errors"].append(f"HTTP {response.status}: {answer[:200]!r}")
                        else:
                            state["done"] += count
            except (OSError, http.client.HTTPException) as error:
                with lock:
                    state["errors"].append(str(error))
            finally:
                connection.close()

        settle(self.machi.pid)
        window = CPUWindow(self.machi.pid)
        started = time.monotonic()
        workers = [threading.Thread(target=client, daemon=True) for _ in range(clients)]
        for worker in workers:
            worker.start()
        report_every = 1.0 if self.arguments.quick else 2.0
        while any(worker.is_alive() for worker in workers):
            deadline = time.monotonic() + report_every
            for worker in workers:
                worker.join(timeout=max(0.0, deadline - time.monotonic()))
            with lock:
                done = state["done"]
            elapsed = time.monotonic() - started
            say(f"  loading: {start + done:,} / {target:,} {unit} ({done / elapsed if elapsed else 0:,.0f}/s)")
        seconds = time.monotonic() - started
        cpu = window.close()
        if state["errors"]:
            raise ScenarioFailure(f"loading failed: {state['errors'][0]}")
        return {"seconds": seconds, "latencies": state["latencies"], "cpu": cpu, "statuses": state["statuses"]}

    def load_and_query_first_tier(self, wants) -> None:
        """The data load, which is also the first batch-upsert figure; the 10k query runs between its phases."""
        total = self.arguments.entities
        first = 10_000 if total > 10_000 else total
        phases = [self.load(first)]
        if "query" in wants:
            self.guarded_query(first)
        phases.append(self.load(total))
        phases = [phase for phase in phases if phase]
        entities = sum(phase["entities"] for phase in phases)
        seconds = sum(phase["seconds"] for phase in phases)
        requests = sum(phase["requests"] for phase in phases)
        latencies = sorted(latency for phase in phases for latency in phase["latencies"])
        cpu = {key: round(sum(phase["cpu"][key] * phase["seconds"] for phase in phases) / seconds, 3)
               for key in phases[0]["cpu"]}
        latency_ms = {name: round(percentile(latencies, q) * 1000, 3)
                      for name, q in (("p50", 50), ("p90", 90), ("p95", 95), ("p99", 99), ("p999", 99.9))}
        latency_ms |= {"mean": round(statistics.mean(latencies) * 1000, 3), "max": round(latencies[-1] * 1000, 3)}
        self.record("load", {
            "title": TITLES["load"], "unit": "entities/s", "value": entities / seconds,
            "items_per_s": entities / seconds, "requests_per_s": requests / seconds, "requests": requests,
            "seconds": round(seconds, 2), "connections": 4, "latency_ms": latency_ms, "cpu": cpu,
            "baseline": "sqlite-batch", "entities_in_store": self.loaded,
            "note": "loader: Python http.client, not wrk (its CPU is in the generator column)",
        } | memory_kb(self.machi.pid))

    def guarded_query(self, tier: int) -> None:
        name = f"query@{tier // 1000}k"
        try:
            self.query(name)
        except ScenarioFailure as error:
            self.fail(name, TITLES["query"], error)

    def query_last_tier(self, _wants) -> None:
        if self.arguments.entities > 10_000:
            self.guarded_query(self.arguments.entities)

    def sample(self, path: str, tenant: str | None = None) -> dict:
        """One representative request outside the measurement: its status, result count and size."""
        headers = {"Link": self.link}
        if tenant:
            headers["NGSILD-Tenant"] = tenant
        started = time.monotonic()
        status, response_headers, body = request(self.machi_port, "GET", path, headers=headers)
        elapsed = time.monotonic() - started
        if status != 200:
            raise ScenarioFailure(f"GET {path} answered HTTP {status}: {body[:200]!r}")
        document = json.loads(body)
        sample = {"path": urllib.parse.unquote(path), "ms": round(elapsed * 1000, 2), "bytes": len(body)}
        if isinstance(document, list):
            sample["entities"] = len(document)
        if "ngsild-results-count" in response_headers:
            sample["count"] = int(response_headers["ngsild-results-count"])
        return sample

    def query(self, name: str) -> None:
        q = urllib.parse.quote("height>4.00")
        sample = self.sample(f"{API}/entities?type=WaterObserved&q={q}")
        if not sample.get("entities"):
            raise ScenarioFailure(f"the sample query found nothing: {sample}")
        self.machi_wrk("query", "query.lua", baseline="raw-get", sample=sample, record_as=name, single_connection=True,
                       title=f"{TITLES['query']}, {self.loaded:,} entities")

    def get(self, _wants) -> None:
        self.sample(f"{API}/entities/{entity_id(self.loaded // 2)}")
        self.machi_wrk("get", "get.lua", baseline="raw-get", script_arguments={"entities": self.loaded},
                       single_connection=True)

    def patch(self, _wants) -> None:
        self.machi_wrk("patch", "patch.lua", baseline="raw-post", script_arguments={"entities": self.loaded})

    def geo_near(self, _wants) -> None:
        georel = urllib.parse.quote("near;maxDistance==1000")
        coordinates = urllib.parse.quote("[137.9450,36.1000]")
        sample = self.sample(f"{API}/entities?type=WaterObserved&georel={georel}&geometry=Point"
                             f"&coordinates={coordinates}&count=true")
        if not sample.get("entities"):
            raise ScenarioFailure(f"the sample geo-query found nothing: {sample}")
        self.machi_wrk("geo-near", "geo_near.lua", baseline="raw-get", sample=sample, single_connection=True)

    def geo_within(self, _wants) -> None:
        polygon = urllib.parse.quote("[[[137.9400,36.0950],[137.9511,36.0950],[137.9511,36.1040],[137.9400,36.1040],"
                                     "[137.9400,36.0950]]]")
        sample = self.sample(f"{API}/entities?type=WaterObserved&georel=within&geometry=Polygon"
                             f"&coordinates={polygon}&count=true")
        if not sample.get("entities"):
            raise ScenarioFailure(f"the sample geo-query found nothing: {sample}")
        self.machi_wrk("geo-within", "geo_within.lua", baseline="raw-get", sample=sample, single_connection=True)

    def count_pages(self, _wants) -> None:
        offset = self.loaded * 4 // 5 * 3 // 4
        sample = self.sample(f"{API}/entities?type=WaterObserved&count=true&limit=100&offset={offset}")
        if sample.get("entities") != 100 or not sample.get("count"):
            raise ScenarioFailure(f"the sample page is not a full page with a count: {sample}")
        self.machi_wrk("count-pages", "count_pages.lua", baseline="raw-get", sample=sample,
                       script_arguments={"entities": self.loaded})

    def batch_update(self, _wants) -> None:
        self.machi_wrk("batch-update", "upsert.lua", baseline="sqlite-batch", unit="entities/s",
                       per_request=BATCH, connections=self.arguments.batch_connections,
                       script_arguments={"batch": BATCH, "mode": "existing", "entities": self.loaded},
                       duration=max(self.arguments.duration, 6.0))

    def batch_upsert(self, _wants) -> None:
        # Bounded, as every request adds 1,000 entities to the bench-batch tenant's file.
        self.machi_wrk("batch-upsert", "upsert.lua", baseline="sqlite-batch", unit="entities/s",
                       tenant="bench-batch", per_request=BATCH, connections=self.arguments.batch_connections,
                       script_arguments={"batch": BATCH, "mode": "new"},
                       duration=min(max(self.arguments.duration, 6.0), 20.0))

    def subscription_notify(self, _wants) -> None:
        import notify  # noqa: PLC0415 - the scenario's module imports this one

        notify.run(self)

    def temporal(self, _wants) -> None:
        import temporal  # noqa: PLC0415 - the scenario's module imports this one

        temporal.run(self)

    def access(self, wants) -> None:
        import access  # noqa: PLC0415 - the scenario's module imports this one

        access.run(self, wants)

    def iot(self, wants) -> None:
        import iot  # noqa: PLC0415 - the scenario's module imports this one

        iot.run(self, wants)

    def raw_sqlite(self, _wants) -> None:
        like = os.path.join(self.data_directory, "default.sqlite")
        if not os.path.exists(like):
            raise ScenarioFailure("no Machi database to copy the schema and a sample entity from")
        directory = os.path.join(self.run_directory, "sqlite-baseline")
        quick = self.arguments.quick
        command = [self.arguments.baseline, "sqlite", "--like", like, "--dir", directory,
                   "--rows", str(self.arguments.entities), "--batch", str(BATCH),
                   "--read-seconds", "2" if quick else "10", "--single-seconds", "1" if quick else "5"]
        window = CPUWindow(None)
        completed = subprocess.run(command, capture_output=True, text=True, timeout=1800)
        cpu = window.close()
        # The baseline process is the "server" here: it does the work, no generator is involved.
        cpu = {"server_cores": cpu["generator_cores"], "generator_cores": 0.0, "other_cores": cpu["other_cores"],
               "machine_cores": cpu["machine_cores"]}
        shutil.rmtree(directory, ignore_errors=True)
        if completed.returncode != 0:
            raise ScenarioFailure(f"machi-baseline sqlite failed: {(completed.stderr or completed.stdout)[-300:]}")
        report = json.loads(completed.stdout)
        self.sqlite_report = report
        self.baselines["sqlite-batch"] = report["batch_full"]["per_s"]
        # One row (and its document) per item, batched: the ceiling of writes that are one row each (IoT measures).
        self.baselines["sqlite-row"] = report["batch_entity_only"]["per_s"]
        self.record("raw-sqlite", {
            "title": TITLES["raw-sqlite"], "unit": "entities/s", "value": report["batch_full"]["per_s"],
            "sqlite": report, "cpu": cpu,
        })

    def startup(self, _wants) -> None:
        runs = 1 if self.arguments.quick else 3
        measurements = []
        size = directory_bytes(self.data_directory)
        for _ in range(runs):
            shutdown = self.stop_machi()
            self.machi_port = free_port()
            command = [self.arguments.machi, "serve", "--port", str(self.machi_port), "--data",
                       self.data_directory, "--host", "127.0.0.1", "--auth", "open"]
            started = time.monotonic()
            self.machi = self.processes.start(command, os.path.join(self.run_directory, "machi.log"))
            health = wait_for_health(self.machi_port, self.machi)
            memory_after_start = memory_kb(self.machi.pid)
            status, _, body = request(self.machi_port, "GET", f"{API}/entities/{entity_id(1)}")
            first_read = time.monotonic() - started
            if status != 200:
                raise ScenarioFailure(f"the first GET after restart answered HTTP {status}: {body[:200]!r}")
            measurements.append({
                "health_ms": round(health * 1000, 1), "first_read_ms": round(first_read * 1000, 1),
                "shutdown_ms": round(shutdown * 1000, 1), "rss_after_start_kb": memory_after_start["rss_kb"],
                **memory_kb(self.machi.pid),
            })
        middle = sorted(measurements, key=lambda m: m["first_read_ms"])[len(measurements) // 2]
        self.record("startup", {
            "title": TITLES["startup"], "unit": "ms", "value": middle["health_ms"],
            "first_read_ms": middle["first_read_ms"], "runs": measurements,
            "rss_kb": middle["rss_kb"], "hwm_kb": middle["hwm_kb"],
            "data_bytes": size, "entities_in_store": self.loaded,
        })
        say(f"startup: /health after {middle['health_ms']:.0f} ms, first GET by id after "
            f"{middle['first_read_ms']:.0f} ms, RSS {middle['rss_kb'] / 1024:.0f} MiB "
            f"({size / 1e6:,.0f} MB of data files)")

    def probe_missing_features(self) -> None:
        for name, title, path in NOT_YET:
            status = None
            if path:
                try:
                    status, _, _ = request(self.machi_port, "GET", path, headers={"Link": self.link})
                except OSError:
                    status = None
            if status in (None, 404, 405, 501):
                note = "not implemented yet" + (f" (GET {path} answers {status})" if status else "")
            else:
                note = f"the feature answers (GET {path}: HTTP {status}) but this scenario is not written yet"
            self.skipped_features.append({"name": name, "title": title, "status": "skipped", "note": note})

    # --- the document --------------------------------------------------------------------------------------

    def finish(self, elapsed: float) -> None:
        self.elapsed = elapsed
        for name in self.order:
            result = self.results[name]
            baseline = result.get("baseline")
            if baseline and baseline in self.baselines and result.get("value") and result["status"] == "ok":
                result["baseline_value"] = self.baselines[baseline]
                result["ratio"] = result["value"] / self.baselines[baseline]

    def document(self) -> dict:
        return {
            "schema": 1,
            "generated_by": "scripts/bench",
            "run": {
                "date": self.started_at.isoformat(timespec="seconds"),
                "command": os.environ.get("MACHI_BENCH_COMMAND", "scripts/bench"),
                "mode": "quick" if self.arguments.quick else "full",
                "entities": self.arguments.entities,
                "instances": self.arguments.instances,
                "duration_s": self.arguments.duration,
                "warmup_s": self.arguments.warmup,
                "connections": self.arguments.connections,
                "batch_connections": self.arguments.batch_connections,
                "wrk_threads": self.arguments.threads,
                "elapsed_s": round(self.elapsed, 1),
                "load_average_at_start": [round(v, 2) for v in self.load_at_start],
                "load_average_at_end": [round(v, 2) for v in os.getloadavg()],
            },
            "machine": self.machine,
            "baselines": self.baselines,
            "sqlite": self.sqlite_report,
            "scenarios": [self.results[name] for name in self.order] + self.skipped_features,
        }


TITLES = {
    "raw-get": "Raw HTTP GET: Hummingbird 2, fixed 300-byte JSON",
    "raw-post": "Raw HTTP POST: Hummingbird 2, 500-byte JSON decoded, 201",
    "raw-sqlite": "Raw SQLite: GRDB, Machi's schema and pragmas, 1,000 entities per transaction",
    "create": "Single create (POST /entities)",
    "create-audit-off": "Single create (POST /entities), audit trail off",
    "load": "Batch upsert of new entities (data load), 1,000 per request",
    "query": "Query type=WaterObserved&q=height>X",
    "get": "GET /entities/{id}",
    "patch": "PATCH /entities/{id}/attrs (one Property)",
    "geo-near": "Geo-query near;maxDistance==1000 (Point)",
    "geo-within": "Geo-query within (1 km² Polygon)",
    "count-pages": "count=true, limit=100, deep offset",
    "batch-update": "Batch upsert of existing entities (replace), 1,000 per request",
    "batch-upsert": "Batch upsert of new entities, 1,000 per request",
    "startup": "Restart on the loaded store: until /health answers",
    "subscription-notify": "Subscription notifications (PATCH → webhook)",
    "temporal": "Temporal API over attribute instances (load, lastN, between, aggregation, query)",
    "iot": "IoT ingestion, UltraLight 2.0 over HTTP and MQTT",
    "access": "Access control: token verification and consent filtering",
}


def percentile(values: list[float], q: float) -> float:
    if not values:
        return 0.0
    index = min(len(values) - 1, max(0, round(q / 100 * (len(values) - 1))))
    return values[index]


def directory_bytes(path: str) -> int:
    total = 0
    for root, _, files in os.walk(path):
        for name in files:
            try:
                total += os.path.getsize(os.path.join(root, name))
            except OSError:
                pass
    return total


def run_text(command: list[str], cwd: str | None = None) -> str:
    try:
        return subprocess.run(command, capture_output=True, text=True, cwd=cwd, timeout=60).stdout.strip()
    except (OSError, subprocess.TimeoutExpired):
        return ""


def machine_facts(root: str, run_directory: str) -> dict:
    model = "?"
    try:
        with open("/proc/cpuinfo") as file:
            for line in file:
                if line.startswith("model name"):
                    model = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    memory = 0
    try:
        with open("/proc/meminfo") as file:
            memory = int(file.readline().split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        pass
    commit = run_text(["git", "rev-parse", "--short=12", "HEAD"], cwd=root) or "?"
    dirty = run_text(["git", "status", "--porcelain", "--", "Sources", "Package.swift"], cwd=root)
    swift = run_text(["swift", "--version"]).splitlines()
    return {
        "cores": os.cpu_count(),
        "cpu_model": model,
        "memory_bytes": memory,
        "kernel": platform.release(),
        "os": run_text(["sh", "-c", ". /etc/os-release && echo \"$PRETTY_NAME\""]),
        "filesystem": (run_text(["df", "--output=fstype", run_directory]).splitlines() or ["?"])[-1].strip(),
        "git_commit": commit,
        "git_dirty": bool(dirty),
        "git_dirty_files": dirty.splitlines()[:20],
        "swift": swift[0] if swift else "?",
        "wrk": wrk_version(),
        "python": sys.version.split()[0],
    }
