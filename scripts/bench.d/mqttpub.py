#!/usr/bin/env python3
"""The MQTT side of the `iot-mqtt` scenario of scripts/bench: the few MQTT 3.1.1 packets it needs (CONNECT, CONNACK,
PUBLISH at QoS 0, DISCONNECT), written by hand over a socket (Python standard library only, no paho), and the load
publisher, which runs in its own process (several of them share the offered rate, so that one interpreter lock is not
the limit).

    python3 mqttpub.py --port N --apikey K --devices bridge-01,bridge-02 --rate 2500 --per-message 10 --seconds 8

publishes UltraLight 2.0 messages to `/ul/<apikey>/<device>/attrs`, the devices in turn, `--rate` messages per second
(0: as fast as the socket takes them), each carrying `--per-message` timestamped measure groups
(`2026-11-22T03:00:00.120Z|v|12.3#…`, 1 ms apart, ending at the send time). Every 0.25 s it prints
`PROGRESS <CLOCK_MONOTONIC seconds> <messages sent>`, at the end `PUBLISHER_RESULT {json}`. It exits when its parent
goes away, so that it never outlives the benchmark.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import sys
import time


def remaining_length(length: int) -> bytes:
    encoded = bytearray()
    while True:
        byte, length = length % 128, length // 128
        encoded.append(byte | (0x80 if length else 0))
        if not length:
            return bytes(encoded)


def text_field(text: bytes) -> bytes:
    return len(text).to_bytes(2, "big") + text


def publish_packet(topic_field: bytes, payload: bytes) -> bytes:
    """PUBLISH, QoS 0, no retain: `topic_field` is the topic with its 2-byte length already."""
    return b"\x30" + remaining_length(len(topic_field) + len(payload)) + topic_field + payload


class MQTTConnection:
    """One MQTT 3.1.1 client connection: clean session, QoS 0 publishes only."""

    def __init__(self, host: str, port: int, client_id: str, keepalive: int = 600, timeout: float = 10):
        self.socket = socket.create_connection((host, port), timeout=timeout)
        self.socket.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        variable = text_field(b"MQTT") + bytes([4, 0x02]) + keepalive.to_bytes(2, "big")
        body = variable + text_field(client_id.encode())
        self.socket.sendall(b"\x10" + remaining_length(len(body)) + body)
        answer = b""
        while len(answer) < 4:
            chunk = self.socket.recv(4 - len(answer))
            if not chunk:
                raise ConnectionError("the MQTT broker closed the connection before CONNACK")
            answer += chunk
        if answer[0] != 0x20 or answer[3] != 0:
            raise ConnectionError(f"the MQTT broker refused the connection: CONNACK {answer.hex()}")
        self.socket.settimeout(None)

    def publish(self, topic: str, payload: bytes) -> None:
        self.socket.sendall(publish_packet(text_field(topic.encode()), payload))

    def send_raw(self, packets: bytes) -> None:
        self.socket.sendall(packets)

    def close(self) -> None:
        try:
            self.socket.sendall(b"\xe0\x00")  # DISCONNECT
        except OSError:
            pass
        self.socket.close()


class Timestamps:
    """ISO 8601 texts with milliseconds (UTC), the second's part cached."""

    def __init__(self) -> None:
        self.second = -1
        self.prefix = ""

    def text(self, milliseconds: int) -> str:
        second, fraction = divmod(milliseconds, 1000)
        if second != self.second:
            self.second = second
            self.prefix = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(second))
        return f"{self.prefix}.{fraction:03d}Z"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--apikey", required=True)
    parser.add_argument("--devices", required=True, help="comma-separated device ids")
    parser.add_argument("--rate", type=float, default=0, help="messages per second; 0: as fast as possible")
    parser.add_argument("--per-message", type=int, default=10, help="measure groups per message")
    parser.add_argument("--seconds", type=float, required=True)
    parser.add_argument("--client-id", default=f"machi-bench-pub-{os.getpid()}")
    arguments = parser.parse_args()

    devices = arguments.devices.split(",")
    topics = [text_field(f"/ul/{arguments.apikey}/{device}/attrs".encode()) for device in devices]
    connection = MQTTConnection(arguments.host, arguments.port, arguments.client_id)
    stamps = Timestamps()
    # Message k carries the values (7k + 13j) mod 2000 / 10 for its groups j: they repeat every 2,000 messages.
    values = [f"{n / 10:.1f}" for n in range(2000)]
    value_sets = [tuple(values[(m * 7 + j * 13) % 2000] for j in range(arguments.per_message)) for m in range(2000)]
    per_message = arguments.per_message
    rate = arguments.rate
    parent = os.getppid()
    sent = 0
    chunks = 0
    started = time.monotonic()
    next_report = started
    end = started + arguments.seconds
    print(f"PROGRESS {started:.6f} 0", flush=True)
    try:
        while True:
            now = time.monotonic()
            if now >= end:
                break
            if now >= next_report:
                print(f"PROGRESS {now:.6f} {sent}", flush=True)
                next_report = now + 0.25
                if os.getppid() != parent:
                    break
            if rate > 0:
                due = int(rate * (now - started)) - sent
                if due <= 0:
                    time.sleep(min(0.002, max(0.0002, (sent + 1) / rate - (now - started))))
                    continue
                due = min(due, 500)
            else:
                due = 200
            last = int(time.time() * 1000)
            # The chunk's messages share their timestamps: one payload template per chunk, filled with the message's
            # values (made once, `value_sets`).
            template = "#".join(f"{stamps.text(last - per_message + 1 + j)}|v|%s" for j in range(per_message))
            packets = []
            for k in range(sent, sent + due):
                payload = (template % value_sets[k % 2000]).encode()
                packets.append(publish_packet(topics[k % len(topics)], payload))
            connection.send_raw(b"".join(packets))
            sent += due
            chunks += 1
    except OSError as error:
        print(f"PUBLISHER_ERROR {type(error).__name__}: {error}", flush=True)
        return 1
    finally:
        finished = time.monotonic()
        connection.close()
    print(f"PROGRESS {finished:.6f} {sent}", flush=True)
    cpu = os.times()
    print("PUBLISHER_RESULT " + json.dumps({
        "messages": sent, "measures": sent * per_message, "seconds": round(finished - started, 3),
        "messages_per_s": round(sent / (finished - started), 1), "sends": chunks,
        "cpu_seconds": round(cpu.user + cpu.system, 3),
    }), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
