#!/usr/bin/env python3
"""onionboard benchmarks (issue 8): round trips and time-to-ready over a Tor-like link,
against slixmpp, in the same run and on the same relay and server; plus `--help` start-up,
peak RSS of a full non-interactive run through Tor, and the blist.xml merge time.

Not a test: it prints numbers and ratios (and --json FILE writes them). Needs a running
local world (world.env) and the release build; `make bench` (bench/run) does all of it.
"""
import argparse
import json
import os
import platform
import secrets
import shutil
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
                key, value = line.split("=", 1)
                env[key] = value.strip().strip('"').strip("'")
    return env


def priority_prefix(mode):
    """A command prefix that runs the measured processes ahead of the machine's other load."""
    if mode == "fifo" and shutil.which("chrt") and os.geteuid() == 0:
        return ["chrt", "-f", "50"]
    if mode in ("fifo", "nice") and os.geteuid() == 0:
        return ["nice", "-n", "-5"]
    return []


def boost_world_prosody(world, mode):
    """Raise the default Prosody's priority too (it answers every request we time)."""
    if mode == "none" or os.geteuid() != 0:
        return []
    boosted = []
    try:
        with open(os.path.join(world["WORLD_DIR"], "run", "processes")) as f:
            for line in f:
                parts = line.split()
                if len(parts) >= 2 and parts[0] in ("prosody-default", "prosody:default", "default"):
                    boosted.append(int(parts[1]))
    except OSError:
        return []
    for pid in boosted:
        subprocess.run(["renice", "-n", "-5", "-p", str(pid)], capture_output=True)
    return boosted


def load_average():
    try:
        with open("/proc/loadavg") as f:
            return [float(x) for x in f.read().split()[:3]]
    except OSError:
        return [float("nan")] * 3


def start_relay(prefix, listen, upstream, delay_ms, log):
    # asyncio's complaints about tasks cut short by the final SIGTERM go to a file, not the report.
    with open(log + ".stderr", "w") as errors:
        process = subprocess.Popen(
            prefix + [sys.executable, os.path.join(ROOT, "bench", "relay.py"), "--listen", str(listen),
                      "--upstream", str(upstream), "--delay-ms", str(delay_ms), "--log", log, "--lifetime", "3600"],
            stderr=errors)
    wait_port(listen, process)
    return process


def wait_port(port, process, timeout=20):
    import socket
    end = time.time() + timeout
    while time.time() < end:
        if process.poll() is not None:
            raise SystemExit("bench: the relay exited (%d) before listening on %d" % (process.returncode, port))
        try:
            socket.create_connection(("127.0.0.1", port), 0.2).close()
            return
        except OSError:
            time.sleep(0.05)
    raise SystemExit("bench: the relay did not listen on 127.0.0.1:%d within %d s" % (port, timeout))


def relay_records(log):
    if not os.path.exists(log):
        return []
    with open(log) as f:
        return [json.loads(line) for line in f if line.strip()]


def run_onionboard(prefix, binary, world, port, direct_tls, password_file, chosen_name=False):
    """Without --username onionboard generates the name, as the wizard does, and sends the
    SCRAM <auth> with the registration; a chosen name (--username) waits for the result first."""
    cmd = prefix + [binary, "register", "--domain", world["XMPP_DOMAIN"], "--host", "127.0.0.1",
                    "--port", str(port), "--no-proxy", "--password-file", password_file,
                    "--accept-fingerprint", world["CERT_SHA256"], "--json"]
    if chosen_name:
        cmd += ["--username", "bench" + secrets.token_hex(5)]
    if direct_tls:
        cmd.append("--direct-tls")
    started = time.monotonic()
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    wall = time.monotonic() - started
    if out.returncode != 0:
        raise SystemExit("bench: onionboard register failed (exit %d): %s %s" % (out.returncode, out.stdout, out.stderr))
    report = json.loads(out.stdout)
    return {"seconds": float(report["seconds"]), "wall": wall, "own_round_trips": int(report["roundTrips"])}


