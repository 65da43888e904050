"""Turns the run document of scripts/bench into docs/benchmarks.md, a terminal summary and the target verdicts."""

from __future__ import annotations

BASELINE_NAMES = {
    "raw-get": "raw GET",
    "raw-post": "raw POST",
    "sqlite-batch": "raw SQLite batched insert",
    "sqlite-row": "raw SQLite batched row insert",
    "get-anonymous": "the same GETs without a token",
    "consent-query-staff": "the same query by staff, unfiltered",
}

PUBLISHED = [
    ("Orion (NGSIv2, C++ + MongoDB)", "640–785 entity creations/s; ~2,200 queries/s (one entity per query, "
     "_id indexes), 10k–1M entities",
     "2 vCPU, 4 GB VMware VM (Orion and MongoDB together), JMeter from another VM; Orion 0.14.0",
     "https://github.com/telefonicaid/fiware-orion/blob/master/doc/manuals/admin/extra/indexes_analysis.md"),
    ("Stellio (NGSI-LD, Kotlin + PostgreSQL/TimescaleDB)", "131–241 entity creations/s (p95 70–297 ms); "
     "~30 type+q queries/s",
     "8 vCPU / 16 GB VPS, k6 from a separate 4 vCPU VPS; September 2024",
     "https://stellio.readthedocs.io/en/latest/admin/performance.html"),
]


def by_name(document: dict) -> dict:
    return {scenario["name"]: scenario for scenario in document["scenarios"]}


def ok(document: dict, name: str) -> dict | None:
    scenario = by_name(document).get(name)
    return scenario if scenario and scenario.get("status") == "ok" else None


def targets(document: dict) -> list[dict]:
    """Every target of the broker issue with its measured figure and an honest verdict."""
    entities = document["run"]["entities"]
    rows = []

    def add(target: str, scenario: dict | None, measured: float | None, text: str, met: bool | None,
            why_unmeasured: str = "") -> None:
        if scenario is None or measured is None:
            rows.append({"target": target, "measured": None, "text": why_unmeasured or "not measured in this run",
                         "verdict": "not measured"})
        else:
            rows.append({"target": target, "measured": measured, "text": text,
                         "verdict": "met" if met else "not met"})

    def rate(name: str, target: str, threshold: float, unit: str) -> None:
        s = ok(document, name)
        value = s["value"] if s else None
        add(target, s, value, f"{value:,.0f} {unit}" if value is not None else "",
            value is not None and value >= threshold)

    def ratio(name: str, target: str, threshold: float) -> None:
        s = ok(document, name)
        value = s.get("ratio") if s else None
        baseline = BASELINE_NAMES.get(s.get("baseline", ""), "") if s else ""
        text = (f"{value:.0%} ({s['value']:,.0f} vs. {s['baseline_value']:,.0f} {baseline})"
                if value is not None else "")
        add(target, s if value is not None else None, value, text, value is not None and value >= threshold,
            "" if s else "not measured in this run")

    def p95(name: str, target: str, threshold_ms: float) -> None:
        s = ok(document, name)
        if entities < 100_000:
            add(target, None, None, "", None, f"not measured at 100k (this run loaded {entities:,} entities)")
            return
        solo = (s or {}).get("single_connection")
        value = solo["latency_ms"]["p95"] if solo else None
        text = (f"p95 {value:.1f} ms for one client alone; {s['latency_ms']['p95']:,.0f} ms at "
                f"{s['connections']} connections ({s['value']:,.0f} req/s, queueing included)") if solo else ""
        add(target, s if solo else None, value, text, value is not None and value < threshold_ms)

    rate("create", "Single create ≥ 5,000/s", 5000, "creates/s")
    rate("batch-upsert", "Batch upsert ≥ 50,000 entities/s", 50_000, "entities/s")
    rate("get", "GET by id ≥ 15,000/s", 15_000, "req/s")
    p95(f"query@{entities // 1000}k", "Query type+q over 100k entities: p95 < 20 ms", 20)
    p95("geo-near", "Geo near over 100k entities: p95 < 20 ms", 20)
    startup = ok(document, "startup")
    if entities < 100_000 or not startup:
        add("Start-up with 100k entities < 1 s", None, None, "", None,
            f"not measured at 100k (this run loaded {entities:,} entities)" if entities < 100_000 else "")
    else:
        slowest = max(startup["value"], startup["first_read_ms"])
        add("Start-up with 100k entities < 1 s", startup, slowest,
            f"/health after {startup['value']:,.0f} ms, first GET by id after {startup['first_read_ms']:,.0f} ms",
            slowest < 1000)
    notify = ok(document, "subscription-notify")
    p99 = notify["latency_ms"].get("p99") if notify else None
    add("Notification p99 < 20 ms, 1,000 subscriptions", notify, p99,
        f"p99 {ms(p99)} ms (p50 {ms(notify['latency_ms'].get('p50'))} ms) at {notify['updates_per_s']:,.0f} "
        "updates/s" if notify else "", p99 is not None and p99 < 20)
    flood = ok(document, "subscription-notify@throughput")
    add("Sustained 5,000 notifications/s to a receiver", flood, flood["value"] if flood else None,
        f"{flood['value']:,.0f} notifications/s delivered while {flood['due_per_s']:,.0f}/s were due "
        f"({flood['updates_per_s']:,.0f} updates/s × {flood['matching_subscriptions']} subscriptions)"
        + ("" if flood["drained"] else "; the backlog did not drain") if flood else "",
        flood is not None and flood["value"] >= 5000 and flood["drained"])
    temporal_targets(document, add)
    iot_targets(document, add)
    identity_targets(document, add)
    ratio("create", "Single create ≥ 50 % of raw POST", 0.5)
    ratio("get", "GET by id ≥ 50 % of raw GET", 0.5)
    ratio("batch-upsert", "Batch upsert ≥ 50 % of raw SQLite batched insert", 0.5)
    return rows


