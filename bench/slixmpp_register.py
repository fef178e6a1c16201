#!/usr/bin/env python3
"""The peer for the benchmark: slixmpp (>= 1.8.4) registers an account in-band and
logs in with it on the same connection (register + SCRAM + bind), the best flow slixmpp
offers; STARTTLS by default, TLS from the first byte with --direct-tls. Prints one JSON
line: {"ok": true, "seconds": ...}, seconds from the connect call to session_start
(Python start-up and imports excluded, as onionboard's own count excludes its start-up).

The password is read from a file, never from argv.
"""
import argparse
import asyncio
import json
import ssl
import sys
import time

import slixmpp


class Registrar(slixmpp.ClientXMPP):
    def __init__(self, jid, password, done):
        super().__init__(jid, password)
        self.done = done
        self.add_event_handler("register", self.on_register)
        self.add_event_handler("session_start", self.on_session)
        self.add_event_handler("failed_auth", lambda _: self.finish(False, "authentication failed"))

    async def on_register(self, _form):
        reply = self.Iq()
        reply["type"] = "set"
        reply["register"]["username"] = self.boundjid.user
        reply["register"]["password"] = self.password
        try:
            await reply.send()
        except slixmpp.exceptions.IqError as error:
            self.finish(False, "registration refused: %s" % error.iq["error"]["condition"])

    async def on_session(self, _event):
        self.finish(True, None)

    def finish(self, ok, why):
        if not self.done.done():
            self.done.set_result((ok, why, time.monotonic()))


async def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--jid", required=True)
    parser.add_argument("--password-file", required=True)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--cafile", required=True)
    parser.add_argument("--direct-tls", action="store_true", help="TLS from the first byte (XEP-0368)")
    parser.add_argument("--timeout", type=float, default=120)
    args = parser.parse_args()
    with open(args.password_file) as f:
        password = f.read().strip()

    done = asyncio.get_running_loop().create_future()
    client = Registrar(args.jid, password, done)
    # The fairest configuration: exactly one transport is tried (slixmpp >= 1.9 would
    # otherwise probe direct TLS on the STARTTLS port first and reconnect), and the
    # certificate is checked against the world's certificate as the only trust anchor.
    client.enable_direct_tls = args.direct_tls
    client.enable_starttls = not args.direct_tls
    client.ssl_context = ssl.create_default_context(cafile=args.cafile)
    for plugin in ("xep_0030", "xep_0004", "xep_0066", "xep_0077"):
        client.register_plugin(plugin)
    client.plugin["xep_0077"].force_registration = True

    started = time.monotonic()
    client.connect(args.host, args.port)
    try:
        ok, why, ended = await asyncio.wait_for(done, args.timeout)
    except asyncio.TimeoutError:
        ok, why, ended = False, "timed out", time.monotonic()
    client.disconnect(wait=0)
    # ready_monotonic lets the runner tell the relay's round trips before session_start from
    # the closing one(s) after it (CLOCK_MONOTONIC is shared by all processes).
    print(json.dumps({"ok": ok, "error": why, "seconds": round(ended - started, 4), "ready_monotonic": round(ended, 4)}))
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    asyncio.run(main())