def run_slixmpp(prefix, python, world, port, direct_tls, password_file):
    user = "slix" + secrets.token_hex(5)
    cmd = prefix + [python, os.path.join(ROOT, "bench", "slixmpp_register.py"), "--jid",
                    "%s@%s" % (user, world["XMPP_DOMAIN"]), "--password-file", password_file,
                    "--port", str(port), "--cafile", world["CERT_PEM"]]
    if direct_tls:
        cmd.append("--direct-tls")
    started = time.monotonic()
    out = subprocess.run(cmd, capture_output=True, text=True, timeout=300)
    wall = time.monotonic() - started
    if out.returncode != 0:
        raise SystemExit("bench: slixmpp failed (exit %d): %s %s" % (out.returncode, out.stdout, out.stderr[-2000:]))
    report = json.loads(out.stdout.strip().splitlines()[-1])
    return {"seconds": float(report["seconds"]), "wall": wall, "own_round_trips": None,
            "ready_monotonic": float(report["ready_monotonic"])}


def median(values):
    return statistics.median(values) if values else float("nan")


def bench_flow(args, world, prefix, password_file, label, upstream, direct_tls, with_peer, chosen_name=False):
    """Alternating runs of onionboard and slixmpp through one relay in front of one Prosody."""
    log = os.path.join(args.scratch, "relay-%s.log" % label.replace(" ", "-"))
    relay = start_relay(prefix, args.relay_port, upstream, args.delay_ms, log)
    results = {"ours": [], "peer": []}
    try:
        for i in range(args.runs):
            order = ["ours", "peer"] if i % 2 == 0 else ["peer", "ours"]
            for who in order:
                if who == "peer" and not with_peer:
                    continue
                before = len(relay_records(log))
                if who == "ours":
                    run = run_onionboard(prefix, args.binary, world, args.relay_port, direct_tls, password_file, chosen_name)
                else:
                    run = run_slixmpp(prefix, args.python, world, args.relay_port, direct_tls, password_file)
                # The relay logs a connection once both directions are closed.
                deadline = time.time() + 15
                while not [r for r in relay_records(log)[before:] if r["client_bytes"] > 0] and time.time() < deadline:
                    time.sleep(0.02)
                # A connection that carried no client byte is the start-up probe of wait_port.
                records = [r for r in relay_records(log)[before:] if r["client_bytes"] > 0]
                run["connections"] = len(records)
                run["relay_records"] = records
                run["relay_round_trips"] = sum(r["round_trips"] for r in records)
                # Round trips until the tool was ready (slixmpp closes its stream afterwards and
                # waits for the server's </stream>; onionboard's bind carries its </stream> already).
                # onionboard reports seconds from its connect call; the relay's clock for the
                # connection starts at accept, a moment later, so started + seconds is not early.
                def ready(record):
                    if "ready_monotonic" in run:
                        return run["ready_monotonic"]
                    return record["started"] + run["seconds"]
                run["relay_round_trips_to_ready"] = sum(1 + len([t for t in r["turns"] if t <= ready(r)]) for r in records)
                results[who].append(run)
    finally:
        relay.terminate()
        relay.wait()
    return results