def temporal_targets(document: dict, add) -> None:
    """The temporal targets of the subscriptions issue: one attribute over 1,000,000 instances (lastN, between, an
    avg aggregation by hour) p95 < 50 ms; storage < 200 bytes per numeric instance."""
    load = ok(document, "temporal@load")
    instances = load["instances"] if load else 0
    for name, what in (("temporal@lastN", "lastN"), ("temporal@between", "between"),
                       ("temporal@aggregation", "avg/max/min by hour")):
        target = f"Temporal {what} over 1,000,000 instances: p95 < 50 ms"
        s = ok(document, name)
        solo = (s or {}).get("single_connection")
        if instances < 1_000_000 or not solo:
            add(target, None, None, "", None,
                f"not measured at 1M (this run loaded {instances:,} instances)" if instances < 1_000_000 else "")
            continue
        value = solo["latency_ms"]["p95"]
        add(target, s, value, f"p95 {value:.1f} ms for one client alone; {s['latency_ms']['p95']:,.0f} ms at "
            f"{s['connections']} connections ({s['value']:,.0f} req/s, queueing included)", value < 50)
    per = load.get("bytes_per_instance") if load else None
    add("Storage < 200 bytes per numeric instance", load if per is not None else None, per,
        f"{per:,.0f} bytes ({load['stored_bytes'] / 1e6:,.0f} MB for {instances:,} instances, indexes and WAL "
        "included)" if per is not None else "", per is not None and per < 200)


