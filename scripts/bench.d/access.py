"""The `get-token` and `consent-query` scenarios of scripts/bench: what access control costs (docs/identity.md,
docs/consent.md). Each is compared with a baseline measured right before it, on the same server and data.

- Setup: Machi is stopped; `machi client add` and `machi user add` register, on the run's data directory, two
  applications with role developer (`bench-app` in the default tenant, `bench-consent-app` in `bench-consent`), a
  staff member (`bench-staff`, role admin in both tenants) and ten residents of `bench-consent`
  (`bench-resident-0`..`9`). Machi restarts with `--auth required` and
  `AUTH_PUBLIC_READ=default`; every token comes from `machi token` (ES256 JWTs, as `/oauth2/token` issues them).
  Afterwards the bench-consent tenant's files are deleted and Machi restarts in open mode, as the other scenarios
  expect.
- get-token: GET by id over the loaded data set (lua/get.lua) with the application's bearer token, against the
  same requests made anonymously (`get-anonymous`: open data read publicly, so no token to verify) on the same
  server. The difference is what verifying a token and building its principal costs.
- consent-query: a tenant of its own (`bench-consent`) is loaded with the run's entity count, every tenth entity
  owned (`dataOwner`) by one of the ten residents; five of them grant the application a consent for purpose
  `bench`, through the consent API. The query of the `query` scenario (lua/query.lua) runs with the staff member's
  token (`consent-query-staff`: role admin with personal:read sees everything, so nothing is filtered) and then with
  the application's token and `Machi-Purpose: bench` (filtered to non-personal entities and the consented owners').
  Both readers go through token verification and record their personal-data reads in the audit trail.
"""

from __future__ import annotations

import json
import random
import subprocess
import urllib.parse

import benchlib
from benchlib import API, BATCH, ScenarioFailure, entity_json, request, say

CLIENT = "bench-app"  # reads the default tenant
CONSENT_CLIENT = "bench-consent-app"  # asks for consents in, and reads, the bench-consent tenant
STAFF = "bench-staff"
RESIDENTS = 10
CONSENTING = 5  # residents 0..4 grant the consent
TENANT = "bench-consent"
PURPOSE = "bench"
OWNER_ATTRIBUTE = "dataOwner"

TITLE_GET_ANONYMOUS = "GET /entities/{id}, --auth required, anonymous public read (no token)"
TITLE_GET_TOKEN = "GET /entities/{id}, --auth required, bearer token (ES256 JWT) verified"
TITLE_STAFF = "Query type+q, 10 % personal, staff token (nothing filtered)"
TITLE_CONSENT = "Query type+q, 10 % personal, application token filtered by consent"


def run(bench, wants: set[str]) -> None:
    """Runs the selected access scenarios on a Machi restarted with authentication on; restarts it in open mode
    afterwards, whatever happened."""
    port_tokens = _register(bench)
    try:
        bench.start_machi({"AUTH_PUBLIC_READ": "default"}, auth="required")
        tokens = port_tokens(bench.machi_port)
        bench.host_context({"Authorization": f"Bearer {tokens['staff']}"})
        if "get-token" in wants:
            _guarded(bench, "get-token", TITLE_GET_TOKEN, lambda: _get_token(bench, tokens))
        if "consent-query" in wants:
            _guarded(bench, "consent-query", TITLE_CONSENT, lambda: _consent_query(bench, tokens))
    finally:
        bench.stop_machi()
        removed = bench.remove_tenant(TENANT)
        bench.start_machi()
        bench.host_context()
        say(f"access: removed the {TENANT} tenant ({removed / 1e6:,.0f} MB); machi restarted in open mode")


def _guarded(bench, name: str, title: str, step) -> None:
    try:
        step()
    except ScenarioFailure as error:
        bench.fail(name, title, error)