def summarize_flow(label, results, rtt):
    ours, peer = results["ours"], results["peer"]
    summary = {"flow": label}
    lines = []
    if ours:
        rts = sorted({r["relay_round_trips_to_ready"] for r in ours})
        rts_all = sorted({r["relay_round_trips"] for r in ours})
        own = sorted({r["own_round_trips"] for r in ours})
        rt = max(rts)
        times = [r["seconds"] for r in ours]
        floor = rt * rtt
        summary["onionboard"] = {
            "relay_round_trips_to_ready": rts, "relay_round_trips_with_close": rts_all, "own_round_trips": own,
            "connections": sorted({r["connections"] for r in ours}), "median_seconds": round(median(times), 3),
            "min_seconds": round(min(times), 3), "max_seconds": round(max(times), 3),
            "median_wall_seconds": round(median([r["wall"] for r in ours]), 3),
            "floor_seconds": round(floor, 3), "floor_ratio": round(median(times) / floor, 3), "runs": len(ours)}
        lines.append("  onionboard  round trips relay %s to ready (%s with its close) / own count %s; time-to-ready median "
                     "%.3f s (min %.3f, max %.3f, process wall %.3f s)"
                     % ("/".join(map(str, rts)), "/".join(map(str, rts_all)), "/".join(map(str, own)), median(times),
                                               min(times), max(times), median([r["wall"] for r in ours])))
        lines.append("              floor %d RT x %.0f ms = %.3f s -> %.2f x floor" % (rt, rtt * 1000, floor, median(times) / floor))
    if peer:
        rts = sorted({r["relay_round_trips_to_ready"] for r in peer})
        rts_all = sorted({r["relay_round_trips"] for r in peer})
        times = [r["seconds"] for r in peer]
        peer_floor = max(rts) * rtt if rts else float("nan")
        summary["slixmpp"] = {
            "relay_round_trips_to_ready": rts, "relay_round_trips_with_close": rts_all,
            "connections": sorted({r["connections"] for r in peer}),
            "median_seconds": round(median(times), 3), "min_seconds": round(min(times), 3),
            "max_seconds": round(max(times), 3), "median_wall_seconds": round(median([r["wall"] for r in peer]), 3),
            "floor_ratio": round(median(times) / peer_floor, 3), "runs": len(peer)}
        lines.append("  slixmpp     round trips relay %s to ready (%s with its close); time-to-ready median %.3f s "
                     "(min %.3f, max %.3f, process wall %.3f s)" % ("/".join(map(str, rts)), "/".join(map(str, rts_all)),
                                                                   median(times), min(times), max(times),
                                                                   median([r["wall"] for r in peer])))
        lines.append("              floor %d RT x %.0f ms = %.3f s -> %.2f x floor" % (max(rts), rtt * 1000, peer_floor,
                                                                                      median(times) / peer_floor))
    if ours and peer:
        ratio = median([r["seconds"] for r in ours]) / median([r["seconds"] for r in peer])
        wall_ratio = median([r["wall"] for r in ours]) / median([r["wall"] for r in peer])
        summary["ratio_onionboard_over_slixmpp"] = round(ratio, 3)
        summary["wall_ratio_onionboard_over_slixmpp"] = round(wall_ratio, 3)
        lines.append("  ratio onionboard / slixmpp: %.2f (time-to-ready), %.2f (process wall), %d / %d round trips"
                     % (ratio, wall_ratio, max(r["relay_round_trips_to_ready"] for r in ours),
                        max(r["relay_round_trips_to_ready"] for r in peer)))
    return summary, lines


def help_startup(prefix, binary, runs):
    times = []
    for _ in range(runs):
        started = time.monotonic()
        subprocess.run(prefix + [binary, "--help"], capture_output=True, check=True)
        times.append(time.monotonic() - started)
    return {"runs": runs, "median_ms": round(median(times) * 1000, 1), "min_ms": round(min(times) * 1000, 1)}


def provider_file(world, scratch):
    """The world's provider for `--providers`: its PROVIDERS_JSON if onionboard reads it,
    else the same facts in the map's own format."""
    given = world.get("PROVIDERS_JSON")
    path = os.path.join(scratch, "providers.json")
    with open(path, "w") as f:
        json.dump({world["XMPP_DOMAIN"]: {
            "onion": world["ONION"], "clientPort": int(world["ONION_PORT"]),
            "directTLSPort": int(world["ONION_TLS_PORT"]), "registration": "yes", "captcha": False}}, f)
    return [given, path] if given else [path]


