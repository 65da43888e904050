"""The `subscription-notify` scenario of scripts/bench: subscription notifications, from an update to the moment
a local receiver has the HTTP notification, with 1,000 subscriptions in the broker.

- A receiver (receiver.py, its own process: it does not share an interpreter lock with the load driver) timestamps
  every entity of every notification it receives, per endpoint, with CLOCK_MONOTONIC (the clock bench.py uses too).
- 999 subscriptions watch `height` of other entity types (`BenchOther<i>`, one type each: they match nothing,
  so matching must go through an index, not a scan), and one watches `height` of the measured entity.
- Latency: one client PATCHes that entity's `height` at a fixed rate, every value a unique marker; the latency of
  a marker is its arrival at the receiver minus the moment the PATCH was sent (the update's own round trip, the
  commit with its outbox entry, the notifier and the HTTP delivery). Markers that never arrive are lost.
- Throughput: 20 more subscriptions, each with its own endpoint, watch `height` of every WaterObserved; wrk PATCHes
  random gauges as fast as Machi takes them (patch.lua, as the `patch` scenario), so every update is due to 20
  endpoints: more notifications are due than the 5,000/s target (on a 2-core machine), so the figure is what the
  notifier delivers, not the update rate. The figure counts the entities (not the requests: one notification may
  carry several queued changes) that arrived at the receiver during the measured run. A marker client at a low
  rate meanwhile gives the latency under that load. After the run, the receiver waits for the backlog to drain and
  checks that every subscription received the same number of changes.
"""

from __future__ import annotations

import http.client
import json
import os
import sys
import threading
import time

import benchlib
from benchlib import API, ScenarioFailure, memory_kb, percentile, process_cpu_seconds, say, settle
from receiver import MARKER_BASE

NON_MATCHING = 999
MATCHING_ALL = 20  # subscriptions that match every update of the throughput phase, each with its own endpoint
LATENCY_RATE = 100.0  # measured updates per second, one client
PROBE_RATE_UNDER_LOAD = 20.0  # marker updates per second during the throughput run
CLIENTS = 4  # parallel clients that create and delete the subscriptions

TITLE_LATENCY = f"Notification latency, PATCH → webhook, {NON_MATCHING + 1:,} subscriptions"
TITLE_THROUGHPUT = (f"Notification throughput, PATCH load, {MATCHING_ALL} subscriptions match every update "
                    f"({NON_MATCHING + 1 + MATCHING_ALL:,} in all)")


class Receiver:
    """receiver.py, started as a process of the run."""

    def __init__(self, bench, marker_attribute: str = "height"):
        self.bench = bench
        self.port = benchlib.free_port()
        script = os.path.join(benchlib.HERE, "receiver.py")
        self.process = bench.processes.start([sys.executable, script, "--port", str(self.port),
                                              "--marker-attribute", marker_attribute],
                                             os.path.join(bench.run_directory, "receiver.log"))
        deadline = time.monotonic() + 15
        while True:
            if self.process.poll() is not None:
                raise ScenarioFailure(f"the receiver exited with status {self.process.returncode}: "
                                      f"{bench.log_tail('receiver.log')}")
            try:
                if benchlib.request(self.port, "GET", "/health", timeout=1)[0] == 200:
                    break
            except OSError:
                pass
            if time.monotonic() > deadline:
                raise ScenarioFailure("the receiver did not answer within 15 s")
            time.sleep(0.02)

    def url(self, key: str) -> str:
        return f"http://127.0.0.1:{self.port}/notify/{key}"

    def reset(self) -> None:
        benchlib.request(self.port, "POST", "/reset")

    def records(self) -> dict:
        status, _, body = benchlib.request(self.port, "GET", "/records", timeout=60)
        if status != 200:
            raise ScenarioFailure(f"the receiver answered HTTP {status} to GET /records")
        return json.loads(body)

    def cpu_seconds(self) -> float:
        return process_cpu_seconds(self.process.pid)

    def stop(self) -> None:
        self.bench.processes.stop(self.process, timeout=5)


