"""The `iot-http` and `iot-mqtt` scenarios of scripts/bench: UltraLight 2.0 ingestion through Machi's built-in IoT
agent (docs/iot.md), over HTTP and over MQTT, in a tenant of its own (`Fiware-Service: benchiot`), so that the
entity data set and the other scenarios' tenants stay as they are.

- Setup, through the public API: a service group (`POST /iot/services`, apikey `benchiot-ul`, entity_type
  `BridgeSensor`, autoprovision off) and 49 devices (`POST /iot/devices`): `bridge-01`..`bridge-48`, which carry
  the load, and `bridge-probe`; each maps `v` to `strain` (Number, unitCode `MC`, microstrain). With iot-mqtt, the
  run starts its own Mosquitto (a free port, a temporary config, no persistence) and restarts Machi on the same data
  directory with `IOT_MQTT_URL` before the IoT scenarios; afterwards Machi is restarted without it, Mosquitto is
  stopped, and the benchiot tenant's files are deleted (the startup scenario measures the entity data set only).
- Latency measure → visible: an NGSI-LD subscription watches `strain` of `bridge-probe`'s entity and notifies a
  local receiver (receiver.py). While the load runs, the probe sends one measure every 50 ms over the same transport
  (its send time as the group's timestamp, a unique marker as the value); the latency of a marker is its arrival in
  a notification at the receiver minus the moment it was sent, so it includes the notification hop.
- iot-http: wrk (lua/iot_ul.lua) POSTs 50 timestamped measure groups per request to `/iot/d?k=…&i=bridge-NN`, a
  random device each request. The figure is requests/s × 50, cross-checked with the `machi_iot_measures_total`
  delta over the measured run; the p50–p99 columns are wrk's request latency.
- iot-mqtt: publisher processes (mqttpub.py, two of them, QoS 0, 10 timestamped groups per message) offer a fixed
  rate of measures/s to `/ul/benchiot-ul/bridge-NN/attrs`, a step after another (10k, 28k, 50k measures/s, then as
  fast as they can send); after a warm-up, the ingested rate is the `machi_iot_measures_total` delta over the
  window. A step is sustained when Machi ingested at least 98 % of what was offered and the backlog (sent but not
  yet counted) did not grow over the window. The server's RSS is sampled every second; the rows of the last step
  (the highest rate) show start / end / max.
- Every row checks that `machi_iot_rejected_payloads_total` did not move; a sample HTTP request must answer 200
  and its last value must be visible on the entity.
"""

from __future__ import annotations

import datetime
import http.client
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time

import benchlib
import notify
from benchlib import (API, CPUWindow, ScenarioFailure, busiest_thread, memory_kb, process_cpu_seconds, say, settle,
                      thread_cpu_seconds)
from mqttpub import MQTTConnection, Timestamps
from receiver import MARKER_BASE

TENANT = "benchiot"
APIKEY = "benchiot-ul"
ENTITY_TYPE = "BridgeSensor"
DEVICES = 48
PROBE = "bridge-probe"
PER_REQUEST = 50  # measure groups per HTTP request
PER_MESSAGE = 10  # measure groups per MQTT message
PUBLISHERS = 2  # publisher processes sharing the offered rate
PROBE_INTERVAL = 0.05  # seconds between two probe measures
SUSTAINED = 0.98  # ingested ≥ 98 % of offered
MOSQUITTO = "/usr/sbin/mosquitto"
TITLE_HTTP = f"IoT ingestion, UltraLight 2.0 over HTTP, {PER_REQUEST} measures per request"
TITLE_MQTT = "IoT ingestion, UltraLight 2.0 over MQTT (Mosquitto, QoS 0)"


def device_id(n: int) -> str:
    return f"bridge-{n:02d}"


def entity_id(device: str) -> str:
    return f"urn:ngsi-ld:{ENTITY_TYPE}:{device}"


def iso_now() -> str:
    return datetime.datetime.now(datetime.timezone.utc).isoformat(timespec="milliseconds").replace("+00:00", "Z")


def fiware_headers() -> dict:
    return {"Fiware-Service": TENANT, "Fiware-ServicePath": "/", "Content-Type": "application/json"}