def peak_rss_run(prefix, binary, world, scratch):
    """A full non-interactive `onionboard run` through the world's Tor onion into a fresh
    profile directory; peak RSS from wait4's rusage (kilobytes on Linux)."""
    purple = tempfile.mkdtemp(prefix="purple-", dir=scratch)
    attempts = []
    for providers in provider_file(world, scratch):
        cmd = prefix + [binary, "run", "--non-interactive", "--json", "--providers", providers,
                        "--provider", world["XMPP_DOMAIN"], "--tor-socks", "%s:%s" % (world["SOCKS_HOST"], world["SOCKS_PORT"]),
                        "--purple-dir", purple, "--room", world["ROOM_JID"], "--accept-fingerprint", world["CERT_SHA256"],
                        "--force"]  # finches of other test runs may be up; this profile is ours alone
        started = time.monotonic()
        process = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        # communicate() would reap the child itself; read, then reap with wait4 for its rusage.
        stdout = process.stdout.read()
        stderr = process.stderr.read()
        _, status, usage = os.wait4(process.pid, 0)
        process.returncode = os.waitstatus_to_exitcode(status)
        wall = time.monotonic() - started
        if process.returncode == 0:
            report = json.loads(stdout)
            return {"peak_rss_kib": usage.ru_maxrss, "seconds": round(wall, 2), "providers": providers,
                    "registration_seconds": report.get("registrationSeconds"),
                    "files": sorted(os.listdir(purple)), "earlier_attempts": attempts}
        try:
            reason = json.loads(stdout)["error"]["message"]
        except (ValueError, KeyError, TypeError):
            reason = (stdout + stderr).strip()[-600:]
        attempts.append("%s: exit %d: %s" % (providers, process.returncode, reason))
        if "not part of this build" in stdout + stderr:
            break
    # Until the wizard is wired to the registration layer, its two halves run separately:
    # register through Tor's SOCKS port to the onion, then export into the profile.
    halves = peak_rss_halves(prefix, binary, world, scratch, purple)
    halves["run_error"] = " | ".join(attempts)
    return halves


def slow_world_runs(prefix, binary, world, scratch, runs):
    """Issue 13: whole `run --non-interactive` registrations through the world's slow Tor network
    (every relay link delayed, so an onion round trip costs ~SLOW_RTT_MS) to the Prosody onion,
    each into a fresh profile and on a fresh circuit (the SOCKS credentials differ per process)."""
    rows = []
    for _ in range(runs):
        purple = tempfile.mkdtemp(prefix="purple-slow-", dir=scratch)
        cmd = prefix + [binary, "run", "--non-interactive", "--json", "--providers", world["SLOW_PROVIDERS_JSON"],
                        "--provider", world["XMPP_DOMAIN"], "--tor-socks", "%s:%s" % (world["SLOW_SOCKS_HOST"], world["SLOW_SOCKS_PORT"]),
                        "--purple-dir", purple, "--room", world["ROOM_JID"], "--accept-fingerprint", world["CERT_SHA256"],
                        "--force"]
        started = time.monotonic()
        process = subprocess.run(cmd, capture_output=True, text=True, timeout=600)
        wall = time.monotonic() - started
        if process.returncode != 0:
            rows.append({"error": "exit %d: %s" % (process.returncode, (process.stdout + process.stderr).strip()[-400:])})
            continue
        report = json.loads(process.stdout)
        rows.append({"seconds": round(wall, 2), "registration_seconds": report.get("registrationSeconds")})
    good = [r["seconds"] for r in rows if "seconds" in r]
    rtt_ms = float(world.get("SLOW_RTT_MS") or 0)
    return {"rows": rows, "median_seconds": median(good) if good else None, "slow_rtt_ms": rtt_ms,
            "slow_circuit_ms": float(world.get("SLOW_CIRCUIT_MS") or 0),
            "median_in_rtts": (median(good) * 1000 / rtt_ms) if good and rtt_ms else None}


def rusage_run(cmd):
    started = time.monotonic()
    process = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    stdout = process.stdout.read()
    stderr = process.stderr.read()
    _, status, usage = os.wait4(process.pid, 0)
    return os.waitstatus_to_exitcode(status), stdout, stderr, usage.ru_maxrss, time.monotonic() - started