class Prober:
    """PATCHes `height` of one entity at a fixed rate, on one keep-alive connection, every value a unique marker;
    remembers when each marker was sent and when its PATCH was answered."""

    def __init__(self, port: int, link: str, entity: str, rate: float, first_marker: int):
        self.port, self.entity, self.rate = port, entity, rate
        self.headers = {"Content-Type": "application/json", "Link": link}
        self.next_marker = first_marker
        self.sent: dict[int, tuple[float, float]] = {}  # marker -> (sent, answered), monotonic
        self.errors: list[str] = []
        self.stopping = threading.Event()
        self.thread: threading.Thread | None = None

    def run(self, seconds: float | None = None) -> None:
        path = f"{API}/entities/{self.entity}/attrs"
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        interval = 1.0 / self.rate
        started = time.monotonic()
        due = started
        try:
            while not self.stopping.is_set() and (seconds is None or time.monotonic() - started < seconds):
                pause = due - time.monotonic()
                if pause > 0:
                    if self.stopping.wait(pause):
                        break
                elif pause < -interval:
                    due = time.monotonic()  # fell behind (a slow answer): no burst to catch up
                due += interval
                marker = self.next_marker
                self.next_marker += 1
                body = json.dumps({"height": {"type": "Property", "value": marker}}).encode()
                sent = time.monotonic()
                try:
                    connection.request("PATCH", path, body=body, headers=self.headers)
                    response = connection.getresponse()
                    answer = response.read()
                except (OSError, http.client.HTTPException) as error:
                    self.errors.append(f"{type(error).__name__}: {error}")
                    connection.close()
                    connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
                    continue
                answered = time.monotonic()
                if response.status == 204:
                    self.sent[marker] = (sent, answered)
                elif len(self.errors) < 20:
                    self.errors.append(f"HTTP {response.status}: {answer[:200]!r}")
        finally:
            connection.close()

    def start(self) -> None:
        self.thread = threading.Thread(target=self.run, daemon=True)
        self.thread.start()

    def stop(self) -> None:
        self.stopping.set()
        if self.thread:
            self.thread.join(60)


