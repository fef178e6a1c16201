#!/usr/bin/env python3
"""normalize-elf.py BINARY...: makes a stripped release binary independent of the directory
it was built in (scripts/build-release, docs/release.md "Reproducible").

The Swift compiler puts a hash of each module's LLVM IR into a `.swift_modhash` section
(for its own incremental code generation; nothing reads it at run time). The IR names the
source file by its absolute path, which no prefix map changes, so two checkouts of one commit
build different hashes, and the linker's build id, a hash over the whole output, differs too.
This zeroes the section and sets the build id to the SHA-1 of the file with its id zeroed,
so equal code gives equal bytes and an equal build id.
Copyright (C) 2026 the onionboard authors. GPL-3.0-or-later.
"""
import hashlib
import struct
import sys


def sections(data):
    """(name, offset, size) of every section of a little-endian ELF64 file."""
    if data[:4] != b"\x7fELF" or data[4] != 2 or data[5] != 1:
        raise SystemExit("normalize-elf: not a little-endian ELF64 file")
    shoff, = struct.unpack_from("<Q", data, 0x28)
    shentsize, shnum, shstrndx = struct.unpack_from("<HHH", data, 0x3A)
    headers = []
    for index in range(shnum):
        base = shoff + index * shentsize
        name, _type, _flags, _addr, offset, size = struct.unpack_from("<IIQQQQ", data, base)
        headers.append((name, offset, size))
    names_offset = headers[shstrndx][1]
    result = []
    for name, offset, size in headers:
        end = data.index(b"\0", names_offset + name)
        result.append((data[names_offset + name:end].decode(), offset, size))
    return result


def normalize(path):
    with open(path, "rb") as f:
        data = bytearray(f.read())
    found = {name: (offset, size) for name, offset, size in sections(data)}
    if ".swift_modhash" in found:
        offset, size = found[".swift_modhash"]
        data[offset:offset + size] = bytes(size)
    if ".note.gnu.build-id" in found:
        offset, _ = found[".note.gnu.build-id"]
        name_size, descriptor_size, _type = struct.unpack_from("<III", data, offset)
        descriptor = offset + 12 + (name_size + 3) // 4 * 4
        data[descriptor:descriptor + descriptor_size] = bytes(descriptor_size)
        digest = hashlib.sha1(data).digest()
        data[descriptor:descriptor + descriptor_size] = (digest * 2)[:descriptor_size]
    with open(path, "wb") as f:
        f.write(data)


if __name__ == "__main__":
    for binary in sys.argv[1:]:
        normalize(binary)
