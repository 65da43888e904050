"""The `temporal` scenario of scripts/bench: the temporal API (ETSI GS CIM 009 5.6.11, 5.7.3, 5.7.4) over
1,000,000 attribute instances (--quick: 50,000), in its own tenant (`bench-temporal`), so that the entity data set
and its own history stay as they are.

- Data: 1,000 `WeatherObserved` entities (one per 1,000 instances), each with `temperature` and `relativeHumidity`
  instances every 6 minutes from 2026-01-01T00:00:00Z (500 of each: 50 hours). Loaded through
  `POST /temporal/entities` (Create or Update Temporal Representation), 500 instances per request, 4 clients: an
  entity's first request creates it (201), its second adds the next 25 hours (204). Every answer is checked, then
  one temporal query counts the entities and samples check the first and last instances.
- Reads, with wrk and lua/temporal.lua (a random entity each request): lastN=10; timerel=between over a window of
  100 instances (50 of each attribute); aggregatedValues avg,max,min per hour (PT1H) over a day (480 instances);
  and a query across entities, `type=WeatherObserved&timerel=after&lastN=1&limit=10` at a random offset. One sample
  request of each is checked before its run (status and shape); a sample that is not what the API promises fails
  the row loudly.
"""

from __future__ import annotations

import datetime
import json
import random
import os
import statistics
import time
import urllib.parse

from benchlib import API, ScenarioFailure, memory_kb, percentile, request, say

TENANT = "bench-temporal"
TYPE = "WeatherObserved"
ATTRIBUTES = ("temperature", "relativeHumidity")
PER_ENTITY = 1000  # instances per entity: 500 of each attribute
PER_ATTRIBUTE = PER_ENTITY // len(ATTRIBUTES)
PER_REQUEST = 500  # instances per POST: an entity takes two (201 Created, then 204 No Content)
START = datetime.datetime(2026, 1, 1, tzinfo=datetime.timezone.utc)
STEP = 360  # seconds between two instances of an attribute
PER_HOUR = 3600 // STEP
WINDOW = 50  # instances of each attribute in the `between` window
DAY = 24 * PER_HOUR  # instances of each attribute in a day


def entity_id(n: int) -> str:
    return f"urn:ngsi-ld:{TYPE}:shiojiri:{n}"


def time_text(index: int) -> str:
    return (START + datetime.timedelta(seconds=index * STEP)).strftime("%Y-%m-%dT%H:%M:%SZ")