def _machi(bench, *arguments: str) -> str:
    """Runs a `machi` command on the run's data directory; returns its standard output."""
    command = [bench.arguments.machi, *arguments, "--data", bench.data_directory]
    result = subprocess.run(command, capture_output=True, text=True, timeout=120)
    if result.returncode != 0:
        raise ScenarioFailure(f"{' '.join(arguments[:2])} failed: {(result.stderr or result.stdout).strip()[:300]}")
    return result.stdout.strip()


def _register(bench):
    """Registers the client and the users with Machi stopped; returns a function that issues the tokens for the
    port the server then listens on (the port names the token issuer)."""
    bench.stop_machi()
    scopes = ["--scope", "ngsi-ld:read", "--scope", "ngsi-ld:write", "--scope", "personal:read"]
    _machi(bench, "client", "add", CLIENT, *scopes, "--role", "developer")
    _machi(bench, "client", "add", CONSENT_CLIENT, *scopes, "--tenant", TENANT, "--role", "developer")
    _machi(bench, "user", "add", STAFF, "--role", "admin", "--role", f"{TENANT}:admin", "--no-password")
    residents = [_machi(bench, "user", "add", f"bench-resident-{k}", "--role", f"{TENANT}:resident",
                        "--no-password") for k in range(RESIDENTS)]

    def tokens(port: int) -> dict:
        def token(client: str, *arguments: str) -> str:
            return _machi(bench, "token", "--client", client, "--port", str(port), *arguments).splitlines()[-1]

        return {
            "app": token(CLIENT, "--scope", "ngsi-ld:read"),
            "consent_app": token(CONSENT_CLIENT, "--scope", "ngsi-ld:read"),
            "staff": token(CLIENT, "--user", STAFF),
            "residents": [(owner, token(CONSENT_CLIENT, "--user", f"bench-resident-{k}"))
                          for k, owner in enumerate(residents)],
        }

    return tokens


def _get_token(bench, tokens: dict) -> None:
    bench.sample(f"{API}/entities/{benchlib.entity_id(bench.loaded // 2)}")  # public read answers 200
    arguments = {"entities": bench.loaded}
    link = f"Link: {bench.link}"
    url = f"http://127.0.0.1:{bench.machi_port}{API}/entities"
    anonymous = bench.wrk("get-anonymous", url, "get.lua", headers=[link], server_pid=bench.machi.pid,
                          script_arguments=arguments)
    anonymous.update(title=TITLE_GET_ANONYMOUS, unit="req/s", value=anonymous["requests_per_s"], baseline="raw-get",
                     entities_in_store=bench.loaded)
    bench.record("get-anonymous", anonymous)
    bench.baselines["get-anonymous"] = anonymous["value"]
    with_token = bench.wrk("get-token", url, "get.lua", headers=[link, f"Authorization: Bearer {tokens['app']}"],
                           server_pid=bench.machi.pid, script_arguments=arguments)
    with_token.update(title=TITLE_GET_TOKEN, unit="req/s", value=with_token["requests_per_s"],
                      baseline="get-anonymous", entities_in_store=bench.loaded)
    bench.record("get-token", with_token)


