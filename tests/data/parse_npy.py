#!/usr/bin/env python3
"""Reads a .npy v1.0 file with Python's standard library alone (ast + struct), checks the
format's rules (numpy.lib.format), and prints:

  descr D fortran_order B shape S values V1 V2 ...
  numpy D S V1 V2 ...      (only when numpy is importable: numpy.load's view of the file)

Exits 1 with "invalid: ..." on stderr when the file breaks a rule. Used by npy_test.
"""
import ast
import struct
import sys

FORMATS = {"|b1": "?", "|u1": "B", "|i1": "b", "<i2": "h", "<f2": "e", "<i4": "i", "<f4": "f",
           "<i8": "q", "<f8": "d"}


def fail(message):
    print("invalid: " + message, file=sys.stderr)
    sys.exit(1)


def text(value):
    if isinstance(value, bool):
        return "true" if value else "false"
    return repr(value)


def main(path):
    with open(path, "rb") as f:
        data = f.read()
    if data[:6] != b"\x93NUMPY" or data[6:8] != b"\x01\x00":
        fail("not a v1.0 .npy file")
    (hlen,) = struct.unpack("<H", data[8:10])
    if (10 + hlen) % 64 != 0:
        fail("data is not 64-byte aligned")
    header = data[10:10 + hlen].decode("latin1")
    if not header.endswith("\n"):
        fail("header does not end in a newline")
    d = ast.literal_eval(header)
    if sorted(d) != ["descr", "fortran_order", "shape"]:
        fail("header keys " + repr(sorted(d)))
    count = 1
    for n in d["shape"]:
        count *= n
    raw = data[10 + hlen:]
    if d["descr"] == "<c8":
        parts = struct.unpack("<%df" % (2 * count), raw)
        values = [repr(complex(parts[2 * i], parts[2 * i + 1])) for i in range(count)]
    else:
        fmt = FORMATS.get(d["descr"])
        if fmt is None:
            fail("unexpected descr " + d["descr"])
        if len(raw) != count * struct.calcsize(fmt):
            fail("data is %d bytes" % len(raw))
        values = [text(v) for v in struct.unpack("<%d%s" % (count, fmt), raw)]
    print("descr", d["descr"], "fortran_order", d["fortran_order"], "shape", repr(d["shape"]),
          "values", " ".join(values))
    try:
        import numpy
    except ImportError:
        return
    a = numpy.load(path)
    print("numpy", a.dtype.str, repr(a.shape), " ".join(text(v) for v in a.ravel().tolist()))


if __name__ == "__main__":
    if len(sys.argv) != 2:
        fail("usage: parse_npy.py FILE")
    main(sys.argv[1])
