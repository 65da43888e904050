#!/usr/bin/env python3
"""The notification receiver of the `subscription-notify` scenario: a small HTTP/1.1 server that timestamps every
notification it receives. Python standard library only.

It runs in its own process (not in bench.py's), so that the load driver's threads and this server do not share one
interpreter lock; bench.py measures its CPU to show that it is not the bottleneck.

    python3 receiver.py [--port N]      prints `RECEIVER_READY <port>` once it listens on 127.0.0.1

- `POST /notify/<key>`: a Notification (`{"id", "type": "Notification", "subscriptionId", "data": [...], ...}`).
  For every entity in `data`, records its arrival (time.monotonic(), comparable with bench.py's clock on the same
  machine: CLOCK_MONOTONIC) under `<key>`. An entity whose marker attribute (`height`, or `--marker-attribute`;
  keyValues or normalized) is a marker (>= MARKER_BASE) is recorded individually with its id; the others are only
  counted. Answers 204.
- `GET /records`: everything recorded since the last reset, as JSON (see `Recorder.snapshot`).
- `POST /reset`: forgets everything recorded.

It exits when its parent process goes away, so that it never outlives the benchmark.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import time

MARKER_BASE = 1_000_000


class Recorder:
    def __init__(self, marker_attribute: str = "height") -> None:
        self.marker_attribute = marker_attribute
        self.reset()

    def reset(self) -> None:
        self.markers: list[list] = []  # [arrival, key, entity id, marker]
        self.bins: dict[int, int] = {}  # entities received per 10 ms: int(arrival * 100) -> count
        self.per_key: dict[str, int] = {}
        self.requests = 0
        self.entities = 0
        self.malformed: list[str] = []
        self.subscriptions: set[str] = set()
        self.reasons: dict[str, int] = {}

    def notification(self, key: str, body: bytes, arrival: float) -> None:
        self.requests += 1
        try:
            document = json.loads(body)
            data = document["data"]
            if document.get("type") != "Notification" or not isinstance(data, list):
                raise ValueError("not a Notification with a data array")
        except (ValueError, KeyError, TypeError) as error:
            if len(self.malformed) < 20:
                self.malformed.append(f"{key}: {error}: {body[:200]!r}")
            return
        self.subscriptions.add(str(document.get("subscriptionId")))
        reason = str(document.get("triggerReason"))
        self.reasons[reason] = self.reasons.get(reason, 0) + 1
        count = len(data)
        self.entities += count
        self.per_key[key] = self.per_key.get(key, 0) + count
        slot = int(arrival * 100)
        self.bins[slot] = self.bins.get(slot, 0) + count
        for entity in data:
            if not isinstance(entity, dict):
                continue
            height = entity.get(self.marker_attribute)
            if isinstance(height, dict):
                height = height.get("value")
            if isinstance(height, (int, float)) and height >= MARKER_BASE:
                self.markers.append([arrival, key, entity.get("id"), height])

    def snapshot(self) -> bytes:
        return json.dumps({
            "requests": self.requests, "entities": self.entities, "per_key": self.per_key,
            "subscriptions": len(self.subscriptions), "reasons": self.reasons, "malformed": self.malformed,
            "markers": self.markers, "bins": sorted(self.bins.items()), "now": time.monotonic(),
        }, separators=(",", ":")).encode()


class Connection(asyncio.Protocol):
    """HTTP/1.1 with keep-alive, Content-Length or chunked bodies: enough for AsyncHTTPClient and http.client."""

    def __init__(self, recorder: Recorder) -> None:
        self.recorder = recorder
        self.buffer = bytearray()
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport) -> None:
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        while self.transport is not None and not self.transport.is_closing():
            request = self.parse()
            if request is None:
                return
            self.handle(*request)

    def parse(self):
        end = self.buffer.find(b"\r\n\r\n")
        if end < 0:
            return None
        head = bytes(self.buffer[:end]).decode("latin-1").split("\r\n")
        method, target, _ = (head[0].split(" ", 2) + ["", ""])[:3]
        headers = {}
        for line in head[1:]:
            name, _, value = line.partition(":")
            headers[name.strip().lower()] = value.strip()
        start = end + 4
        if "chunked" in headers.get("transfer-encoding", "").lower():
            body = bytearray()
            position = start
            while True:
                line_end = self.buffer.find(b"\r\n", position)
                if line_end < 0:
                    return None
                size = int(bytes(self.buffer[position:line_end]).split(b";")[0], 16)
                chunk_start = line_end + 2
                if size == 0:
                    trailer_end = self.buffer.find(b"\r\n\r\n", line_end)
                    if trailer_end < 0:
                        return None
                    del self.buffer[:trailer_end + 4]
                    break
                if len(self.buffer) < chunk_start + size + 2:
                    return None
                body += self.buffer[chunk_start:chunk_start + size]
                position = chunk_start + size + 2
        else:
            length = int(headers.get("content-length", "0") or 0)
            if len(self.buffer) < start + length:
                return None
            body = bytes(self.buffer[start:start + length])
            del self.buffer[:start + length]
        return method, target, headers, bytes(body)

    def handle(self, method: str, target: str, headers: dict, body: bytes) -> None:
        arrival = time.monotonic()
        status, payload = "204 No Content", b""
        if method == "POST" and target.startswith("/notify/"):
            self.recorder.notification(target[len("/notify/"):], body, arrival)
        elif method == "GET" and target == "/records":
            status, payload = "200 OK", self.recorder.snapshot()
        elif method == "POST" and target == "/reset":
            self.recorder.reset()
        elif method == "GET" and target == "/health":
            status = "200 OK"
        else:
            status = "404 Not Found"
        close = headers.get("connection", "").lower() == "close"
        response = (f"HTTP/1.1 {status}\r\nContent-Length: {len(payload)}\r\n"
                    + ("Content-Type: application/json\r\n" if payload else "")
                    + ("Connection: close\r\n" if close else "") + "\r\n").encode() + payload
        self.transport.write(response)
        if close:
            self.transport.close()


async def serve(port: int, marker_attribute: str) -> None:
    recorder = Recorder(marker_attribute)
    loop = asyncio.get_running_loop()
    server = await loop.create_server(lambda: Connection(recorder), "127.0.0.1", port, backlog=1024)
    bound = server.sockets[0].getsockname()[1]
    print(f"RECEIVER_READY {bound}", flush=True)
    parent = os.getppid()
    async with server:
        while os.getppid() == parent:
            await asyncio.sleep(1)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--marker-attribute", default="height")
    arguments = parser.parse_args()
    try:
        asyncio.run(serve(arguments.port, arguments.marker_attribute))
    except KeyboardInterrupt:
        pass
    return 0


if __name__ == "__main__":
    sys.exit(main())