def counters(port: int) -> tuple[int, int]:
    """(machi_iot_measures_total, machi_iot_rejected_payloads_total) from GET /metrics."""
    status, _, body = benchlib.request(port, "GET", "/metrics", timeout=10)
    if status != 200:
        raise ScenarioFailure(f"GET /metrics answered HTTP {status}")
    found = {}
    for line in body.decode(errors="replace").splitlines():
        name, _, value = line.partition(" ")
        if name in ("machi_iot_measures_total", "machi_iot_rejected_payloads_total"):
            found[name] = int(float(value))
    if "machi_iot_measures_total" not in found:
        raise ScenarioFailure("GET /metrics has no machi_iot_measures_total")
    return found["machi_iot_measures_total"], found.get("machi_iot_rejected_payloads_total", 0)


# --- Mosquitto ---------------------------------------------------------------------------------------------------

class Mosquitto:
    """Its own broker: a free port on 127.0.0.1, a temporary config, no persistence; stopped by `stop()` and, as a
    process of the run, whatever happens."""

    def __init__(self, bench):
        executable = MOSQUITTO if os.access(MOSQUITTO, os.X_OK) else shutil.which("mosquitto")
        if not executable:
            raise ScenarioFailure("mosquitto is not installed (scripts/bench installs the Debian package mosquitto)")
        self.bench = bench
        self.directory = tempfile.mkdtemp(prefix="mosquitto.", dir=bench.run_directory)
        self.port = benchlib.free_port()
        config = os.path.join(self.directory, "mosquitto.conf")
        with open(config, "w") as file:
            file.write(f"listener {self.port} 127.0.0.1\nallow_anonymous true\npersistence false\n"
                       "log_dest stdout\nlog_type error\nlog_type warning\n")
        self.process = bench.processes.start([executable, "-c", config],
                                             os.path.join(bench.run_directory, "mosquitto.log"))
        deadline = time.monotonic() + 10
        while True:
            if self.process.poll() is not None:
                raise ScenarioFailure(f"mosquitto exited with status {self.process.returncode}: "
                                      f"{bench.log_tail('mosquitto.log')}")
            try:
                MQTTConnection("127.0.0.1", self.port, "machi-bench-check").close()
                break
            except OSError:
                if time.monotonic() > deadline:
                    raise ScenarioFailure("mosquitto did not accept a connection within 10 s") from None
                time.sleep(0.05)
        self.version = benchlib.run_text([executable, "-h"]).splitlines()[0:1]

    @property
    def url(self) -> str:
        return f"mqtt://127.0.0.1:{self.port}"

    def stop(self) -> None:
        self.bench.processes.stop(self.process, timeout=5)
        shutil.rmtree(self.directory, ignore_errors=True)


# --- the probe ---------------------------------------------------------------------------------------------------

class Probe:
    """Sends one measure of `bridge-probe` every PROBE_INTERVAL over HTTP or MQTT, its value a unique marker, its
    timestamp the send time; remembers when each marker was sent (and, over HTTP, answered)."""

    def __init__(self, bench, transport: str, first_marker: int, mqtt_port: int | None = None):
        self.bench, self.transport, self.mqtt_port = bench, transport, mqtt_port
        self.next_marker = first_marker
        self.sent: dict[int, tuple[float, float]] = {}
        self.errors: list[str] = []
        self.stopping = threading.Event()
        self.thread: threading.Thread | None = None

    def run(self) -> None:
        connection = None
        try:
            if self.transport == "mqtt":
                connection = MQTTConnection("127.0.0.1", self.mqtt_port, f"machi-bench-probe-{os.getpid()}")
            else:
                connection = http.client.HTTPConnection("127.0.0.1", self.bench.machi_port, timeout=30)
            due = time.monotonic()
            while not self.stopping.is_set():
                pause = due - time.monotonic()
                if pause > 0 and self.stopping.wait(pause):
                    break
                if pause < -PROBE_INTERVAL:
                    due = time.monotonic()
                due += PROBE_INTERVAL
                marker = self.next_marker
                self.next_marker += 1
                body = f"{iso_now()}|v|{marker}".encode()
                sent = time.monotonic()
                if self.transport == "mqtt":
                    connection.publish(f"/ul/{APIKEY}/{PROBE}/attrs", body)
                    self.sent[marker] = (sent, sent)
                    continue
                connection.request("POST", f"/iot/d?k={APIKEY}&i={PROBE}", body=body,
                                   headers={"Content-Type": "text/plain"})
                response = connection.getresponse()
                answer = response.read()
                if response.status == 200:
                    self.sent[marker] = (sent, time.monotonic())
                elif len(self.errors) < 20:
                    self.errors.append(f"HTTP {response.status}: {answer[:200]!r}")
        except (OSError, http.client.HTTPException) as error:
            self.errors.append(f"{type(error).__name__}: {error}")
        finally:
            if connection is not None:
                connection.close()

    def start(self) -> None:
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.stopping.set()
        if self.thread:
            self.thread.join(30)