def peak_rss_halves(prefix, binary, world, scratch, purple):
    password_file = os.path.join(scratch, "rss-password")
    with open(os.open(password_file, os.O_CREAT | os.O_WRONLY | os.O_EXCL, 0o600), "w") as f:
        f.write(secrets.token_urlsafe(24))
    user = "rss" + secrets.token_hex(5)
    code, out, err, register_rss, register_seconds = rusage_run(prefix + [
        binary, "register", "--domain", world["XMPP_DOMAIN"], "--host", world["ONION"], "--port", world["ONION_PORT"],
        "--tor-socks", "%s:%s" % (world["SOCKS_HOST"], world["SOCKS_PORT"]), "--username", user,
        "--password-file", password_file, "--pin", world["CERT_SHA256"], "--json"])
    if code != 0:
        return {"error": "register through Tor: exit %d: %s" % (code, (out + err).strip()[-600:])}
    register_report = json.loads(out)
    code, out, err, export_rss, export_seconds = rusage_run(prefix + [
        binary, "export", "--jid", "%s@%s" % (user, world["XMPP_DOMAIN"]), "--password-file", password_file,
        "--connect-server", world["ONION"], "--port", world["ONION_PORT"], "--room", world["ROOM_JID"],
        "--purple-dir", purple, "--tor-socks", "%s:%s" % (world["SOCKS_HOST"], world["SOCKS_PORT"]),
        "--certificate", world["CERT_PEM"], "--json", "--force"])  # finches of other test runs may be up
    if code != 0:
        return {"error": "export: exit %d: %s" % (code, (out + err).strip()[-600:])}
    return {"peak_rss_kib": max(register_rss, export_rss), "register_peak_rss_kib": register_rss,
            "export_peak_rss_kib": export_rss, "seconds": round(register_seconds + export_seconds, 2),
            "registration_seconds": register_report.get("seconds"), "halves": True,
            "files": sorted(os.listdir(purple))}


def blist_merge(prefix, binary, sizes, repeats):
    out = subprocess.run(prefix + [binary, "blist-merge", "--repeat", str(repeats)] + [str(s) for s in sizes],
                         capture_output=True, text=True)
    if out.returncode != 0:
        return [{"error": out.stderr.strip()}]
    return [json.loads(line) for line in out.stdout.splitlines() if line.strip()]


def xml_attributes(prefix, binary, sizes):
    out = subprocess.run(prefix + [binary, "xml-attributes", "--repeat", "5"] + [str(s) for s in sizes],
                         capture_output=True, text=True)
    if out.returncode != 0:
        return [{"error": out.stderr.strip()}]
    return [json.loads(line) for line in out.stdout.splitlines() if line.strip()]


PROBED = ["onionboard.test", "captcha.test", "closed.test", "renew.test", "dead.test"]


def providers_check(prefix, binary, world, scratch, domains, deadline):
    """`onionboard providers check DOMAIN... --json` on the world; the checker's own wall time (s)."""
    cmd = prefix + [binary, "providers", "check", "--json", "--providers", world["PROVIDERS_JSON"],
                    "--tor-socks", "%s:%s" % (world["SOCKS_HOST"], world["SOCKS_PORT"]), "--deadline", str(deadline)] + domains
    env = dict(os.environ, XDG_STATE_HOME=os.path.join(scratch, "state"))
    out = subprocess.run(cmd, capture_output=True, text=True, env=env, timeout=deadline * 4 + 60)
    if out.returncode != 0:
        raise RuntimeError("providers check failed (%d): %s" % (out.returncode, out.stderr.strip()[-300:]))
    report = json.loads(out.stdout)
    return report["seconds"], {p["domain"]: round(p["seconds"], 3) for p in report["providers"]}


def tor_newnym(world):
    """SIGNAL NEWNYM on the world's client tor: new streams get clean circuits and the onion
    descriptors are fetched again, as on a first run. Tor allows one every 10 s."""
    import binascii
    import socket
    with open(world["CONTROL_COOKIE"], "rb") as f:
        cookie = binascii.hexlify(f.read()).decode()
    with socket.create_connection(("127.0.0.1", int(world["CONTROL_PORT"])), timeout=10) as sock:
        stream = sock.makefile("rwb")
        for command in ("AUTHENTICATE " + cookie, "SIGNAL NEWNYM"):
            stream.write((command + "\r\n").encode())
            stream.flush()
            reply = stream.readline().decode().strip()
            if not reply.startswith("250"):
                raise RuntimeError("tor control: %s -> %s" % (command.split()[0], reply))
    time.sleep(10.5)