def bodies(entities: int) -> list[tuple[int, bytes]]:
    """Two requests per entity, all first halves (creations) before the second halves (updates)."""
    times = [time_text(i) for i in range(PER_ATTRIBUTE)]
    half = PER_REQUEST // len(ATTRIBUTES)
    result = []
    for part in range(PER_ATTRIBUTE // half):
        indexes = range(part * half, (part + 1) * half)
        for n in range(entities):
            rng = random.Random(n * 31 + part)
            temperature = ",".join(
                f'{{"type":"Property","value":{-2 + 14 * rng.random():.1f},"unitCode":"CEL",'
                f'"observedAt":"{times[i]}"}}' for i in indexes)
            humidity = ",".join(
                f'{{"type":"Property","value":{0.3 + 0.7 * rng.random():.2f},"observedAt":"{times[i]}"}}'
                for i in indexes)
            body = (f'{{"id":"{entity_id(n)}","type":"{TYPE}","temperature":[{temperature}],'
                    f'"relativeHumidity":[{humidity}]}}')
            result.append((PER_REQUEST, body.encode()))
    return result


def get(bench, path: str) -> tuple[int, dict, object, dict]:
    """One request outside the measurement: status, headers, parsed body and the sample the report shows."""
    started = time.monotonic()
    status, headers, body = request(bench.machi_port, "GET", path,
                                    headers={"Link": bench.link, "NGSILD-Tenant": TENANT})
    elapsed = time.monotonic() - started
    try:
        document = json.loads(body)
    except ValueError:
        document = None
    sample = {"path": urllib.parse.unquote(path), "status": status, "ms": round(elapsed * 1000, 2),
              "bytes": len(body)}
    if status not in (200, 206):
        raise ScenarioFailure(f"GET {path} answered HTTP {status}: {body[:300]!r}")
    return status, headers, document, sample


def instances_of(document: dict) -> dict[str, list]:
    return {name: document.get(name) or [] for name in ATTRIBUTES}


def load(bench, entities: int) -> None:
    total = entities * PER_ENTITY
    say(f"temporal: preparing {total:,} instances of {entities:,} entities ({PER_REQUEST} per request)")
    prepared = bodies(entities)
    headers = {"Content-Type": "application/json", "Link": bench.link, "NGSILD-Tenant": TENANT}
    posted = bench.post_all(API + "/temporal/entities", prepared, headers, "temporal instances")
    statuses = posted["statuses"]
    if statuses.get(201, 0) != entities or statuses.get(204, 0) != len(prepared) - entities:
        raise ScenarioFailure(f"expected {entities:,} × 201 Created and {len(prepared) - entities:,} × 204 "
                              f"No Content, the server answered {statuses}")
    seconds = posted["seconds"]
    # The tenant holds only this temporal data: its files over the instances are the storage per instance, every
    # index and the WAL included (an upper bound).
    stored = sum(os.path.getsize(os.path.join(bench.data_directory, name))
                 for name in os.listdir(bench.data_directory) if name.startswith(f"tenant-{TENANT}.sqlite"))
    latencies = sorted(posted["latencies"])
    latency_ms = {name: round(percentile(latencies, q) * 1000, 3)
                  for name, q in (("p50", 50), ("p90", 90), ("p95", 95), ("p99", 99), ("p999", 99.9))}
    latency_ms |= {"mean": round(statistics.mean(latencies) * 1000, 3), "max": round(latencies[-1] * 1000, 3)}
    bench.record("temporal@load", {
        "title": f"Temporal data load: POST /temporal/entities, {PER_REQUEST} instances per request",
        "unit": "instances/s", "value": total / seconds, "items_per_s": total / seconds,
        "requests_per_s": len(prepared) / seconds, "requests": len(prepared), "seconds": round(seconds, 2),
        "instances": total, "temporal_entities": entities, "statuses": {str(k): v for k, v in statuses.items()},
        "result_text": f"{total / seconds:,.0f} instances/s ({total:,} in {seconds:,.0f} s)",
        "connections": 4, "latency_ms": latency_ms, "cpu": posted["cpu"],
        "stored_bytes": stored, "bytes_per_instance": round(stored / total, 1),
        "note": f"{entities:,} × 201 Created then {len(prepared) - entities:,} × 204 No Content; loader: Python "
                f"http.client, not wrk (its CPU is in the generator column); on disk {stored / 1e6:,.0f} MB, "
                f"{stored / total:,.0f} bytes per numeric instance with observedAt (indexes and WAL included)",
    } | memory_kb(bench.machi.pid))


def verify(bench, entities: int) -> None:
    """One temporal query counts the entities; the last entity's oldest and newest instances are where expected."""
    _, headers, document, _ = get(bench, f"{API}/temporal/entities?type={TYPE}&count=true&limit=1&lastN=1")
    count = int(headers.get("ngsild-results-count", -1))
    if count != entities or not isinstance(document, list) or len(document) != 1:
        raise ScenarioFailure(f"the temporal query counts {count} entities (expected {entities:,}): "
                              f"{str(document)[:200]}")
    last = entity_id(entities - 1)
    checks = [("lastN=1", PER_ATTRIBUTE - 1), (f"timerel=before&timeAt={time_text(1)}", 0)]
    for query, index in checks:
        _, _, document, _ = get(bench, f"{API}/temporal/entities/{last}?{query}")
        for name, found in instances_of(document).items():
            times = [instance.get("observedAt") for instance in found]
            if times != [time_text(index)]:
                raise ScenarioFailure(f"{last}?{query}: {name} has instances at {times}, expected "
                                      f"[{time_text(index)}]")
    say(f"temporal: {count:,} temporal entities, instances from {time_text(0)} to {time_text(PER_ATTRIBUTE - 1)}")


def check_last_n(document, _status, _headers) -> tuple[str | None, str]:
    found = instances_of(document)
    sizes = {name: len(instances) for name, instances in found.items()}
    newest = {name: max((i.get("observedAt", "") for i in instances), default=None)
              for name, instances in found.items()}
    if set(sizes.values()) != {10} or set(newest.values()) != {time_text(PER_ATTRIBUTE - 1)}:
        return f"expected the 10 newest instances of each attribute, found {sizes}, newest {newest}", ""
    return None, "10 instances of each of the 2 attributes"


def check_between(document, status, headers) -> tuple[str | None, str]:
    first = PER_ATTRIBUTE // 2
    inside = {time_text(i) for i in range(first, first + WINDOW)}
    found = [i for instances in instances_of(document).values() for i in instances]
    outside = [i.get("observedAt") for i in found if i.get("observedAt") not in inside]
    expected = WINDOW * len(ATTRIBUTES)
    if outside:
        return f"instances outside the window: {outside[:3]}", ""
    if status == 200 and len(found) == expected:
        return None, f"{expected} instances"
    if status == 206 and "content-range" in headers and 0 < len(found) < expected:
        return None, (f"206 Partial Content: {len(found)} of the window's {expected} instances (the temporal page "
                      f"limit, docs/limits.md), Content-Range {headers['content-range']}")
    return f"HTTP {status} with {len(found)} of the window's {expected} instances", ""


def check_aggregation(document, status, _headers) -> tuple[str | None, str]:
    periods = {}
    for name in ATTRIBUTES:
        value = document.get(name) if isinstance(document, dict) else None
        value = value[0] if isinstance(value, list) and value else value
        periods[name] = {method: len((value or {}).get(method) or []) for method in ("avg", "max", "min")}
    wanted = {method: 24 for method in ("avg", "max", "min")}
    if status != 200 or any(found != wanted for found in periods.values()):
        return (f"HTTP {status} with {periods} hourly periods, expected 200 with 24 of each method: the day's "
                f"{DAY * len(ATTRIBUTES)} instances were not all aggregated"), ""
    return None, "24 hourly periods × avg, max, min × 2 attributes"


def check_query(document, status, _headers) -> tuple[str | None, str]:
    if status != 200 or not isinstance(document, list) or len(document) != 10:
        size = len(document) if isinstance(document, list) else "no list"
        return f"expected 200 with 10 entities, HTTP {status} with {size}", ""
    for entity in document:
        sizes = {name: len(instances) for name, instances in instances_of(entity).items()}
        if set(sizes.values()) != {1}:
            return f"expected the latest instance of each attribute, {entity.get('id')} has {sizes}", ""
    return None, "1 instance of each attribute per entity"


def measure(bench, row: str, mode: str, title: str, path: str, check, entities: int) -> None:
    """Checks one sample request, then measures the row with wrk; a wrong sample still gets its figures, but the
    row is marked failed with what was wrong."""
    try:
        status, headers, document, sample = get(bench, path)
        problem, shape = check(document, status, headers)
        if isinstance(document, list):
            sample["entities"] = len(document)
        arguments = {"mode": mode, "entities": entities, "instances": PER_ATTRIBUTE,
                     "start": int(START.timestamp()), "step": STEP, "window": WINDOW, "day": DAY}
        result = bench.wrk(row, f"http://127.0.0.1:{bench.machi_port}{API}/temporal/entities", "temporal.lua",
                           headers=[f"Link: {bench.link}", f"NGSILD-Tenant: {TENANT}"], server_pid=bench.machi.pid,
                           script_arguments=arguments, single_connection=True)
        note = "; ".join(filter(None, [shape, f"{sample['bytes']:,} bytes", result.get("note")]))
        result.update(title=title, unit="req/s", value=result["requests_per_s"], baseline="raw-get",
                      sample=sample, instances_in_store=entities * PER_ENTITY, note=note)
        if problem:
            result["status"] = "failed"
            result["note"] = f"{problem} (sample {sample['path']}); {note}"
        bench.record(row, result)
    except ScenarioFailure as error:
        bench.fail(row, title, error)


def run(bench) -> None:
    entities = bench.arguments.instances // PER_ENTITY
    total = entities * PER_ENTITY
    bench.machi_alive()
    load(bench, entities)
    verify(bench, entities)
    middle = entity_id(entities // 2)
    of = f"{total:,} instances"
    day = PER_ATTRIBUTE - DAY - PER_HOUR
    measure(bench, "temporal@lastN", "lastN", f"Temporal lastN=10 of one entity ({of})",
            f"{API}/temporal/entities/{middle}?lastN=10", check_last_n, entities)
    first = PER_ATTRIBUTE // 2
    measure(bench, "temporal@between", "between", f"Temporal timerel=between, a {WINDOW * 2}-instance window ({of})",
            f"{API}/temporal/entities/{middle}?timerel=between&timeAt={time_text(first)}"
            f"&endTimeAt={time_text(first + WINDOW)}", check_between, entities)
    measure(bench, "temporal@aggregation", "aggregation",
            f"Temporal aggregatedValues avg,max,min per hour over a day ({of})",
            f"{API}/temporal/entities/{middle}?options=aggregatedValues&aggrMethods=avg,max,min"
            f"&aggrPeriodDuration=PT1H&timerel=between&timeAt={time_text(day)}&endTimeAt={time_text(day + DAY)}",
            check_aggregation, entities)
    measure(bench, "temporal@query", "query",
            f"Temporal query type&timerel=after&lastN=1, 10 entities per page ({of})",
            f"{API}/temporal/entities?type={TYPE}&timerel=after&timeAt={time_text(PER_ATTRIBUTE - PER_HOUR)}"
            f"&lastN=1&limit=10&offset={entities // 2}", check_query, entities)