def probe_latency(receiver, probe: Probe, grace: float) -> tuple[dict, dict]:
    """The probe's markers at the receiver: (latency figures in ms, counts)."""
    records, found = notify.wait_for_markers(receiver, probe.sent, {"probe"}, grace)
    figures = notify.latency_figures(found["latencies"])
    counts = {"probe_sent": len(probe.sent), "probe_arrived": found["arrived"],
              "probe_lost": found["expected"] - found["arrived"], "probe_duplicates": found["duplicates"],
              "malformed": records["malformed"]}
    return figures, counts


# --- setup -------------------------------------------------------------------------------------------------------

def provision(bench) -> None:
    attribute = {"object_id": "v", "name": "strain", "type": "Number",
                 "metadata": {"unitCode": {"type": "Text", "value": "MC"}}}
    group = {"services": [{"apikey": APIKEY, "resource": "/iot/d", "entity_type": ENTITY_TYPE,
                           "autoprovision": False}]}
    status, _, body = benchlib.request(bench.machi_port, "POST", "/iot/services", json.dumps(group).encode(),
                                       fiware_headers())
    if status != 201:
        raise ScenarioFailure(f"POST /iot/services answered HTTP {status}: {body[:200]!r}")
    devices = [{"device_id": name, "apikey": APIKEY, "entity_type": ENTITY_TYPE, "attributes": [attribute]}
               for name in [device_id(n) for n in range(1, DEVICES + 1)] + [PROBE]]
    status, _, body = benchlib.request(bench.machi_port, "POST", "/iot/devices",
                                       json.dumps({"devices": devices}).encode(), fiware_headers())
    if status != 201:
        raise ScenarioFailure(f"POST /iot/devices answered HTTP {status}: {body[:200]!r}")
    status, _, body = benchlib.request(bench.machi_port, "GET", "/iot/devices?limit=100", headers=fiware_headers())
    count = json.loads(body).get("count") if status == 200 else None
    if count != DEVICES + 1:
        raise ScenarioFailure(f"GET /iot/devices counts {count} devices, expected {DEVICES + 1}")
    say(f"iot: provisioned a service group and {DEVICES + 1} devices in tenant {TENANT} (apikey {APIKEY})")


def subscribe(bench, receiver) -> None:
    body = {"type": "Subscription", "entities": [{"type": ENTITY_TYPE, "id": entity_id(PROBE)}],
            "watchedAttributes": ["strain"],
            "notification": {"format": "keyValues", "attributes": ["strain"],
                             "endpoint": {"uri": receiver.url("probe")}}}
    status, _, answer = benchlib.request(bench.machi_port, "POST", f"{API}/subscriptions", json.dumps(body).encode(),
                                         {"Content-Type": "application/json", "NGSILD-Tenant": TENANT})
    if status != 201:
        raise ScenarioFailure(f"creating the probe's subscription answered HTTP {status}: {answer[:200]!r}")