def iot_targets(document: dict, add) -> None:
    """The IoT issue's targets: ≥ 28,000 measures/s over HTTP and over MQTT, p99 measure → visible < 100 ms at that
    rate, RSS flat over a 10-minute run."""
    http = ok(document, "iot-http")
    value = http["value"] if http else None
    add("Sustained UL2.0 ingestion ≥ 28,000 measures/s over HTTP batches", http, value,
        f"{value:,.0f} measures/s ({http['measures_per_request']} per request, {http['connections']} connections)"
        if http else "", value is not None and value >= 28_000)
    mqtt = ok(document, "iot-mqtt@28k")
    value = mqtt["value"] if mqtt else None
    add("Sustained UL2.0 ingestion ≥ 28,000 measures/s over MQTT", mqtt, value,
        f"{value:,.0f} of {mqtt['offered_per_s']:,.0f} measures/s offered ingested, "
        + ("sustained" if mqtt["sustained"] else "not sustained (the backlog grew)") if mqtt else "",
        mqtt is not None and mqtt["sustained"] and value >= 0.98 * 28_000)
    p99 = (mqtt.get("latency_ms") or {}).get("p99") if mqtt else None
    text = ""
    if p99 is not None:
        text = (f"p99 {ms(p99)} ms (p50 {ms(mqtt['latency_ms'].get('p50'))} ms) over MQTT at "
                f"{mqtt['offered_per_s']:,.0f} measures/s offered, notification hop included")
        visible = (http or {}).get("visible_latency_ms") or {}
        if visible.get("p99") is not None:
            text += f"; over HTTP at wrk's full load ({http['value']:,.0f} measures/s): p99 {ms(visible['p99'])} ms"
    add("p99 measure → entity visible < 100 ms at 28,000 measures/s", mqtt if p99 is not None else None, p99, text,
        p99 is not None and p99 < 100 and mqtt["sustained"])
    soak = next((s for s in document["scenarios"] if s["name"].startswith("iot-mqtt@") and s.get("rss_window")
                 and s["status"] == "ok"), None)
    target = "RSS stays flat over a 10-minute run (end within 10 % of start)"
    if not soak:
        add(target, None, None, "", None)
        return
    window = soak["rss_window"]
    growth = (window["end_kb"] - window["start_kb"]) / window["start_kb"]
    text = (f"{window['seconds']:,.0f} s at {soak['value']:,.0f} measures/s ({soak['name']}), sampled every second: "
            f"start {mib(window['start_kb'])}, end {mib(window['end_kb'])}, max {mib(window['max_kb'])} MiB "
            f"({growth:+.0%})")
    if window["seconds"] < 590:
        add(target, None, None, "", None, f"not measured over 10 minutes (`--iot-soak 600`); this run: {text}")
    else:
        add(target, soak, growth, text, growth <= 0.10)


def identity_targets(document: dict, add) -> None:
    """The identity issue's targets, each a pair measured in the same run: token verification adds < 10 % to GET by
    id; consent filtering adds < 20 % to a query over 100k entities, 10 % personal; audit appends keep ≥ 80 % of
    single-create throughput. "Adds x %" is read as time per request: throughput ≥ 1 / (1 + x) of the baseline."""
    entities = document["run"]["entities"]

    def pair(name: str, baseline_name: str, target: str, threshold: float, what: str) -> None:
        s, baseline = ok(document, name), ok(document, baseline_name)
        if not s or not baseline:
            add(target, None, None, "", None)
            return
        value = s["value"] / baseline["value"]
        add(target, s, value, f"{value:.0%}: {s['value']:,.0f} vs. {baseline['value']:,.0f} {s['unit']} {what}",
            value >= threshold)

    pair("get-token", "get-anonymous", "Token verification adds < 10 % to GET by id", 1 / 1.1,
         "(bearer token vs. anonymous public read, same server)")
    target = "Consent filtering adds < 20 % to a query over 100k entities, 10 % personal"
    if entities < 100_000:
        add(target, None, None, "", None, f"not measured at 100k (this run loaded {entities:,} entities)")
    else:
        pair("consent-query", "consent-query-staff", target, 1 / 1.2,
             "(application with consents vs. staff, nothing filtered)")
    pair("create", "create-audit-off", "Audit appends keep ≥ 80 % of single-create throughput", 0.8,
         "(audit trail on vs. off)")


def ms(value: float | None) -> str:
    if value is None:
        return "–"
    if value < 1:
        return f"{value:.2f}"
    if value < 100:
        return f"{value:.1f}"
    return f"{value:,.0f}"


def mib(kb: int | None) -> str:
    return "–" if kb is None else f"{kb / 1024:,.0f}"


def result_text(s: dict) -> str:
    if s.get("result_text"):
        return s["result_text"]
    if s["unit"] == "ms":
        return f"{s['value']:,.0f} ms (first GET by id: {s['first_read_ms']:,.0f} ms)"
    if s["unit"] == "entities/s" and s.get("requests_per_s") is not None:
        return f"{s['value']:,.0f} entities/s ({s['requests_per_s']:,.1f} req/s)"
    return f"{s['value']:,.0f} {s['unit']}"


