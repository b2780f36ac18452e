#!/usr/bin/env python3
"""Reads a safetensors file with Python's standard library alone (struct + json), checks the
format's rules (huggingface/safetensors README "Format"), and prints what it found:

  header_length N
  aligned yes|no                     (8 + N and every tensor's offset, by its element size)
  metadata KEY VALUE                 (sorted by key)
  tensor NAME DTYPE [SHAPE] BEGIN END hex HEX values V1 V2 ...   (sorted by name)

Exits 1 with "invalid: ..." on stderr when the file breaks a rule. Used by checkpoint_test.
"""
import json
import struct
import sys

FORMATS = {"BOOL": "?", "U8": "B", "I8": "b", "I16": "h", "F16": "e", "I32": "i", "F32": "f",
           "I64": "q", "F64": "d"}
SIZES = {"BOOL": 1, "U8": 1, "I8": 1, "I16": 2, "F16": 2, "BF16": 2, "I32": 4, "F32": 4,
         "I64": 8, "F64": 8, "C64": 8}


def fail(message):
    print("invalid: " + message, file=sys.stderr)
    sys.exit(1)


def no_duplicates(pairs):
    keys = [k for k, _ in pairs]
    if len(keys) != len(set(keys)):
        fail("duplicate keys in " + repr(keys))
    return dict(pairs)


def text(value):
    if isinstance(value, bool):
        return "true" if value else "false"
    return repr(value)


def decode(dtype, count, raw):
    if dtype in FORMATS:
        return [text(v) for v in struct.unpack("<%d%s" % (count, FORMATS[dtype]), raw)]
    if dtype == "BF16":
        halves = struct.unpack("<%dH" % count, raw)
        return [repr(struct.unpack("<f", struct.pack("<I", h << 16))[0]) for h in halves]
    if dtype == "C64":
        parts = struct.unpack("<%df" % (2 * count), raw)
        return [repr(complex(parts[2 * i], parts[2 * i + 1])) for i in range(count)]
    fail("unknown dtype " + dtype)


def main(path):
    with open(path, "rb") as f:
        data = f.read()
    if len(data) < 8:
        fail("shorter than 8 bytes")
    (n,) = struct.unpack("<Q", data[:8])
    if 8 + n > len(data):
        fail("header length past the end")
    header_text = data[8:8 + n].decode("utf-8")
    if not header_text.startswith("{"):
        fail("header does not start with '{'")
    header = json.loads(header_text, object_pairs_hook=no_duplicates)
    metadata = header.pop("__metadata__", {})
    if not all(isinstance(k, str) and isinstance(v, str) for k, v in metadata.items()):
        fail("__metadata__ is not a string map")
    buffer = data[8 + n:]
    aligned = (8 + n) % 8 == 0
    expected = 0
    for name, info in sorted(header.items(), key=lambda kv: tuple(kv[1]["data_offsets"])):
        begin, end = info["data_offsets"]
        if begin != expected:
            fail("offsets of %s are not contiguous" % name)
        count = 1
        for d in info["shape"]:
            count *= d
        if info["dtype"] not in SIZES:
            fail("unknown dtype " + info["dtype"])
        if end - begin != count * SIZES[info["dtype"]]:
            fail("byte length of %s" % name)
        aligned = aligned and begin % SIZES[info["dtype"]] == 0
        expected = end
    if expected != len(buffer):
        fail("buffer is %d bytes, tensors need %d" % (len(buffer), expected))

    print("header_length", n)
    print("aligned", "yes" if aligned else "no")
    for key in sorted(metadata):
        print("metadata", key, metadata[key])
    for name in sorted(header):
        info = header[name]
        begin, end = info["data_offsets"]
        count = 1
        for d in info["shape"]:
            count *= d
        raw = buffer[begin:end]
        shape = "[" + ",".join(str(d) for d in info["shape"]) + "]"
        values = decode(info["dtype"], count, raw)
        print("tensor", name, info["dtype"], shape, begin, end, "hex", raw.hex() or "-",
              "values", " ".join(values))


if __name__ == "__main__":
    if len(sys.argv) != 2:
        fail("usage: parse_safetensors.py FILE")
    main(sys.argv[1])
