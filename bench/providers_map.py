#!/usr/bin/env python3
"""Time and peak memory of `onionboard providers import` on large onions_map files (issue 17
item 4): a wide map (one 450 KB key among 2,200 entries), a map just under the 1 MiB limit,
and a 52 MB map, each entry with its own onion. Output is counted, not kept.

    bench/providers_map.py BINARY [BINARY ...]      (e.g. an old and a new release build)

Prints one line per binary and map: seconds, peak RSS, bytes of output, exit status.
Copyright (C) 2026 the onionboard authors. GPL-3.0-or-later."""
import base64
import hashlib
import os
import subprocess
import sys
import tempfile

V3 = "pg6mmjiyjmcrsslvykfwnntlaru7p5svn6y2ymmju6nubxndf4pscryd.onion"


def onion(index):
    """A distinct, valid v3 onion name (rend-spec-v3: key, SHA3-256 checksum, version 3)."""
    key = hashlib.sha256(b"onionboard bench %d" % index).digest()
    checksum = hashlib.sha3_256(b".onion checksum" + key + b"\x03").digest()[:2]
    return base64.b32encode(key + checksum + b"\x03").decode().lower() + ".onion"


def write_map(path, entries, huge_key=0):
    with open(path, "w") as f:
        f.write("onions_map = {\n")
        if huge_key:
            f.write('\t["%s.example"] = "%s";\n' % ("a" * huge_key, V3))
        for i in range(entries):
            f.write('\t["host%d.example"] = "%s";\n' % (i, onion(i)))
        f.write("}\n")
    return os.path.getsize(path)


def measure(binary, path):
    """Runs `providers import FILE` under /usr/bin/time; stdout is counted in chunks."""
    command = ["/usr/bin/time", "-f", "%e %M", binary, "providers", "import", path]
    process = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    out_bytes = 0
    while True:
        chunk = process.stdout.read(1 << 20)
        if not chunk:
            break
        out_bytes += len(chunk)
    stderr = process.stderr.read().decode(errors="replace").strip().splitlines()
    status = process.wait()
    seconds, kib = stderr[-1].split()
    message = stderr[-2][:110] if len(stderr) > 1 else ""
    return float(seconds), int(kib) / 1024, out_bytes, status, message


def main():
    binaries = sys.argv[1:]
    if not binaries:
        sys.exit(__doc__)
    with tempfile.TemporaryDirectory(prefix="onionboard-map-bench-") as directory:
        maps = []
        wide = os.path.join(directory, "wide.lua")
        maps.append(("wide (450 KB key + 2200 entries)", wide, write_map(wide, 2200, huge_key=450_000)))
        line = len('\t["host100000.example"] = "%s";\n' % V3)
        under = os.path.join(directory, "under-limit.lua")
        maps.append(("just under 1 MiB", under, write_map(under, (1 << 20) // line - 100)))
        big = os.path.join(directory, "52mb.lua")
        maps.append(("52 MB", big, write_map(big, 52_000_000 // line)))
        for binary in binaries:
            for name, path, size in maps:
                seconds, mib, out, status, message = measure(binary, path)
                print("%-24s %-34s %6.2f MB: %7.2f s, peak RSS %7.1f MiB, output %13d bytes, exit %d %s"
                      % (os.path.basename(binary), name,
                         size / 1e6, seconds, mib, out, status, message if status else ""), flush=True)


if __name__ == "__main__":
    main()