def sample_request(bench) -> dict:
    """One UltraLight batch outside the measurement: 200, and its last value visible on the entity."""
    device = device_id(1)
    values = [round(100 + n / 10, 1) for n in range(PER_REQUEST)]
    base = int(time.time() * 1000) - PER_REQUEST
    stamps = Timestamps()
    body = "#".join(f"{stamps.text(base + n)}|v|{value}" for n, value in enumerate(values)).encode()
    started = time.monotonic()
    status, _, answer = benchlib.request(bench.machi_port, "POST", f"/iot/d?k={APIKEY}&i={device}", body,
                                         {"Content-Type": "text/plain"})
    elapsed = time.monotonic() - started
    if status != 200:
        raise ScenarioFailure(f"the sample POST /iot/d answered HTTP {status}: {answer[:200]!r}")
    status, _, document = benchlib.request(bench.machi_port, "GET", f"{API}/entities/{entity_id(device)}",
                                           headers={"NGSILD-Tenant": TENANT})
    strain = json.loads(document).get("strain") if status == 200 else None
    if not isinstance(strain, dict) or strain.get("value") != values[-1] or strain.get("unitCode") != "MC":
        raise ScenarioFailure(f"after the sample batch, {entity_id(device)} answered HTTP {status} with strain "
                              f"{strain}, expected the value {values[-1]} with unitCode MC")
    return {"path": f"POST /iot/d?k={APIKEY}&i={device}", "status": 200, "ms": round(elapsed * 1000, 2),
            "bytes": len(body), "measures": PER_REQUEST}


# --- iot-http ----------------------------------------------------------------------------------------------------

def http_scenario(bench, receiver) -> None:
    sample = sample_request(bench)
    _, rejected_before = counters(bench.machi_port)
    window: dict = {}

    def before() -> None:
        receiver.reset()
        window["probe"] = Probe(bench, "http", MARKER_BASE)
        window["counter"] = counters(bench.machi_port)[0]
        window["threads"] = thread_cpu_seconds(bench.machi.pid)
        window["start"] = time.monotonic()
        window["probe"].start()

    def after() -> None:
        window["end"] = time.monotonic()
        window["busiest"] = busiest_thread(window["threads"], thread_cpu_seconds(bench.machi.pid),
                                           window["end"] - window["start"])
        window["counter_end"] = counters(bench.machi_port)[0]
        window["probe"].stop()

    result = bench.wrk("iot-http", f"http://127.0.0.1:{bench.machi_port}/iot/d", "iot_ul.lua",
                       server_pid=bench.machi.pid, per_request=PER_REQUEST,
                       script_arguments={"apikey": APIKEY, "devices": DEVICES, "measures": PER_REQUEST},
                       around_measured=(before, after))
    probe = window["probe"]
    visible, counts = probe_latency(receiver, probe, 5.0 if bench.arguments.quick else 15.0)
    settle(bench.machi.pid, timeout=60)
    _, rejected_after = counters(bench.machi_port)
    wall = window["end"] - window["start"]
    counted = (window["counter_end"] - window["counter"] - len(probe.sent)) / wall
    measures = result["items_per_s"]
    problems = []
    if rejected_after != rejected_before:
        problems.append(f"machi_iot_rejected_payloads_total moved by {rejected_after - rejected_before}")
    if abs(counted - measures) > 0.1 * measures:
        problems.append(f"machi_iot_measures_total says {counted:,.0f} measures/s, wrk {measures:,.0f}")
    if probe.errors:
        problems.append(f"{len(probe.errors)} probe errors, first: {probe.errors[0]}")
    if not counts["probe_arrived"]:
        problems.append(f"none of the probe's {counts['probe_sent']} measures was notified")
    if counts["malformed"]:
        problems.append(f"malformed notifications: {counts['malformed'][0]}")
    note = (f"{result['requests_per_s']:,.0f} req/s × {PER_REQUEST} measures; machi_iot_measures_total: "
            f"{counted:,.0f}/s; measure → visible (probe, {1 / PROBE_INTERVAL:.0f}/s over HTTP, incl. the "
            f"notification hop): p50 {notify_ms(visible, 'p50')} / p95 {notify_ms(visible, 'p95')} / p99 "
            f"{notify_ms(visible, 'p99')} ms, {counts['probe_arrived']}/{counts['probe_sent']} notified; busiest "
            f"Machi thread {window['busiest']['name']} {window['busiest']['cores']:.2f} cores; p50–p99 columns: "
            f"request latency")
    if result.get("status") == "failed":
        problems.insert(0, result.get("note", "wrk reported errors"))
    result.update({
        "title": TITLE_HTTP, "unit": "measures/s", "value": measures, "baseline": "sqlite-row",
        "result_text": f"{measures:,.0f} measures/s ({result['requests_per_s']:,.0f} req/s)",
        "measures_per_request": PER_REQUEST, "counter_measures_per_s": round(counted, 1),
        "visible_latency_ms": visible, **counts, "busiest_thread": window["busiest"], "sample": sample,
        "devices": DEVICES,
        "rejected_delta": rejected_after - rejected_before, "note": note, "status": "ok",
    })
    result.pop("malformed", None)
    if problems:
        result["status"] = "failed"
        result["note"] = "; ".join(problems) + "; " + note
    bench.record("iot-http", result)


