#!/usr/bin/env python3
"""Packs the op table's rows (src/host/graph/op_rows/*_ops.cpp, the `kRows` array between
`// clang-format off` and `// clang-format on`): each row's fields joined and wrapped at 100
columns, comments kept above their row. clang-format would give each designated field its
own line.

    python3 tools/pack_op_table.py [files...]   (default: every src/host/graph/op_rows/*_ops.cpp)
"""
import glob
import sys


def rows(body):
    """Yields (comments, row text) in order; a row is a brace-balanced {...} block."""
    i, comments = 0, []
    while i < len(body):
        if body.startswith("//", i):
            j = body.find("\n", i)
            comments.append(body[i:j].strip())
            i = j
        elif body[i] == "{":
            depth, j, row, in_str = 0, i, "", False
            while True:
                ch = body[j]
                if not in_str and body.startswith("//", j):
                    k = body.find("\n", j)
                    comments.append(body[j:k].strip())
                    j = k
                    continue
                if ch == '"':
                    in_str = not in_str
                if not in_str:
                    depth += ch == "{"
                    depth -= ch == "}"
                row += ch
                j += 1
                if depth == 0:
                    break
            yield comments, row
            comments, i = [], j
        else:
            i += 1


def fields(row):
    """The row's top-level fields, whitespace collapsed outside string literals."""
    out, cur, depth, in_str = [], "", 0, False
    inner = row[1:-1]
    k = 0
    while k < len(inner):
        ch = inner[k]
        if ch == '"':
            in_str = not in_str
        if not in_str and ch.isspace():
            if cur and not cur.endswith(" "):
                cur += " "
            k += 1
            continue
        if not in_str:
            depth += ch in "{("
            depth -= ch in "})"
            if ch == "," and depth == 0:
                out.append(cur.strip())
                cur = ""
                k += 1
                continue
        cur += ch
        k += 1
    if cur.strip():
        out.append(cur.strip())
    return out


def pack(path):
  text = open(path).read()
  head = "constexpr OpDef kRows[] = {"
  start = text.index(head) + len(head)
  end = text.index("\n};", start)
  lines = []
  for comments, row in rows(text[start:end]):
      lines += ["    " + c for c in dict.fromkeys(comments)]
      parts, cur = fields(row), "{"
      packed = []
      for n, f in enumerate(parts):
          piece = f + ("," if n < len(parts) - 1 else "},")
          indent = "    " if not packed else "     "
          candidate = cur + piece if cur == "{" else cur + " " + piece
          if len(indent) + len(candidate) > 100:
              packed.append(indent + cur)
              cur = piece
          else:
              cur = candidate
      packed.append(("    " if not packed else "     ") + cur)
      lines += packed
  open(path, "w").write(text[:start] + "\n" + "\n".join(lines) + text[end:])


for path in sys.argv[1:] or sorted(glob.glob("src/host/graph/op_rows/*_ops.cpp")):
  pack(path)