def parallel(port: int, calls: list[tuple[str, str, bytes | None]], headers: dict) -> list[tuple[int, dict, bytes]]:
    """Sends `calls` (method, path, body) over CLIENTS keep-alive connections; the answers in the same order."""
    answers: list = [None] * len(calls)
    lock = threading.Lock()
    position = [0]

    def client() -> None:
        connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        try:
            while True:
                with lock:
                    index = position[0]
                    position[0] += 1
                if index >= len(calls):
                    return
                method, path, body = calls[index]
                try:
                    connection.request(method, path, body=body, headers=headers)
                    response = connection.getresponse()
                    answers[index] = (response.status, {k.lower(): v for k, v in response.getheaders()},
                                      response.read())
                except (OSError, http.client.HTTPException) as error:
                    answers[index] = (0, {}, str(error).encode())
                    connection.close()
                    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        finally:
            connection.close()

    workers = [threading.Thread(target=client, daemon=True) for _ in range(CLIENTS)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    return answers


def subscription(receiver: Receiver, key: str, entity_type: str, entity: str | None = None) -> dict:
    selector = {"type": entity_type} | ({"id": entity} if entity else {})
    return {"type": "Subscription", "entities": [selector], "watchedAttributes": ["height"],
            "notification": {"format": "keyValues", "endpoint": {"uri": receiver.url(key)}}}


def latency_figures(values: list[float]) -> dict:
    values = sorted(values)
    if not values:
        return {}
    figures = {name: round(percentile(values, q) * 1000, 3)
               for name, q in (("p50", 50), ("p90", 90), ("p95", 95), ("p99", 99), ("p999", 99.9))}
    return figures | {"mean": round(sum(values) / len(values) * 1000, 3), "max": round(values[-1] * 1000, 3)}


def marker_latencies(records: dict, sent: dict[int, tuple[float, float]], keys: set[str]) -> dict:
    """For the markers in `sent`: the latency (first arrival − sent) and after the PATCH's answer, per key in
    `keys`; missing arrivals and duplicates."""
    first: dict[tuple[str, int], float] = {}
    duplicates = 0
    for arrival, key, _entity, marker in records["markers"]:
        marker = int(marker)
        if key not in keys or marker not in sent:
            continue
        if (key, marker) in first:
            duplicates += 1
        else:
            first[(key, marker)] = arrival
    latencies, after_answer = [], []
    for (key, marker), arrival in first.items():
        sent_at, answered_at = sent[marker]
        latencies.append(arrival - sent_at)
        after_answer.append(arrival - answered_at)
    return {"latencies": latencies, "after_answer": after_answer, "expected": len(sent) * len(keys),
            "arrived": len(first), "duplicates": duplicates}


def wait_for_markers(receiver: Receiver, sent: dict, keys: set[str], grace: float) -> tuple[dict, dict]:
    """Polls the receiver until every marker of `sent` arrived at every key, or `grace` seconds passed."""
    deadline = time.monotonic() + grace
    while True:
        records = receiver.records()
        found = marker_latencies(records, sent, keys)
        if found["arrived"] >= found["expected"] or time.monotonic() > deadline:
            return records, found
        time.sleep(0.2)


def entities_between(records: dict, start: float, end: float) -> int:
    return sum(count for slot, count in records["bins"] if start <= slot / 100 < end)


def last_arrival(records: dict) -> float | None:
    return (records["bins"][-1][0] + 1) / 100 if records["bins"] else None


def run(bench) -> None:
    """Both phases; their rows are `subscription-notify` (latency) and `subscription-notify@throughput`."""
    machi_pid = bench.machi.pid
    headers = {"Content-Type": "application/json", "Link": bench.link}
    n = bench.loaded // 2
    measured = benchlib.entity_id(n - 1 if n % 5 == 4 else n)
    receiver = Receiver(bench)
    locations: list[str] = []
    try:
        def create(bodies: list[dict]) -> float:
            started = time.monotonic()
            answers = parallel(bench.machi_port, [("POST", f"{API}/subscriptions", json.dumps(body).encode())
                                                  for body in bodies], headers)
            locations.extend(a[1]["location"] for a in answers if a[0] == 201 and "location" in a[1])
            failed = [a for a in answers if a[0] != 201]
            if failed:
                raise ScenarioFailure(f"{len(failed)} of {len(bodies)} subscriptions were not created: HTTP "
                                      f"{failed[0][0]} {failed[0][2][:200]!r}")
            return time.monotonic() - started

        bodies = [subscription(receiver, f"other{i}", f"BenchOther{i}") for i in range(NON_MATCHING)]
        bodies.append(subscription(receiver, "latency", "WaterObserved", measured))
        seconds = create(bodies)
        say(f"  created {len(bodies):,} subscriptions in {seconds:.1f} s ({len(bodies) / seconds:,.0f}/s, "
            f"{CLIENTS} clients); one matches {measured}")
        try:
            latency_phase(bench, receiver, measured, machi_pid, created_in=seconds)
        except ScenarioFailure as error:
            bench.fail("subscription-notify", TITLE_LATENCY, error)
        except Exception as error:  # noqa: BLE001 - reported; the other phase still runs
            bench.fail("subscription-notify", TITLE_LATENCY, RuntimeError(f"{type(error).__name__}: {error}"))

        bodies = [subscription(receiver, f"all{k}", "WaterObserved") for k in range(MATCHING_ALL)]
        create(bodies)
        try:
            throughput_phase(bench, receiver, measured, machi_pid)
        except ScenarioFailure as error:
            bench.fail("subscription-notify@throughput", TITLE_THROUGHPUT, error)
        except Exception as error:  # noqa: BLE001 - reported; the other phase still runs
            bench.fail("subscription-notify@throughput", TITLE_THROUGHPUT,
                       RuntimeError(f"{type(error).__name__}: {error}"))
    finally:
        # The subscriptions go, so that later scenarios (startup) measure Machi without them.
        if bench.machi and bench.machi.poll() is None and locations:
            started = time.monotonic()
            answers = parallel(bench.machi_port, [("DELETE", location, None) for location in locations],
                               {"Link": bench.link})
            failed = [a for a in answers if a[0] != 204]
            say(f"  deleted {len(locations) - len(failed):,} subscriptions in {time.monotonic() - started:.1f} s"
                + (f"; {len(failed)} failed: HTTP {failed[0][0]} {failed[0][2][:200]!r}" if failed else ""))
            settle(machi_pid, timeout=60)
        receiver.stop()


def latency_phase(bench, receiver: Receiver, measured: str, machi_pid: int, created_in: float) -> None:
    arguments = bench.arguments
    seconds = min(arguments.duration, 3.0) if arguments.quick else arguments.duration
    warmup = min(arguments.warmup, 1.0)
    settle(machi_pid)
    receiver.reset()
    warm = Prober(bench.machi_port, bench.link, measured, LATENCY_RATE, MARKER_BASE)
    warm.run(warmup)
    probe = Prober(bench.machi_port, bench.link, measured, LATENCY_RATE, warm.next_marker)
    window = benchlib.CPUWindow(machi_pid)
    receiver_before = receiver.cpu_seconds()
    started = time.monotonic()
    probe.run(seconds)
    wall = time.monotonic() - started
    cpu = window.close()
    receiver_cores = (receiver.cpu_seconds() - receiver_before) / wall
    cpu["other_cores"] = round(max(0.0, cpu["other_cores"] - receiver_cores), 3)
    grace = 5.0 if arguments.quick else 15.0
    records, found = wait_for_markers(receiver, probe.sent, {"latency"}, grace)
    if not probe.sent:
        raise ScenarioFailure(f"no PATCH succeeded: {probe.errors[:3]}")
    lost = found["expected"] - found["arrived"]
    false_matches = {k: v for k, v in records["per_key"].items() if k.startswith("other")}
    latency = latency_figures(found["latencies"])
    after_answer = latency_figures(found["after_answer"])
    patch_latency = latency_figures([answered - sent for sent, answered in probe.sent.values()])
    rate = len(probe.sent) / wall
    result = {
        "title": TITLE_LATENCY, "unit": "notifications/s", "value": found["arrived"] / wall,
        "result_text": f"{found['arrived']:,} of {len(probe.sent):,} notified ({rate:,.0f} updates/s), "
                       f"{lost:,} lost",
        "latency_ms": latency, "patch_latency_ms": patch_latency, "after_answer_ms": after_answer,
        "updates": len(probe.sent), "updates_per_s": round(rate, 1), "notified": found["arrived"], "lost": lost,
        "duplicates": found["duplicates"], "seconds": round(wall, 2), "connections": 1,
        "subscriptions": NON_MATCHING + 1, "matching_subscriptions": 1, "subscriptions_created_s": round(created_in, 2),
        "notification_requests": records["requests"], "false_matches": sum(false_matches.values()),
        "cpu": cpu, "receiver_cores": round(receiver_cores, 3), "entities_in_store": bench.loaded,
        "note": f"{rate:,.0f} PATCH/s on one gauge, one client; latency from sending the PATCH to the notification's "
                f"arrival; after the PATCH's 204: p50 {after_answer.get('p50', 0):.2f} / p99 "
                f"{after_answer.get('p99', 0):.2f} ms, the PATCH itself p50 {patch_latency.get('p50', 0):.2f} ms; "
                f"receiver {receiver_cores:.2f} cores",
    } | memory_kb(machi_pid)
    problems = []
    if lost:
        problems.append(f"{lost} of {found['expected']} notifications did not arrive within {grace:.0f} s")
    if probe.errors:
        problems.append(f"{len(probe.errors)} PATCH errors, first: {probe.errors[0]}")
    if false_matches:
        problems.append(f"{sum(false_matches.values())} entities notified to subscriptions that match nothing")
    if records["malformed"]:
        problems.append(f"malformed notifications: {records['malformed'][0]}")
    if problems:
        result["status"] = "failed"
        result["note"] = "; ".join(problems) + "; " + result["note"]
    bench.record("subscription-notify", result)


def throughput_phase(bench, receiver: Receiver, measured: str, machi_pid: int) -> None:
    arguments = bench.arguments
    keys = {f"all{k}" for k in range(MATCHING_ALL)}
    window: dict = {}

    def before() -> None:
        receiver.reset()
        window["probe"] = Prober(bench.machi_port, bench.link, measured, PROBE_RATE_UNDER_LOAD, MARKER_BASE * 2)
        window["receiver_cpu"] = receiver.cpu_seconds()
        window["start"] = time.monotonic()
        window["probe"].start()

    def after() -> None:
        window["end"] = time.monotonic()
        window["probe"].stop()
        window["receiver_cpu"] = receiver.cpu_seconds() - window["receiver_cpu"]

    duration = arguments.duration if not arguments.quick else min(arguments.duration, 3.0)
    result = bench.wrk("subscription-notify", f"http://127.0.0.1:{bench.machi_port}{API}/entities", "patch.lua",
                       headers=[f"Link: {bench.link}"], server_pid=machi_pid, duration=duration,
                       script_arguments={"entities": bench.loaded}, around_measured=(before, after))
    start, end, probe = window["start"], window["end"], window["probe"]
    wall = end - start
    receiver_cores = window["receiver_cpu"] / wall

    # The backlog: wait until nothing more arrives for a while, or give up.
    limit = 30.0 if arguments.quick else max(60.0, 2 * duration)
    deadline = time.monotonic() + limit
    previous, quiet_since = -1, time.monotonic()
    drained = True
    while True:
        records = receiver.records()
        if records["entities"] != previous:
            previous, quiet_since = records["entities"], time.monotonic()
        elif time.monotonic() - quiet_since >= (1.0 if arguments.quick else 2.0):
            break
        if time.monotonic() > deadline:
            drained = False
            break
        time.sleep(0.25)
    records, found = wait_for_markers(receiver, probe.sent, keys | {"latency"}, 0 if not drained else 5.0)
    in_window = entities_between(records, start, end)
    delivered = in_window / wall
    updates = result["requests_per_s"] + len(probe.sent) / wall
    due = updates * MATCHING_ALL
    backlog = records["entities"] - entities_between(records, 0, end)
    finished = last_arrival(records)
    drain_s = max(0.0, finished - end) if finished else 0.0
    counts = [records["per_key"].get(key, 0) for key in sorted(keys)]
    latency = latency_figures(found["latencies"])
    problems = []
    if drained and min(counts) != max(counts):
        problems.append(f"the {MATCHING_ALL} subscriptions that match every update received different numbers of "
                        f"changes: {min(counts):,} to {max(counts):,}")
    lost = found["expected"] - found["arrived"]
    if drained and lost:
        problems.append(f"{lost} of {found['expected']} marker notifications never arrived")
    if probe.errors:
        problems.append(f"{len(probe.errors)} marker PATCH errors, first: {probe.errors[0]}")
    if records["malformed"]:
        problems.append(f"malformed notifications: {records['malformed'][0]}")
    other = {k: v for k, v in records["per_key"].items() if k.startswith("other")}
    if other:
        problems.append(f"{sum(other.values())} entities notified to subscriptions that match nothing")
    patch_row = bench.results.get("patch")
    compare = (f" (the patch row, without subscriptions: {patch_row['value']:,.0f}/s)"
               if patch_row and patch_row.get("status") == "ok" else "")
    note = (f"{result['requests_per_s']:,.0f} PATCH/s by wrk{compare}, so {due:,.0f} notifications/s due; "
            f"{records['requests']:,} notification requests in all, "
            f"{records['entities'] / max(1, records['requests']):.1f} entities each; "
            + (f"the backlog of {backlog:,} drained {drain_s:.1f} s after the run"
               + (f" ({backlog / drain_s:,.0f}/s without the update load)" if drain_s >= 0.5 else "")
               if drained and backlog
               else "no backlog at the end of the run" if drained
               else f"not drained {limit:.0f} s after the run (about {due * wall - records['entities']:,.0f} "
                    "still due)")
            + f"; p50–p99: latency of a {PROBE_RATE_UNDER_LOAD:.0f}/s marker update under this load, "
            f"{found['arrived']:,}/{found['expected']:,} arrived; receiver {receiver_cores:.2f} cores")
    result["update_latency_ms"] = result.pop("latency_ms")
    result["cpu"]["other_cores"] = round(max(0.0, result["cpu"]["other_cores"] - receiver_cores), 3)
    result.update({
        "title": TITLE_THROUGHPUT, "unit": "notifications/s", "value": delivered,
        "result_text": f"{delivered:,.0f} notifications/s ({updates:,.0f} updates/s)",
        "latency_ms": latency, "updates_per_s": round(updates, 1), "due_per_s": round(due, 1),
        "delivered_in_window": in_window, "delivered_total": records["entities"],
        "notification_requests": records["requests"], "backlog": backlog, "drained": drained,
        "drain_s": round(drain_s, 2), "per_subscription": counts, "marker_lost": lost if drained else None,
        "duplicates": found["duplicates"], "receiver_cores": round(receiver_cores, 3),
        "subscriptions": NON_MATCHING + 1 + MATCHING_ALL, "matching_subscriptions": MATCHING_ALL,
        "entities_in_store": bench.loaded, "note": note,
    })
    if result.get("status") == "failed":
        problems.insert(0, result.get("note", "wrk reported errors"))
    if problems:
        result["status"] = "failed"
        result["note"] = "; ".join(problems) + "; " + note
    bench.record("subscription-notify@throughput", result)
