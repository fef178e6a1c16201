#!/usr/bin/env python3
"""A latency-injecting TCP relay that counts round trips.

Listens on 127.0.0.1:LISTEN and forwards each connection to 127.0.0.1:UPSTREAM, delaying
every chunk by the one-way delay in each direction (so a request/response costs one RTT =
2 x delay) and holding the first bytes until one RTT has passed, standing for the TCP handshake over a
slow link. It counts, per connection, the turns of the conversation: every time the server
starts a new flight after the client sent something, that is one round trip (see Counter);
the TCP connect counts as one more. A control line per finished connection goes to --log as JSON.

Only loopback: it refuses any other address.
"""
import argparse
import asyncio
import json
import time


class Counter:
    """A server flight that follows client bytes is a new round trip, unless it comes less
    than one one-way delay after the previous one: a real answer to a client flight sent
    after that previous flight arrived cannot be back sooner than a full RTT, so such a
    split is one flight in two chunks crossing a pipelined client write."""

    def __init__(self, min_gap=0.0):
        self.min_gap = min_gap
        self.round_trips = 1  # the TCP handshake
        self.turns = []  # time.monotonic() (CLOCK_MONOTONIC, comparable across processes) of each server flight
        self.last_direction = None
        self.client_bytes = 0
        self.server_bytes = 0

    def saw(self, direction, size):
        if direction == "s2c" and self.last_direction == "c2s":
            now = time.monotonic()
            if not self.turns or now - self.turns[-1] >= self.min_gap:
                self.round_trips += 1
                self.turns.append(round(now, 4))
        self.last_direction = direction
        if direction == "c2s":
            self.client_bytes += size
        else:
            self.server_bytes += size


async def pump(reader, writer, delay, counter, direction, not_before):
    """Forward chunks, each released `delay` seconds after it arrived, in order."""
    queue = asyncio.Queue()

    async def release():
        while True:
            due, chunk = await queue.get()
            if chunk is None:
                break
            now = time.monotonic()
            if due > now:
                await asyncio.sleep(due - now)
            writer.write(chunk)
            await writer.drain()
        try:
            writer.write_eof()
        except (OSError, RuntimeError):
            pass

    releaser = asyncio.create_task(release())
    try:
        while True:
            chunk = await reader.read(65536)
            if not chunk:
                break
            counter.saw(direction, len(chunk))
            # Nothing can leave before the emulated TCP handshake (one RTT) is over.
            queue.put_nowait((max(time.monotonic(), not_before) + delay, chunk))
    except (ConnectionError, OSError):
        pass
    queue.put_nowait((0, None))
    try:
        await releaser
    except (ConnectionError, OSError):
        pass


async def handle(client_reader, client_writer, args):
    counter = Counter(min_gap=args.delay)
    started = time.monotonic()
    try:
        peer = client_writer.get_extra_info("peername")
        if peer is None or peer[0] not in ("127.0.0.1", "::1"):
            client_writer.close()
            return
        server_reader, server_writer = await asyncio.open_connection("127.0.0.1", args.upstream)
    except OSError:
        client_writer.close()
        return

    handshake_done = started + 2 * args.delay
    await asyncio.gather(
        pump(client_reader, server_writer, args.delay, counter, "c2s", handshake_done),
        pump(server_reader, client_writer, args.delay, counter, "s2c", handshake_done),
    )
    for w in (client_writer, server_writer):
        try:
            w.close()
        except OSError:
            pass
    record = {
        "round_trips": counter.round_trips,
        "seconds": round(time.monotonic() - started, 3),
        "started": round(started, 4),
        "turns": counter.turns,
        "client_bytes": counter.client_bytes,
        "server_bytes": counter.server_bytes,
    }
    if args.log:
        with open(args.log, "a") as f:
            f.write(json.dumps(record) + "\n")


async def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--listen", type=int, required=True)
    parser.add_argument("--upstream", type=int, required=True)
    parser.add_argument("--delay-ms", type=float, default=150.0, help="one-way delay")
    parser.add_argument("--log", help="append one JSON line per finished connection")
    parser.add_argument("--lifetime", type=float, default=3600, help="stop after this many seconds")
    args = parser.parse_args()
    args.delay = args.delay_ms / 1000.0
    server = await asyncio.start_server(lambda r, w: handle(r, w, args), "127.0.0.1", args.listen)
    async with server:
        try:
            await asyncio.wait_for(server.serve_forever(), timeout=args.lifetime)
        except asyncio.TimeoutError:
            pass


if __name__ == "__main__":
    asyncio.run(main())