def notify_ms(figures: dict, key: str) -> str:
    from report import ms  # noqa: PLC0415

    return ms(figures.get(key))


# --- iot-mqtt ----------------------------------------------------------------------------------------------------

class Publishers:
    """PUBLISHERS processes of mqttpub.py sharing the devices and the offered rate."""

    def __init__(self, bench, mqtt_port: int, rate: float | None, seconds: float):
        script = os.path.join(benchlib.HERE, "mqttpub.py")
        self.bench = bench
        self.processes = []
        names = [device_id(n) for n in range(1, DEVICES + 1)]
        for k in range(PUBLISHERS):
            share = ",".join(names[k::PUBLISHERS])
            messages = 0 if rate is None else rate / PER_MESSAGE / PUBLISHERS
            command = [sys.executable, script, "--port", str(mqtt_port), "--apikey", APIKEY, "--devices", share,
                       "--rate", f"{messages:.3f}", "--per-message", str(PER_MESSAGE), "--seconds", f"{seconds:.2f}",
                       "--client-id", f"machi-bench-pub-{k}"]
            process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                                       stdin=subprocess.DEVNULL)
            bench.processes.track(process)
            self.processes.append(process)
        self.outputs: list[str] = []
        self.readers = [threading.Thread(target=self.read, args=(p,), daemon=True) for p in self.processes]
        for reader in self.readers:
            reader.start()

    def read(self, process) -> None:
        self.outputs.append(process.stdout.read())

    def cpu_seconds(self) -> float:
        return sum(process_cpu_seconds(p.pid) for p in self.processes if p.poll() is None)

    def wait(self, timeout: float) -> list[dict]:
        """Waits for every publisher; returns their progress [(time, messages)] and result per process."""
        results = []
        for process, reader in zip(self.processes, self.readers):
            try:
                process.wait(timeout)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait()
            reader.join(10)
            self.bench.processes.untrack(process)
        for output in self.outputs:
            progress, result = [], None
            for line in output.splitlines():
                if line.startswith("PROGRESS "):
                    _, at, sent = line.split()
                    progress.append((float(at), int(sent)))
                elif line.startswith("PUBLISHER_RESULT "):
                    result = json.loads(line.split(" ", 1)[1])
            if result is None:
                raise ScenarioFailure(f"a publisher failed: {output.strip()[-300:]}")
            results.append({"progress": progress, "result": result})
        return results


def sent_at(progress: list[tuple[float, int]], at: float) -> float:
    """Messages a publisher had sent at time `at`, interpolated between its progress lines."""
    if not progress or at <= progress[0][0]:
        return 0.0
    for (t0, n0), (t1, n1) in zip(progress, progress[1:]):
        if t0 <= at <= t1:
            return n0 + (n1 - n0) * ((at - t0) / (t1 - t0) if t1 > t0 else 1.0)
    return float(progress[-1][1])