def probe_round(prefix, binary, world, scratch, cold):
    alone = {}
    for domain in PROBED:
        if cold:
            tor_newnym(world)
        alone[domain], _ = providers_check(prefix, binary, world, scratch, [domain], 60)
    if cold:
        tor_newnym(world)
    together, per = providers_check(prefix, binary, world, scratch, PROBED, 60)
    slowest = max(alone.values())
    return {"alone": alone, "together": together, "together_each": per, "slowest_alone": slowest,
            "ratio": together / slowest}


def probe_concurrency(prefix, binary, world, scratch, rounds, cold_rounds):
    """Issue 15: N providers probed concurrently vs. the slowest of them probed alone. Each round
    probes every one alone (a fresh process and circuit each), then all together (fresh
    circuits); ratio = together / slowest alone. "cold": before every measurement tor's circuits
    and descriptors are dropped (NEWNYM), as on a first run; "warm": back to back, so a probe
    alone may take a circuit tor built ahead, which N at once cannot all do. Then the silent
    onion, whose probe lasts its whole deadline: the others must not make it longer."""
    out = {"domains": PROBED}
    for label, count, cold in (("cold", cold_rounds, True), ("warm", rounds, False)):
        series = [probe_round(prefix, binary, world, scratch, cold) for _ in range(count)]
        if not series:
            continue
        out[label] = {"rounds": series,
                      "ratio_median": statistics.median(r["ratio"] for r in series),
                      "ratio_max": max(r["ratio"] for r in series),
                      "ratio_of_medians": (statistics.median(r["together"] for r in series)
                                           / statistics.median(r["slowest_alone"] for r in series))}
    silent_deadline = 10
    silent_alone, _ = providers_check(prefix, binary, world, scratch, ["silent.test"], silent_deadline)
    with_silent, per = providers_check(prefix, binary, world, scratch, PROBED + ["silent.test"], silent_deadline)
    out["silent"] = {"deadline": silent_deadline, "alone": silent_alone, "together": with_silent, "together_each": per,
                     "ratio": with_silent / silent_alone}
    return out