def ratio_text(s: dict) -> str:
    if s.get("ratio") is None:
        return "–"
    return f"{s['ratio']:.0%} of {BASELINE_NAMES.get(s['baseline'], s['baseline'])}"


def notes_text(s: dict) -> str:
    parts = []
    sample = s.get("sample")
    if sample:
        found = f"{sample['entities']} entities/page" if "entities" in sample else ""
        if "count" in sample:
            found += f", {sample['count']:,} match"
        parts.append(found)
    if s["name"] == "startup":
        parts.append(f"{s['data_bytes'] / 1e6:,.0f} MB of data files; median of {len(s['runs'])}")
    if s["name"] == "raw-sqlite":
        sqlite = s["sqlite"]
        tables = sqlite.get("index_rows", {})
        by_table = f" ({', '.join(f'{table} {n}' for table, n in tables.items() if n)})" if tables else ""
        parts.append(f"{sqlite['index_rows_per_entity']} index rows{by_table} and a {sqlite['document_bytes']}-byte "
                     "document per entity")
        if "counter_rows_per_transaction" in sqlite:
            parts.append(f"{sqlite['counter_rows_per_transaction']} type counter rows per transaction")
    solo = s.get("single_connection")
    if solo:
        latency = solo["latency_ms"]
        parts.append(f"one client alone: p50 {ms(latency['p50'])} / p95 {ms(latency['p95'])} / p99 "
                     f"{ms(latency['p99'])} ms, {solo['requests_per_s']:,.0f} req/s")
    if s.get("note"):
        parts.append(s["note"])
    if s.get("connections") and s["name"] not in ("startup", "raw-sqlite"):
        parts.append(f"{s['connections']} conn.")
    return "; ".join(p for p in parts if p)


def cpu_text(s: dict) -> str:
    cpu = s.get("cpu")
    if not cpu:
        return "–"
    return f"{cpu['server_cores']:.2f} / {cpu['generator_cores']:.2f} / {cpu['other_cores']:.2f}"


def generator_check(document: dict) -> str:
    raw_get = ok(document, "raw-get")
    if not raw_get:
        return "The raw GET baseline did not run, so the load generator's ceiling is unknown in this run."
    http = [s for s in document["scenarios"] if s.get("status") == "ok" and s.get("unit") == "req/s"
            and s["name"] not in ("raw-get", "raw-post")]
    if not http:
        return ""
    fastest = max(http, key=lambda s: s["value"])
    share = fastest["value"] / raw_get["value"]
    wrk = raw_get["cpu"]["generator_cores"]
    text = (f"The same wrk set-up drove the raw GET baseline at {raw_get['value']:,.0f} req/s using "
            f"{wrk:.2f} cores. Machi's fastest HTTP scenario ({fastest['name']}, {fastest['value']:,.0f} req/s) "
            f"is {share:.0%} of that, with wrk at {fastest['cpu']['generator_cores']:.2f} cores and Machi at "
            f"{fastest['cpu']['server_cores']:.2f} cores. ")
    other = max(s["cpu"]["other_cores"] for s in http + [raw_get])
    if share < 0.8:
        text += ("So wrk is not what limits Machi's figures: it can send far more than Machi answers, and it uses "
                 "a small share of the cores (shown per row), the price of a load generator on the same machine.")
    else:
        text += ("This is close to the generator's own ceiling, so this figure may be limited by wrk sharing the "
                 "cores, not by Machi.")
    if other > 0.2:
        text += (f" Other processes on the machine took up to {other:.2f} cores during some scenarios (the *other* "
                 "column): those figures are lower than this machine gives when idle, baselines included.")
    return text