def mqtt_step(bench, receiver, broker: Mosquitto, rate: float | None, seconds: float, first_marker: int) -> dict:
    arguments = bench.arguments
    warmup = arguments.warmup
    machi_pid = bench.machi.pid
    settle(machi_pid, timeout=120)
    receiver.reset()
    _, rejected_before = counters(bench.machi_port)
    publishers = Publishers(bench, broker.port, rate, warmup + seconds)
    probe = Probe(bench, "mqtt", first_marker, mqtt_port=broker.port)
    started = time.monotonic()
    samples = []  # (time, measures counter, rss kB)
    window = cpu = None
    busiest: dict = {}
    broker_cpu = publisher_cpu = 0.0
    try:
        time.sleep(max(0.0, started + warmup - time.monotonic()))
        probe.start()
        window = CPUWindow(machi_pid)
        threads = thread_cpu_seconds(machi_pid)
        broker_cpu = process_cpu_seconds(broker.process.pid)
        publisher_cpu = publishers.cpu_seconds()
        end = started + warmup + seconds
        tick = time.monotonic()
        while True:
            samples.append((time.monotonic(), counters(bench.machi_port)[0], memory_kb(machi_pid)["rss_kb"]))
            if any(p.poll() is not None for p in publishers.processes) or samples[-1][0] >= end - 0.05:
                break
            tick += 1.0
            time.sleep(max(0.0, min(tick, end) - time.monotonic()))
        cpu = window.close()
        wall_cpu = samples[-1][0] - samples[0][0]
        busiest = busiest_thread(threads, thread_cpu_seconds(machi_pid), wall_cpu)
        broker_cpu = (process_cpu_seconds(broker.process.pid) - broker_cpu) / max(wall_cpu, 1e-6)
        publisher_cpu = (publishers.cpu_seconds() - publisher_cpu) / max(wall_cpu, 1e-6)
    finally:
        probe.stop()
        outputs = publishers.wait(30)
    # The backlog: what was sent but not yet counted drains now; wait until the counter stands still.
    quiet, previous, deadline = time.monotonic(), -1, time.monotonic() + 60
    while time.monotonic() < deadline:
        current = counters(bench.machi_port)[0]
        if current != previous:
            previous, quiet = current, time.monotonic()
        elif time.monotonic() - quiet >= 1.0:
            break
        time.sleep(0.2)
    final_counter, rejected_after = counters(bench.machi_port)
    visible, counts = probe_latency(receiver, probe, 3.0 if arguments.quick else 10.0)

    (t0, c0, _), (t1, c1, _) = samples[0], samples[-1]
    wall = t1 - t0
    if wall <= 0.5:
        raise ScenarioFailure(f"the measured window lasted {wall:.2f} s: a publisher ended early: "
                              f"{[o['result'] for o in outputs]}")
    probe_in_window = sum(1 for sent, _ in probe.sent.values() if t0 <= sent < t1)
    sent_start = sum(sent_at(o["progress"], t0) for o in outputs) * PER_MESSAGE
    sent_end = sum(sent_at(o["progress"], t1) for o in outputs) * PER_MESSAGE
    offered = (sent_end - sent_start) / wall
    ingested = (c1 - c0 - probe_in_window) / wall
    total_sent = sum(o["result"]["measures"] for o in outputs) + len(probe.sent)
    backlog_growth = (sent_end - sent_start) - (c1 - c0 - probe_in_window)
    sustained = ingested >= SUSTAINED * offered and backlog_growth <= (1 - SUSTAINED) * (sent_end - sent_start)
    achieved = sum(o["result"]["messages_per_s"] for o in outputs) * PER_MESSAGE
    rss = [kb for _, _, kb in samples if kb]
    return {
        "rate": rate, "offered": offered, "ingested": ingested, "sustained": sustained, "wall": wall,
        "backlog_growth": backlog_growth, "drained_after": final_counter - c1, "sent_total": total_sent,
        "publisher_measures_per_s": achieved, "publisher_cores": publisher_cpu, "broker_cores": broker_cpu,
        "cpu": cpu, "busiest_thread": busiest, "visible": visible, "counts": counts, "probe_errors": probe.errors,
        "rejected_delta": rejected_after - rejected_before, "rss_kb": rss, "outputs": outputs,
        "samples": samples, "hwm_kb": memory_kb(machi_pid)["hwm_kb"],
    }


