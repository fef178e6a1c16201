#!/usr/bin/env python3
"""onionboard benchmarks (issue 8): round trips and time-to-ready over a Tor-like link,
against slixmpp, in the same run and on the same relay and server. Not a test: it
prints numbers and ratios. Needs a running local world (testbed/world up) and the
built binary; `make bench` does all of it.
"""
import argparse
import json
import os
import resource
import secrets
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def load_world(path):
    env = {}
    with open(path) as f:
        for line in f:
            line = line.strip()
            if line and not line.startswith("#") and "=" in line:
                k, v = line.split("=", 1)
                env[k] = v.strip().strip('"').strip("'")
    return env


def start_relay(listen, upstream, delay_ms, log):
    return subprocess.Popen(
        [sys.executable, os.path.join(ROOT, "bench", "relay.py"), "--listen", str(listen),
         "--upstream", str(upstream), "--delay-ms", str(delay_ms), "--log", log, "--lifetime", "1800"])


def wait_port(port, timeout=10):
    import socket
    end = time.time() + timeout
    while time.time() < end:
        try:
            socket.create_connection(("127.0.0.1", port), 0.2).close()
            return
        except OSError:
            time.sleep(0.05)
    raise SystemExit("relay did not start on %d" % port)


def relay_records(log):
    if not os.path.exists(log):
        return []
    with open(log) as f:
        return [json.loads(l) for l in f if l.strip()]


def run_onionboard(binary, world, port, tls_flag, password_file):
    user = "bench" + secrets.token_hex(5)
    cmd = [binary, "register", "--domain", world["XMPP_DOMAIN"], "--host", "127.0.0.1",
           "--port", str(port), "--no-proxy", "--username", user, "--password-file", password_file,
           "--accept-fingerprint", world["CERT_SHA256"], "--json"] + tls_flag
    started = time.monotonic()
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    elapsed = time.monotonic() - started
    if out.returncode != 0:
        raise SystemExit("onionboard register failed (%d): %s %s" % (out.returncode, out.stdout, out.stderr))
    return elapsed, json.loads(out.stdout)


def run_slixmpp(python, world, port, password_file):
    user = "slix" + secrets.token_hex(5)
    cmd = [python, os.path.join(ROOT, "bench", "slixmpp_register.py"), "--jid",
           "%s@%s" % (user, world["XMPP_DOMAIN"]), "--password-file", password_file,
           "--port", str(port), "--cafile", world["CERT_PEM"]]
    started = time.monotonic()
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    elapsed = time.monotonic() - started
    if out.returncode != 0:
        raise SystemExit("slixmpp failed (%d): %s %s" % (out.returncode, out.stdout, out.stderr))
    return elapsed, json.loads(out.stdout)


def median(xs):
    return statistics.median(xs) if xs else float("nan")


def bench_flow(args, world, python, password_file, label, upstream, tls_flag, with_peer):
    log = tempfile.mktemp(prefix="relay-", suffix=".log")
    relay = start_relay(args.relay_port, upstream, args.delay_ms, log)
    try:
        wait_port(args.relay_port)
        ours, peer, ours_rt, peer_rt = [], [], [], []
        for i in range(args.runs):
            for who in (["ours", "peer"] if i % 2 == 0 else ["peer", "ours"]):
                if who == "peer" and not with_peer:
                    continue
                before = len(relay_records(log))
                if who == "ours":
                    _, report = run_onionboard(args.binary, world, args.relay_port, tls_flag, password_file)
                    # Time to ready as the tool itself measured it (process start-up excluded).
                    ours.append(float(report.get("seconds", report.get("elapsedSeconds", 0))))
                else:
                    _, report = run_slixmpp(python, world, args.relay_port, password_file)
                    peer.append(report["seconds"])
                # Wait for the relay to log the closed connection.
                deadline = time.time() + 10
                while len(relay_records(log)) <= before and time.time() < deadline:
                    time.sleep(0.05)
                records = relay_records(log)[before:]
                rts = sum(r["round_trips"] for r in records)
                (ours_rt if who == "ours" else peer_rt).append(rts)
        return ours, peer, ours_rt, peer_rt
    finally:
        relay.terminate()
        relay.wait()


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--world-env", default=os.environ.get("ONIONBOARD_WORLD_ENV", os.path.join(ROOT, ".world", "world.env")))
    parser.add_argument("--binary", default=os.path.join(ROOT, ".build", "release", "onionboard"))
    parser.add_argument("--python", default=os.path.join(ROOT, ".build-bench", "venv", "bin", "python"))
    parser.add_argument("--delay-ms", type=float, default=150.0, help="one-way delay (RTT = 2x)")
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--relay-port", type=int, default=18999)
    args = parser.parse_args()
    world = load_world(args.world_env)
    rtt = 2 * args.delay_ms / 1000.0

    password_file = tempfile.mktemp(prefix="bench-pw-")
    with open(os.open(password_file, os.O_CREAT | os.O_WRONLY, 0o600), "w") as f:
        f.write(secrets.token_urlsafe(24))

    print("onionboard benchmark — one-way delay %.0f ms (RTT %.0f ms), %d alternating runs each"
          % (args.delay_ms, rtt * 1000, args.runs))
    print()
    rows = []
    for label, upstream, tls_flag, peer in (
            ("STARTTLS", int(world["PROSODY_PORT"]), [], True),
            ("direct TLS", int(world["PROSODY_TLS_PORT"]), ["--direct-tls"], False)):
        ours, slix, ours_rt, slix_rt = bench_flow(args, world, args.python, password_file, label, upstream, tls_flag, peer)
        o_rt = max(ours_rt) if ours_rt else 0
        floor = o_rt * rtt
        line = "%-10s onionboard: %2d round trips, median %.3f s (floor %d x %.0f ms = %.3f s, %.2f x floor)" % (
            label, o_rt, median(ours), o_rt, rtt * 1000, floor, median(ours) / floor if floor else float("nan"))
        print(line)
        if slix:
            s_rt = max(slix_rt)
            print("%-10s slixmpp:    %2d round trips, median %.3f s" % ("", s_rt, median(slix)))
            print("%-10s ratio onionboard / slixmpp: %.2f (time), %d / %d (round trips)"
                  % ("", median(ours) / median(slix), o_rt, s_rt))
        rows.append((label, ours, slix, ours_rt, slix_rt))
    os.unlink(password_file)
    print()

    # Start-up time of --help.
    times = []
    for _ in range(30):
        t = time.monotonic()
        subprocess.run([args.binary, "--help"], capture_output=True)
        times.append(time.monotonic() - t)
    print("onionboard --help start-up: median %.1f ms over 30 runs" % (median(times) * 1000))

    merge = os.path.join(os.path.dirname(args.binary), "onionboard-bench")
    if os.path.exists(merge):
        out = subprocess.run([merge, "blist-merge", "1000", "10000", "100000"], capture_output=True, text=True)
        print(out.stdout.strip())
    else:
        print("blist merge benchmark: %s not built" % merge)


if __name__ == "__main__":
    main()