def markdown(document: dict) -> str:
    run, machine = document["run"], document["machine"]
    lines = [
        "# Benchmarks",
        "",
        "<!-- Generated by scripts/bench (scripts/bench.d/report.py). Do not edit by hand: run it again. -->",
        "",
        "Machi measured against this machine's own ceiling, in one run. Every ratio divides a Machi figure by a "
        "baseline measured in the same run, on the same machine, with the same load generator: a trivial "
        "Hummingbird 2 server for HTTP, plain GRDB for SQLite (see [How it is measured](#how-it-is-measured)).",
        "",
        f"- **Command:** `{run['command']}` ({run['mode']} run, {run['entities']:,} entities, "
        f"{run['duration_s']:g} s per scenario after {run['warmup_s']:g} s of warm-up; took {run['elapsed_s']:,.0f} s)",
        f"- **Date:** {run['date']}",
        f"- **Commit:** `{machine['git_commit']}`"
        + (" with uncommitted changes in Sources/ or Package.swift" if machine["git_dirty"] else ""),
        f"- **Machine:** {machine['cores']} cores, {machine['cpu_model']}, "
        f"{machine['memory_bytes'] / 2**30:,.0f} GiB memory; {machine['os']}, Linux {machine['kernel']}; "
        f"data on {machine['filesystem']}",
        f"- **Tools:** {machine['swift']}; {machine['wrk']}; Python {machine['python']}",
        f"- **Load average** (1/5/15 min) at start {' / '.join(f'{v:.2f}' for v in run['load_average_at_start'])}, "
        f"at end {' / '.join(f'{v:.2f}' for v in run['load_average_at_end'])}"
        + (" — the machine was not idle; the *other* CPU column shows how much went elsewhere."
           if run["load_average_at_start"][0] >= 1.0 else ""),
        "",
        "## Results",
        "",
        "| Scenario | Result | p50 ms | p95 ms | p99 ms | vs. baseline | CPU cores: Machi / generator / other "
        "| RSS / peak MiB | Notes |",
        "| --- | --- | ---: | ---: | ---: | --- | --- | --- | --- |",
    ]
    for s in document["scenarios"]:
        if s["status"] == "skipped":
            continue
        if s["status"] == "failed" and "value" not in s:
            lines.append(f"| {s['title']} (`{s['name']}`) | **failed** | | | | | | | {escape(s.get('note', ''))} |")
            continue
        latency = s.get("latency_ms") or {}
        status = "" if s["status"] == "ok" else " **(failed)**"
        lines.append(
            f"| {s['title']} (`{s['name']}`) | {result_text(s)}{status} | {ms(latency.get('p50'))} "
            f"| {ms(latency.get('p95'))} | {ms(latency.get('p99'))} | {ratio_text(s)} | {cpu_text(s)} "
            f"| {mib(s.get('rss_kb'))} / {mib(s.get('hwm_kb'))} | {escape(notes_text(s))} |"
        )
    skipped = [s for s in document["scenarios"] if s["status"] == "skipped"]
    if skipped:
        lines += ["", "Skipped, because the feature does not exist yet:", ""]
        lines += [f"- {s['title']} (`{s['name']}`): {s['note']}." for s in skipped]

    lines += ["", "## Targets", "", "From the broker issue; a target is met only if this run measured it.", "",
              "| Target | Measured | Verdict |", "| --- | --- | --- |"]
    for row in document.get("targets", []):
        verdict = {"met": "**met**", "not met": "**not met**"}.get(row["verdict"], row["verdict"])
        lines.append(f"| {row['target']} | {row['text']} | {verdict} |")

    sqlite = document.get("sqlite")
    lines += ["", "## Baselines", ""]
    raw_get, raw_post = ok(document, "raw-get"), ok(document, "raw-post")
    if raw_get:
        lines.append(f"- **Raw GET:** {raw_get['value']:,.0f} req/s (p99 {ms(raw_get['latency_ms']['p99'])} ms): "
                     "`GET /raw` answering a fixed 300-byte JSON document.")
    if raw_post:
        lines.append(f"- **Raw POST:** {raw_post['value']:,.0f} req/s (p99 {ms(raw_post['latency_ms']['p99'])} ms): "
                     "`POST /raw` with a 500-byte JSON entity, decoded with `JSONSerialization`, answered 201 "
                     "with a Location.")
    if sqlite:
        pragmas = ", ".join(f"`{p.replace(' ', '')}`" for p in sqlite.get("pragmas", ["synchronous = FULL"]))
        lines += [
            f"- **Raw SQLite** ({sqlite['rows']:,} entities, Machi's schema copied from its database, "
            f"{pragmas}, WAL, one `DatabasePool` as Machi opens it):",
            f"  - batched insert, {sqlite['batch_size']:,} entities per transaction, every index row Machi "
            f"writes (names and types interned), type counters once per transaction: "
            f"**{sqlite['batch_full']['per_s']:,.0f} entities/s** (the batch-upsert baseline)",
            f"  - batched insert of the entity row alone: {sqlite['batch_entity_only']['per_s']:,.0f} entities/s",
            f"  - one transaction per entity (an fsync each): {sqlite['single_transaction']['per_s']:,.0f} "
            "entities/s",
            f"  - point reads by id, one pool read each: {sqlite['point_read_1_thread']['per_s']:,.0f}/s on 1 thread, "
            f"{sqlite['point_read_2_threads']['per_s']:,.0f}/s on 2",
        ]
    check = generator_check(document)
    if check:
        lines += ["", "## Is the load generator the bottleneck?", "", check]

    lines += ["", "## Published figures of other brokers", "",
              "**Other hardware, other set-ups, other years: context only, not comparable with the table above.** "
              "They are what these projects published about themselves.", "",
              "| Broker | Published figure | Their hardware | Source |", "| --- | --- | --- | --- |"]
    lines += [f"| {name} | {figure} | {hardware} | <{source}> |" for name, figure, hardware, source in PUBLISHED]

    lines += ["", "## How it is measured", "",
              "- `scripts/bench` builds Machi and the baselines (`machi-baseline`, [baselines.md](baselines.md)) in "
              "release mode with the same Swift settings (`--scratch-path .build-bench`), installs wrk (Debian) "
              "if missing, starts Machi on a fresh temporary SQLite store, and stops everything it started on exit.",
              f"- Load generator: wrk on loopback, {run['wrk_threads']} thread, {run['connections']} connections "
              f"({run['batch_connections']} for batches), Lua scripts in `scripts/bench.d/lua/` that build every "
              "request body (unique ids per request for creates) and report the percentiles from `done()`. "
              "Latency is per request, from sending to the full response.",
              f"- Data: {run['entities']:,} Smart Data Models-style entities in Shiojiri (lon 137.90–137.99, "
              "lat 36.05–36.15): four in five `WaterObserved` (`height`, `flow`, `temperature` with unitCode and "
              "observedAt, `refDevice`, `location`), one in five `WeatherObserved`, ids "
              "`urn:ngsi-ld:WaterObserved:shiojiri:<n>`; every request carries a `Link` to a @context hosted by "
              "Machi itself. Loaded through `POST /entityOperations/upsert`, 1,000 per request (the *load* row); "
              "the query at 10k runs when the first 10,000 are in.",
              "- Single creates and new-entity batch upserts go to their own tenants (`bench-create`, "
              "`bench-batch`), so the queried data set stays at its size; batch upsert of existing entities "
              "replaces random blocks of 1,000 of the loaded set; PATCH sets a new `height` on a random gauge.",
              "- Queries: `q=height>X` with X random in 3.5–5 m (0–30 % of the gauges match), near: within 1 km of "
              "a random point, within: a random 1 km × 1 km square, deep pages: `limit=100` at a random offset in "
              "the second half of the gauges with `count=true`; all return the first page only (default limit 20 "
              "unless stated). The *Notes* column shows one sample request of each.",
              "- Batch upserts against raw SQLite: the baseline inserts as many entities as the load, from an empty "
              "database, so the *load* row is the like-for-like ratio; *batch upsert of new entities* writes into a "
              "fresh, smaller tenant (its indexes are smaller, which flatters it a little), *of existing entities* "
              "replaces entities of the loaded set.",
              "- Latency: under load, wrk keeps every connection busy, so the loaded p95 includes queueing "
              "(connections in flight ÷ throughput). For GET by id, queries and geo-queries, a second run with one "
              "connection (`wrk -c 1`, right after the loaded run) gives the latency one client alone sees; the "
              "p95 targets are judged on that one, and both are shown.",
              "- CPU: Machi's from `/proc/PID/stat`, the generator's from the rusage of wrk (or of the loader), "
              "*other* is what the rest of the machine used meanwhile, including the time the hypervisor took the "
              "virtual cores away (`steal` in /proc/stat, given in the IoT rows' notes); in cores (2.00 = both cores "
              "busy). RSS and peak are VmRSS and VmHWM of the Machi process after the scenario.",
              "- Start-up: Machi is stopped (SIGTERM) and started again on the same data directory; the time is "
              "from `exec` until `/health` answers, and until a first `GET /entities/{id}` (which opens the "
              "tenant's database) answers.",
              "- Subscription notifications: a receiver on loopback (`scripts/bench.d/receiver.py`, its own "
              "Python process, its CPU shown in the notes) timestamps every entity of every notification; 999 "
              "subscriptions watch `height` of other types (one type each, so they match nothing) and one watches "
              "one gauge. *Latency*: one client PATCHes that gauge's `height` at a fixed rate with unique values; "
              "the latency is from sending the PATCH to the notification's arrival (the PATCH, its commit with the "
              "outbox entry, the notifier, the HTTP delivery), and a value that never arrives is lost. "
              "*Throughput*: 20 more subscriptions, each with its own endpoint, watch every WaterObserved; wrk "
              "PATCHes random gauges (as the *patch* row) and the figure is the entities (not requests: a "
              "notification may carry several queued changes) that arrived during the run; the p50–p99 columns of "
              "that row are the latency of a slow marker update under this load. More notifications are due than the "
              "target asks for, so the row shows what the notifier delivers. Afterwards the backlog must drain "
              "and every subscription must have received the same number of changes.",
              f"- Temporal (the `temporal@…` rows): {run.get('instances', 1_000_000):,} attribute instances in a "
              "tenant of their own (`bench-temporal`), 1,000 per `WeatherObserved` entity: `temperature` and "
              "`relativeHumidity` every 6 minutes from 2026-01-01T00:00Z (500 of each, 50 hours). Loaded through "
              "`POST /temporal/entities` (Create or Update Temporal Representation), 500 instances per request, 4 "
              "clients: each entity's first request answers 201, its second 204; a temporal query with `count=true` "
              "then checks the entity count. wrk asks a random entity for `lastN=10`; for `timerel=between` over 100 "
              "instances (50 of each attribute; Machi answers 206 with its first 30, its temporal page limit); for "
              "`aggregatedValues` avg, max and min per hour (`PT1H`) over a day starting on the hour; and across "
              "entities for `type=WeatherObserved&timerel=after&lastN=1&limit=10` (the last hour) at a random "
              "offset. One sample of each is checked first (status and shape: 10 instances of each attribute, the "
              "window's instances, 24 periods per method, 10 entities); a wrong answer marks the row failed.",
              "- IoT ingestion (the `iot-…` rows; [iot.md](iot.md)): in a tenant of its own (`Fiware-Service: "
              "benchiot`), provisioned through the public API: a service group (apikey `benchiot-ul`, entity type "
              "`BridgeSensor`) and 48 devices `bridge-01`..`bridge-48` mapping `v` to `strain` (Number, unitCode "
              "`MC`), plus a probe device. For iot-mqtt the run starts its own Mosquitto (free port, temporary "
              "config, no persistence) and restarts Machi with `IOT_MQTT_URL`; afterwards Machi runs again without "
              "it and the tenant's files are deleted. *HTTP*: wrk POSTs 50 timestamped measure groups "
              "(`<ISO time>|v|<value>`, `#`-separated, text/plain) per request to `/iot/d?k=…&i=bridge-NN`, a "
              "random device each time; measures/s = requests/s × 50, cross-checked with the "
              "`machi_iot_measures_total` delta; its p50–p99 columns are request latency. *MQTT*: two publisher "
              "processes (`scripts/bench.d/mqttpub.py`, MQTT 3.1.1 written by hand, QoS 0) send messages of 10 "
              "timestamped groups to `/ul/benchiot-ul/bridge-NN/attrs` at a fixed offered rate, step after step "
              "(10k, 28k, 50k measures/s, then as fast as they can send: Mosquitto then drops what Machi cannot "
              "take, QoS 0); after the warm-up, ingested = the `machi_iot_measures_total` delta over the window "
              "(sampled every second), offered = what the publishers sent in that window (they report their "
              "progress). A step is *sustained* when ingested ≥ 98 % of offered and the backlog (sent, not yet "
              "counted) did not grow by more than 2 % of the window's measures. The publishers' own send rate and "
              "CPU, Mosquitto's CPU and Machi's busiest thread are in the notes; the *generator* CPU column is the "
              "publishers'. *Measure → visible*: a subscription on the probe device's entity notifies a local "
              "receiver (`receiver.py`); during each run the probe sends one measure every 50 ms over the same "
              "transport (its send time as timestamp, a unique value), and the latency is from sending it to its "
              "arrival in a notification, so it includes the notification hop (commit, matching, HTTP delivery); "
              "the MQTT rows' p50–p99 columns are this latency. The rejected-payload counter must not move. The "
              "last step samples Machi's RSS every second (start / end / max in its notes; `--iot-soak` sets its "
              "length). The ratio divides measures/s by the raw SQLite batched insert of the entity row alone "
              "(one row and its document per item, 1,000 per transaction): every measure is at least one such "
              "row (its temporal instance), so that is the ceiling of the store under it.",
              "- Access control (the `get-anonymous`, `get-token`, `consent-query…` rows; [identity.md](identity.md), "
              "[consent.md](consent.md)): Machi restarts with `--auth required` and `AUTH_PUBLIC_READ=default` on "
              "the same data; `machi client add` / `machi user add` register two applications (role developer), a "
              "staff member (admin) and ten residents, and `machi token` issues their ES256 tokens. *get-token*: "
              "the GET-by-id requests of `get` with an application's bearer token, against the same requests made "
              "anonymously right before (public read: no token to verify). *consent-query*: a tenant of its own "
              "(`bench-consent`) is loaded with the run's entity count, every tenth entity owned (`dataOwner`) by one "
              "of the residents; five of them grant the application a consent through the consent API; the query "
              "of `query` runs with the staff token (`consent-query-staff`: sees everything, nothing filtered) and "
              "then with the application's token and `Machi-Purpose` (filtered by consent). Both readers verify a "
              "token and record their personal-data reads in the audit trail. Afterwards the tenant is deleted and "
              "Machi runs in open mode again.",
              "- Durability is Machi's default: `synchronous=FULL`, every acknowledged write is on disk.",
              "- `scripts/bench --quick` (10,000 entities, 50,000 temporal instances, 3 s per scenario) is the CI "
              "smoke run: it checks that the benchmark works and writes to `.build-bench/bench-results/`, not here.",
              ""]
    return "\n".join(lines)