def machine():
    cpu = "unknown"
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    cpu = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    return {"cpu": cpu, "cores": os.cpu_count(), "kernel": platform.release(), "python": platform.python_version()}


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--world-env", default=os.environ.get("ONIONBOARD_WORLD_ENV", os.path.join(ROOT, ".world", "world.env")))
    parser.add_argument("--binary", default=os.path.join(ROOT, ".build", "release", "onionboard"))
    parser.add_argument("--bench-binary", default=None, help="onionboard-bench (default: next to --binary)")
    parser.add_argument("--python", default=os.path.join(ROOT, ".build-bench", "venv", "bin", "python"),
                        help="a Python with slixmpp >= 1.8.4")
    parser.add_argument("--delay-ms", type=float, default=150.0, help="one-way delay of the relay (RTT = 2x); default 150")
    parser.add_argument("--runs", type=int, default=7, help="runs per tool and flow (alternating); default 7")
    parser.add_argument("--relay-port", type=int, default=None, help="default: the world's port base + 480")
    parser.add_argument("--help-runs", type=int, default=30)
    parser.add_argument("--merge-sizes", default="1000,10000,100000")
    parser.add_argument("--merge-repeats", type=int, default=3)
    parser.add_argument("--priority", choices=["fifo", "nice", "none"], default="fifo",
                        help="run the measured processes and the relay with chrt -f 50 (fifo) or nice -n -5; "
                             "both need root, otherwise none")
    parser.add_argument("--skip", action="append", default=[],
                        choices=["flows", "chosen-name", "slixmpp-direct-tls", "help", "rss", "merge", "xml", "probe", "slow"])
    parser.add_argument("--probe-rounds", type=int, default=5, help="warm rounds of the concurrent-probe benchmark; default 5")
    parser.add_argument("--probe-cold-rounds", type=int, default=3,
                        help="cold rounds (NEWNYM before each measurement, ~70 s each); default 3")
    parser.add_argument("--slow-runs", type=int, default=3, help="whole runs through the slow world; default 3")
    parser.add_argument("--json", dest="json_out", help="also write all numbers to this file")
    args = parser.parse_args()

    world = load_world(args.world_env)
    if args.relay_port is None:
        args.relay_port = int(world["PROSODY_PORT"]) - 422 + 480
    bench_binary = args.bench_binary or os.path.join(os.path.dirname(args.binary), "onionboard-bench")
    for path, what in ((args.binary, "onionboard"), (args.python, "the slixmpp venv's python")):
        if not os.access(path, os.X_OK):
            raise SystemExit("bench: %s not found at %s (make bench builds it)" % (what, path))
    rtt = 2 * args.delay_ms / 1000.0
    prefix = priority_prefix(args.priority)
    boosted = boost_world_prosody(world, args.priority)
    args.scratch = tempfile.mkdtemp(prefix="onionboard-bench-")
    results = {"started_utc": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()), "machine": machine(),
               "load_average_before": load_average(), "delay_ms": args.delay_ms, "rtt_ms": rtt * 1000,
               "runs": args.runs, "priority": " ".join(prefix) or "none", "boosted_prosody_pids": boosted}
    print("onionboard benchmark, %s UTC; %s, %s cores; load average %s; measured processes: %s"
          % (results["started_utc"], results["machine"]["cpu"], results["machine"]["cores"],
             " ".join("%.2f" % x for x in results["load_average_before"]), results["priority"]))
    try:
        if "flows" not in args.skip:
            password_file = os.path.join(args.scratch, "password")
            with open(os.open(password_file, os.O_CREAT | os.O_WRONLY | os.O_EXCL, 0o600), "w") as f:
                f.write(secrets.token_urlsafe(24))
            print("\nregister + SCRAM + bind through a relay with %.0f ms each way (RTT %.0f ms), %d alternating runs each"
                  % (args.delay_ms, rtt * 1000, args.runs))
            results["flows"] = []
            for label, upstream, direct_tls, peer, chosen in (
                    ("STARTTLS", int(world["PROSODY_PORT"]), False, True, False),
                    ("direct TLS", int(world["PROSODY_TLS_PORT"]), True, "slixmpp-direct-tls" not in args.skip, False),
                    ("STARTTLS, chosen username", int(world["PROSODY_PORT"]), False, False, True),
                    ("direct TLS, chosen username", int(world["PROSODY_TLS_PORT"]), True, False, True)):
                if chosen and "chosen-name" in args.skip:
                    continue
                flow = bench_flow(args, world, prefix, password_file, label, upstream, direct_tls, peer, chosen)
                summary, lines = summarize_flow(label, flow, rtt)
                summary["raw"] = flow
                results["flows"].append(summary)
                print(label)
                print("\n".join(lines))
            results["load_average_after_flows"] = load_average()

        if "probe" not in args.skip:
            try:
                probe = probe_concurrency(prefix, args.binary, world, args.scratch, args.probe_rounds, args.probe_cold_rounds)
                results["probe"] = probe
                print("\nproviders check: %d onions (%s) probed concurrently vs. the slowest probed alone"
                      % (len(PROBED), ", ".join(PROBED)))
                for label in ("cold", "warm"):
                    if label not in probe:
                        continue
                    series = probe[label]
                    print("  %s (%s), %d rounds:" % (label, "tor's circuits and descriptors dropped before each measurement"
                                                     if label == "cold" else "back to back", len(series["rounds"])))
                    for r in series["rounds"]:
                        print("    together %.2f s, slowest alone %.2f s (%s): ratio %.2f"
                              % (r["together"], r["slowest_alone"], max(r["alone"], key=r["alone"].get), r["ratio"]))
                    print("    concurrent-probe ratio (%s): median together / median slowest alone %.2f; per round median %.2f, worst %.2f (target <= 1.2)"
                          % (label, series["ratio_of_medians"], series["ratio_median"], series["ratio_max"]))
                silent = probe["silent"]
                print("  with the silent onion (deadline %d s): together %.2f s, the silent one alone %.2f s: ratio %.2f"
                      % (silent["deadline"], silent["together"], silent["alone"], silent["ratio"]))
            except Exception as error:  # a failed benchmark must not hide the others
                results["probe"] = {"error": str(error)}
                print("\nproviders check benchmark: FAILED: %s" % error)

        if "help" not in args.skip:
            results["help"] = help_startup(prefix, args.binary, args.help_runs)
            print("\nonionboard --help start-up: median %.1f ms (min %.1f) over %d runs"
                  % (results["help"]["median_ms"], results["help"]["min_ms"], args.help_runs))

        if "rss" not in args.skip:
            results["rss"] = peak_rss_run(prefix, args.binary, world, args.scratch)
            if "error" in results["rss"]:
                print("peak RSS of onionboard run --non-interactive: FAILED: %s" % results["rss"]["error"])
            elif results["rss"].get("halves"):
                print("peak RSS: `onionboard run` cannot register in this build (%s);\n"
                      "  its halves: register through Tor %.1f MiB (%.1f s to ready), export into a fresh profile %.1f MiB"
                      % (results["rss"]["run_error"].split(": ", 2)[-1], results["rss"]["register_peak_rss_kib"] / 1024,
                         results["rss"]["registration_seconds"], results["rss"]["export_peak_rss_kib"] / 1024))
            else:
                print("peak RSS of onionboard run --non-interactive through Tor: %.1f MiB (run took %.1f s, registration %s s)"
                      % (results["rss"]["peak_rss_kib"] / 1024, results["rss"]["seconds"], results["rss"]["registration_seconds"]))
                for attempt in results["rss"]["earlier_attempts"]:
                    print("  (first tried and failed: %s)" % attempt)

        if "slow" not in args.skip:
            if world.get("SLOW_PROVIDERS_JSON"):
                slow = slow_world_runs(prefix, args.binary, world, args.scratch, args.slow_runs)
                results["slow"] = slow
                print("\nthe slow world (onion RTT %.0f ms, a circuit %.0f ms): whole run --non-interactive through it, %d runs"
                      % (slow["slow_rtt_ms"], slow["slow_circuit_ms"], len(slow["rows"])))
                for row in slow["rows"]:
                    print("  " + (("FAILED: " + row["error"]) if "error" in row else
                                  "%.2f s (registration %s s)" % (row["seconds"], row["registration_seconds"])))
                if slow["median_seconds"] is not None:
                    print("  median %.2f s = %.1f onion round trips of this network (circuit building and Tor included)"
                          % (slow["median_seconds"], slow["median_in_rtts"] or 0))
            else:
                print("\nthe slow world: this world has no slow network (SLOW_PROVIDERS_JSON missing)")

        if "merge" not in args.skip:
            if os.access(bench_binary, os.X_OK):
                sizes = [int(s) for s in args.merge_sizes.split(",") if s]
                results["merge"] = blist_merge(prefix, bench_binary, sizes, args.merge_repeats)
                print("blist.xml merge (PurpleProfile.write, median of %d):" % args.merge_repeats)
                for row in results["merge"]:
                    if "error" in row:
                        print("  FAILED: %s" % row["error"])
                    else:
                        print("  %7d buddies (%5.1f MB): %8.1f ms  (%.2f us per buddy)"
                              % (row["buddies"], row["bytes"] / 1e6, row["median_seconds"] * 1000,
                                 row["median_seconds"] * 1e6 / max(row["buddies"], 1)))
            else:
                print("blist.xml merge: %s not built" % bench_binary)
        if "xml" not in args.skip:
            if os.access(bench_binary, os.X_OK):
                results["xml_attributes"] = xml_attributes(prefix, bench_binary, [64, 4096, 20000, 40000, 80000])
                print("stream parser, one stanza with N attributes (all on one element / 64 per element), median of 5:")
                for row in results["xml_attributes"]:
                    if "error" in row:
                        print("  FAILED: %s" % row["error"])
                    else:
                        print("  %6d attributes, %5d per element: %9.3f ms  %s"
                              % (row["attributes"], row["per_element"], row["median_seconds"] * 1000, row["outcome"]))
            else:
                print("stream parser: %s not built" % bench_binary)
        results["load_average_after"] = load_average()
        print("\nload average at the end: %s" % " ".join("%.2f" % x for x in results["load_average_after"]))
    finally:
        shutil.rmtree(args.scratch, ignore_errors=True)
    if args.json_out:
        with open(args.json_out, "w") as f:
            json.dump(results, f, indent=2)


if __name__ == "__main__":
    main()