def mqtt_steps(text: str) -> list[int | None]:
    """The offered rates of `--iot-steps` ("10k,28k,max"): measures/s, `None` for as fast as the publishers send."""
    steps: list[int | None] = []
    for item in text.split(","):
        item = item.strip().lower()
        if item == "max":
            steps.append(None)
        elif item.endswith("k") and item[:-1].isdigit() and int(item[:-1]) > 0:
            steps.append(int(item[:-1]) * 1000)
        else:
            raise SystemExit(f"--iot-steps: {item!r} is neither a rate like 28k nor max")
    return steps


def mqtt_scenario(bench, receiver, broker: Mosquitto) -> None:
    arguments = bench.arguments
    quick = arguments.quick
    step_seconds = arguments.duration if quick else min(arguments.duration, 20.0)
    soak = arguments.iot_soak if arguments.iot_soak else (step_seconds if quick else 120.0)
    marker = MARKER_BASE * 2
    steps = mqtt_steps(arguments.iot_steps)
    for index, rate in enumerate(steps):
        last = index == len(steps) - 1
        name = f"iot-mqtt@{'max' if rate is None else f'{rate // 1000}k'}"
        offered_text = "as fast as the publishers send" if rate is None else f"{rate:,} measures/s offered"
        title = f"{TITLE_MQTT}, {offered_text}"
        seconds = soak if last else step_seconds
        try:
            say(f"{name}: {offered_text}, {arguments.warmup:g} s warm-up + {seconds:g} s"
                + (" (RSS sampled every second)" if last else ""))
            step = mqtt_step(bench, receiver, broker, rate, seconds, marker)
            marker += 1_000_000
            bench.record(name, mqtt_row(bench, step, title, last))
        except ScenarioFailure as error:
            bench.fail(name, title, error)
        except Exception as error:  # noqa: BLE001 - reported; the next step still runs
            bench.fail(name, title, RuntimeError(f"{type(error).__name__}: {error}"))


def mqtt_row(bench, step: dict, title: str, last: bool) -> dict:
    cpu = dict(step["cpu"])
    cpu["generator_cores"] = round(step["publisher_cores"], 3)
    cpu["other_cores"] = round(max(0.0, cpu["machine_cores"] - cpu["server_cores"] - step["publisher_cores"]
                                   - step["broker_cores"]), 3)
    counts = step["counts"]
    visible = step["visible"]
    offered, ingested = step["offered"], step["ingested"]
    rss = step["rss_kb"]
    verdict = "sustained" if step["sustained"] else "not sustained"
    note = (f"offered {offered:,.0f} measures/s ({PUBLISHERS} publisher processes, {PER_MESSAGE} measures per "
            f"message, sending at {step['publisher_measures_per_s']:,.0f}/s over their run, "
            f"{step['publisher_cores']:.2f} cores); ingested {ingested / offered if offered else 0:.1%} of it over "
            f"{step['wall']:.0f} s; backlog grew by {step['backlog_growth']:,.0f} measures, "
            f"{step['drained_after']:,} counted after the window; Mosquitto {step['broker_cores']:.2f} cores, "
            f"busiest Machi thread {step['busiest_thread'].get('name')} "
            f"{step['busiest_thread'].get('cores', 0):.2f} cores; hypervisor steal {cpu.get('steal_cores', 0):.2f} "
            f"cores; "
            f"p50–p99: measure → visible (probe, {1 / PROBE_INTERVAL:.0f}/s over MQTT, incl. the notification hop), "
            f"{counts['probe_arrived']}/{counts['probe_sent']} notified")
    if last and rss:
        note += (f"; RSS every second over {step['wall']:.0f} s: start {rss[0] / 1024:,.0f}, end "
                 f"{rss[-1] / 1024:,.0f}, max {max(rss) / 1024:,.0f} MiB")
    row = {
        "title": title, "unit": "measures/s", "value": ingested, "status": "ok",
        "result_text": (f"{ingested:,.0f} measures/s ingested of {offered:,.0f} offered, {verdict}"),
        "offered_per_s": round(offered, 1), "ingested_per_s": round(ingested, 1), "sustained": step["sustained"],
        "offered_rate": step["rate"], "seconds": round(step["wall"], 2), "warmup_s": bench.arguments.warmup,
        "backlog_growth": round(step["backlog_growth"]), "counted_after_window": step["drained_after"],
        "publisher_measures_per_s": round(step["publisher_measures_per_s"], 1),
        "publisher_cores": round(step["publisher_cores"], 3), "broker_cores": round(step["broker_cores"], 3),
        "publishers": PUBLISHERS, "measures_per_message": PER_MESSAGE, "latency_ms": visible,
        "busiest_thread": step["busiest_thread"],
        "probe_sent": counts["probe_sent"], "probe_arrived": counts["probe_arrived"],
        "probe_lost": counts["probe_lost"], "rejected_delta": step["rejected_delta"], "cpu": cpu,
        "rss_kb": rss[-1] if rss else None, "hwm_kb": step["hwm_kb"], "note": note,
    }
    if step["rate"] is None:
        row["baseline"] = "sqlite-row"
    if last and rss:
        row["rss_window"] = {"seconds": round(step["wall"], 1), "start_kb": rss[0], "end_kb": rss[-1],
                             "max_kb": max(rss), "every_s": 1, "samples_kb": rss}
    problems = []
    if step["rejected_delta"]:
        problems.append(f"machi_iot_rejected_payloads_total moved by {step['rejected_delta']}")
    if step["probe_errors"]:
        problems.append(f"probe errors: {step['probe_errors'][0]}")
    if counts["malformed"]:
        problems.append(f"malformed notifications: {counts['malformed'][0]}")
    if ingested <= 0:
        problems.append("no measure was ingested")
    if step["sustained"] and counts["probe_sent"] and not counts["probe_arrived"]:
        problems.append(f"none of the probe's {counts['probe_sent']} measures was notified")
    if problems:
        row["status"] = "failed"
        row["note"] = "; ".join(problems) + "; " + note
    return row