def _consent_query(bench, tokens: dict) -> None:
    owners = [owner for owner, _ in tokens["residents"]]
    staff_headers = {"Authorization": f"Bearer {tokens['staff']}", "NGSILD-Tenant": TENANT}
    personal = _load(bench, owners, staff_headers)
    for owner, resident_token in tokens["residents"][:CONSENTING]:
        _consent(bench, tokens["consent_app"], owner, resident_token)
    q = urllib.parse.quote("height>4.00")
    path = f"{API}/entities?type=WaterObserved&q={q}&count=true"
    staff_count = _count(bench, path, staff_headers)
    app_headers = {"Authorization": f"Bearer {tokens['consent_app']}", "NGSILD-Tenant": TENANT,
                   "Machi-Purpose": PURPOSE}
    app_count = _count(bench, path, app_headers)
    if not 0 < app_count < staff_count:
        raise ScenarioFailure(f"the consent filter did not narrow the query: staff sees {staff_count}, the "
                              f"application {app_count}")
    url = f"http://127.0.0.1:{bench.machi_port}{API}/entities"
    common = [f"Link: {bench.link}", f"NGSILD-Tenant: {TENANT}"]
    note = (f"{bench.arguments.entities:,} entities in tenant {TENANT}, {personal:,} of them personal (10 residents); "
            f"height>4.00 matches {staff_count:,} for staff and {app_count:,} for the application "
            f"({CONSENTING} consents)")
    staff = bench.wrk("consent-query-staff", url, "query.lua", headers=[*common, f"Authorization: Bearer "
                                                                        f"{tokens['staff']}"],
                      server_pid=bench.machi.pid, single_connection=True)
    staff.update(title=TITLE_STAFF, unit="req/s", value=staff["requests_per_s"], baseline="raw-get", note=note,
                 entities_in_store=bench.arguments.entities)
    bench.record("consent-query-staff", staff)
    bench.baselines["consent-query-staff"] = staff["value"]
    app = bench.wrk("consent-query", url, "query.lua",
                    headers=[*common, f"Authorization: Bearer {tokens['consent_app']}", f"Machi-Purpose: {PURPOSE}"],
                    server_pid=bench.machi.pid, single_connection=True)
    app.update(title=TITLE_CONSENT, unit="req/s", value=app["requests_per_s"], baseline="consent-query-staff",
               note=note, entities_in_store=bench.arguments.entities)
    bench.record("consent-query", app)


def _load(bench, owners: list[str], headers: dict) -> int:
    """Loads the tenant: the run's data set, every tenth entity owned by a resident. Returns how many are personal."""
    total = bench.arguments.entities
    bodies: list[tuple[int, bytes]] = []
    personal = 0
    for first in range(0, total, BATCH):
        rng = random.Random(first * 7 + 11)
        entities = []
        for n in range(first, min(first + BATCH, total)):
            entity = json.loads(entity_json(n, rng))
            if n % 10 == 3:
                entity[OWNER_ATTRIBUTE] = {"type": "Relationship", "object": owners[(n // 10) % len(owners)]}
                personal += 1
            entities.append(entity)
        bodies.append((len(entities), json.dumps(entities, separators=(",", ":")).encode()))
    bench.post_all(API + "/entityOperations/upsert", bodies,
                   headers | {"Content-Type": "application/json", "Link": bench.link}, "entities")
    return personal


def _consent(bench, app_token: str, owner: str, resident_token: str) -> None:
    body = json.dumps({"owner": owner, "purpose": PURPOSE, "entityTypes": ["WaterObserved", "WeatherObserved"]})
    status, headers, answer = request(bench.machi_port, "POST", "/api/v1/consent-requests", body.encode(), {
        "Authorization": f"Bearer {app_token}", "NGSILD-Tenant": TENANT, "Content-Type": "application/json"})
    if status != 201 or "location" not in headers:
        raise ScenarioFailure(f"the consent request answered HTTP {status}: {answer[:200]!r}")
    status, _, answer = request(bench.machi_port, "POST", headers["location"] + "/grant", b"", {
        "Authorization": f"Bearer {resident_token}", "NGSILD-Tenant": TENANT})
    if status not in (200, 204):
        raise ScenarioFailure(f"granting the consent answered HTTP {status}: {answer[:200]!r}")


def _count(bench, path: str, headers: dict) -> int:
    status, response_headers, body = request(bench.machi_port, "GET", path, headers=headers | {"Link": bench.link})
    if status != 200 or "ngsild-results-count" not in response_headers:
        raise ScenarioFailure(f"GET {urllib.parse.unquote(path)} answered HTTP {status}: {body[:200]!r}")
    return int(response_headers["ngsild-results-count"])

