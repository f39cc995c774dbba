#!/usr/bin/env python3
"""Compare two .xlsx files (zip packages) part by part; the only difference allowed is the
system a zip entry was "made on" (the high byte of "version made by" in the central
directory: Windows and Unix builds of the zip writer differ there, nothing else may).

    same_zip.py A B     exit 0 when equal; else names the first differing part, exit 1
"""
import struct
import sys
import zipfile


def masked(path):
    """The file's bytes with every central-directory "made on" byte set to 0."""
    data = bytearray(open(path, "rb").read())
    eocd = data.rfind(b"PK\x05\x06")
    if eocd < 0:
        raise SystemExit(f"{path}: not a zip file")
    count, _size, offset = struct.unpack_from("<HII", data, eocd + 10)
    pos = offset
    for _ in range(count):
        if data[pos:pos + 4] != b"PK\x01\x02":
            raise SystemExit(f"{path}: broken central directory at {pos}")
        data[pos + 5] = 0
        n, e, c = struct.unpack_from("<HHH", data, pos + 28)
        pos += 46 + n + e + c
    return bytes(data)


def main(a, b):
    za, zb = zipfile.ZipFile(a), zipfile.ZipFile(b)
    na, nb = [i.filename for i in za.infolist()], [i.filename for i in zb.infolist()]
    if na != nb:
        print(f"parts differ: {a}: {na}\n{b}: {nb}")
        return 1
    fields = ("date_time", "compress_type", "CRC", "compress_size", "file_size",
              "flag_bits", "external_attr", "internal_attr", "extra", "comment")
    for ia, ib in zip(za.infolist(), zb.infolist()):
        if za.read(ia) != zb.read(ib):
            print(f"part {ia.filename} differs between {a} and {b}")
            return 1
        for f in fields:
            if getattr(ia, f) != getattr(ib, f):
                print(f"part {ia.filename}: {f} {getattr(ia, f)!r} != {getattr(ib, f)!r}")
                return 1
    if masked(a) != masked(b):
        print(f"{a} and {b}: same parts but different bytes outside them")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main(*sys.argv[1:3]))