# --- the scenarios -----------------------------------------------------------------------------------------------

def run(bench, wants: set[str]) -> None:
    names = [name for name in ("iot-http", "iot-mqtt") if name in wants]
    broker = None
    receiver = None
    restarted = False
    finished = False  # not when interrupted: then the runner stops everything, no restart
    try:
        try:
            if "iot-mqtt" in wants:
                broker = Mosquitto(bench)
                bench.stop_machi()
                bench.start_machi({"IOT_MQTT_URL": broker.url})
                restarted = True
                say(f"iot: Mosquitto on 127.0.0.1:{broker.port}; machi restarted with IOT_MQTT_URL={broker.url}")
            provision(bench)
            receiver = notify.Receiver(bench, marker_attribute="strain")
            subscribe(bench, receiver)
        except Exception as error:  # noqa: BLE001 - every wanted row says why
            for name in names:
                bench.fail(name, TITLE_HTTP if name == "iot-http" else TITLE_MQTT,
                           error if isinstance(error, ScenarioFailure) else RuntimeError(f"{error}"))
            finished = True
            return
        if "iot-http" in wants:
            try:
                bench.machi_alive()
                http_scenario(bench, receiver)
            except ScenarioFailure as error:
                bench.fail("iot-http", TITLE_HTTP, error)
            except Exception as error:  # noqa: BLE001
                bench.fail("iot-http", TITLE_HTTP, RuntimeError(f"{type(error).__name__}: {error}"))
        if "iot-mqtt" in wants:
            try:
                bench.machi_alive()
                mqtt_scenario(bench, receiver, broker)
            except ScenarioFailure as error:
                bench.fail("iot-mqtt", TITLE_MQTT, error)
        finished = True
    finally:
        if receiver:
            receiver.stop()
        cleanup(bench, broker, restarted, restart=finished)


def cleanup(bench, broker: Mosquitto | None, restarted: bool, restart: bool = True) -> None:
    """Machi without MQTT and without the benchiot tenant's data, as the other scenarios expect it."""
    bench.stop_machi()
    if broker:
        broker.stop()
    if not restart:
        return
    removed = bench.remove_tenant(TENANT)
    bench.start_machi()
    bench.host_context()
    say(f"iot: removed the {TENANT} tenant ({removed / 1e6:,.0f} MB); machi restarted"
        + (" without MQTT" if restarted else ""))