def escape(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def summary_table(document: dict) -> str:
    rows = [("scenario", "result", "p50 ms", "p95 ms", "p99 ms", "vs. baseline")]
    for s in document["scenarios"]:
        if s["status"] == "skipped":
            rows.append((s["name"], "skipped: " + s["note"], "", "", "", ""))
            continue
        if "value" not in s:
            rows.append((s["name"], "FAILED: " + s.get("note", "")[:80], "", "", "", ""))
            continue
        latency = s.get("latency_ms") or {}
        rows.append((s["name"], result_text(s) + ("" if s["status"] == "ok" else " (FAILED)"),
                     ms(latency.get("p50")), ms(latency.get("p95")), ms(latency.get("p99")), ratio_text(s)))
    rows.append(("", "", "", "", "", ""))
    for row in document.get("targets", []):
        rows.append(("target", row["target"], "", "", "", f"{row['verdict']}: {row['text']}"))
    widths = [max(len(row[i]) for row in rows if row[0] != "target" or i != 1) for i in range(6)]
    widths[1] = min(widths[1], 60)
    out = []
    for row in rows:
        if row[0] == "target":
            out.append(f"{row[1]:<50} {row[5]}")
        else:
            out.append("  ".join(cell.ljust(widths[i]) if i < 2 else cell.rjust(widths[i])
                                 for i, cell in enumerate(row[:5])) + "  " + row[5])
    return "\n".join(out)


if __name__ == "__main__":
    # Renders benchmarks.md again from a benchmarks.json (after a change to this file), without a new run:
    #   python3 scripts/bench.d/report.py docs/benchmarks.json
    import json
    import os
    import sys

    path = sys.argv[1]
    with open(path) as file:
        run_document = json.load(file)
    run_document["targets"] = targets(run_document)
    with open(path, "w") as file:
        json.dump(run_document, file, indent=2)
        file.write("\n")
    with open(os.path.join(os.path.dirname(path), "benchmarks.md"), "w") as file:
        file.write(markdown(run_document))
