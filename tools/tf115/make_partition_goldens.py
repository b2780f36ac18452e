"""Records how TensorFlow 1.15 partitions variables, for tests/partitioned_variables_test.cpp
(issue 25).

Run by hand, never in CI or tests, with TF 1.15 from PyPI:

    python3.7 -m venv /work/venv-tf115
    /work/venv-tf115/bin/pip install tensorflow-cpu==1.15.0 'protobuf<3.21' 'numpy<1.19'
    /work/venv-tf115/bin/python tools/tf115/make_partition_goldens.py

It writes tests/golden/partition_tf115.json:
  partitioners: for each partitioner and (shape, dtype), the partition list it returns and the
      parts get_variable makes (how many, and the first two and last of many: name, shape, save_slice_info: full name, full shape, offset,
      shape, and its spec string), or the error text;
  graphs: the ops (name, type, inputs) of a partitioned get_variable in a scope with a
      partitioner, of as_tensor() called twice, and of embedding_lookup over a partitioned
      table with partition_strategy "mod" and "div"; the global and trainable variables;
  errors: the texts TF raises for mismatched reuses of a partitioned variable;
  values: as_tensor() and the lookups for a table initialized from a constant, and the
      glorot-uniform bound each part's initializer uses (fans of the full shape).
"""
import json
import os

import numpy as np
import tensorflow as tf

assert tf.__version__.startswith("1.15"), tf.__version__
tf1 = tf.compat.v1

SHAPES = [[7, 2], [10, 3], [3, 4], [1, 5], [2048, 256], [300, 1000], [5, 3, 2]]
DTYPES = [("float32", tf.float32), ("float64", tf.float64), ("int32", tf.int32)]


def partitioner_cases():
    cases = []
    specs = [
        ("fixed_size_partitioner(3)", lambda: tf1.fixed_size_partitioner(3)),
        ("fixed_size_partitioner(4, axis=1)", lambda: tf1.fixed_size_partitioner(4, axis=1)),
        ("fixed_size_partitioner(1)", lambda: tf1.fixed_size_partitioner(1)),
        ("min_max_variable_partitioner(8)", lambda: tf1.min_max_variable_partitioner(8)),
        ("min_max_variable_partitioner(4, axis=1, min_slice_size=64)",
         lambda: tf1.min_max_variable_partitioner(4, axis=1, min_slice_size=64)),
        ("min_max_variable_partitioner(100, min_slice_size=16)",
         lambda: tf1.min_max_variable_partitioner(100, min_slice_size=16)),
        ("variable_axis_size_partitioner(64)", lambda: tf1.variable_axis_size_partitioner(64)),
        ("variable_axis_size_partitioner(100, axis=1)",
         lambda: tf1.variable_axis_size_partitioner(100, axis=1)),
        ("variable_axis_size_partitioner(1 << 20)",
         lambda: tf1.variable_axis_size_partitioner(1 << 20)),
        ("variable_axis_size_partitioner(40, max_shards=3)",
         lambda: tf1.variable_axis_size_partitioner(40, max_shards=3)),
        ("variable_axis_size_partitioner(1)", lambda: tf1.variable_axis_size_partitioner(1)),
    ]
    for spec, make in specs:
        for shape in SHAPES:
            for dtype_name, dtype in DTYPES:
                if dtype_name != "float32" and shape not in ([7, 2], [300, 1000]):
                    continue
                g = tf.Graph()
                case = {"partitioner": spec, "shape": shape, "dtype": dtype_name}
                with g.as_default():
                    try:
                        case["partitions"] = list(make()(shape=tf.TensorShape(shape),
                                                         dtype=dtype))
                        v = tf1.get_variable("v", shape, dtype=dtype, partitioner=make(),
                                             initializer=tf1.zeros_initializer())
                        parts = []
                        for p in v:
                            info = p._get_save_slice_info()
                            parts.append({
                                "name": p.op.name, "shape": p.shape.as_list(),
                                "full_name": info.full_name, "full_shape": info.full_shape,
                                "var_offset": info.var_offset, "var_shape": info.var_shape,
                                "spec": info.spec})
                        case["num_parts"] = len(parts)
                        # Many parts: the first two and the last keep the file small.
                        case["parts"] = parts if len(parts) <= 8 else parts[:2] + parts[-1:]
                        case["partitioned_shape"] = v.get_shape().as_list()
                    except (ValueError, IndexError) as e:
                        case["error"] = "%s: %s" % (type(e).__name__, e)
                cases.append(case)
    return cases


def ops_of(g):
    return [{"name": op.name, "type": op.type, "inputs": [t.name for t in op.inputs]
             + ["^" + c.name for c in op.control_inputs]} for op in g.get_operations()]


def names(vs):
    return [[v.op.name, v.shape.as_list()] for v in vs]


TABLE = np.arange(14, dtype=np.float32).reshape(7, 2) * 0.5 - 1.0
IDS = [[4, 0, 6], [1, 4, 5]]


def graphs_and_values():
    out = {}
    # get_variable under a scope partitioner, default (glorot) initializer; as_tensor twice.
    g = tf.Graph()
    with g.as_default():
        with tf1.variable_scope("outer", partitioner=tf1.fixed_size_partitioner(3)):
            w = tf1.get_variable("w", [7, 4])
        w.as_tensor()
        w.as_tensor()
        tf1.get_variable("b", [5], partitioner=tf1.fixed_size_partitioner(2),
                         initializer=tf1.constant_initializer(0.5), trainable=False)
        out["scope_glorot"] = {
            "ops": ops_of(g),
            "global": names(tf1.global_variables()),
            "trainable": names(tf1.trainable_variables()),
            "bounds": {op.name: float(op.get_attr("value").float_val[0])
                       for op in g.get_operations()
                       if op.type == "Const" and op.name.endswith(("/max", "/min"))},
        }
    # embedding_lookup mod and div over a constant-initialized [7, 2] table in 3 parts.
    for strategy in ["mod", "div"]:
        g = tf.Graph()
        with g.as_default():
            table = tf.constant(TABLE, name="table")
            emb = tf1.get_variable("emb", partitioner=tf1.fixed_size_partitioner(3),
                                   initializer=table)
            ids = tf1.placeholder(tf.int32, [2, 3], name="ids")
            first = len(g.get_operations())
            y = tf1.nn.embedding_lookup(emb, ids, partition_strategy=strategy)
            lookup_ops = ops_of(g)[first:]
            variable_ops = ops_of(g)[:first]
            loss = tf.reduce_sum(y * y)
            grads = tf1.gradients(loss, list(emb))
            dense = [tf1.convert_to_tensor(gr) for gr in grads]
            whole = emb.as_tensor()
            with tf1.Session() as s:
                s.run(tf1.global_variables_initializer())
                yv, gv, wv, parts = s.run([y, dense, whole, list(emb)], {ids: IDS})
            out["lookup_" + strategy] = {
                "ops": lookup_ops, "variable_ops": variable_ops, "output": y.name, "shape": y.shape.as_list(),
                "value": yv.tolist(), "part_values": [p.tolist() for p in parts],
                "part_grads": [x.tolist() for x in gv], "as_tensor": wv.tolist(),
            }
    out["lookup_ids"] = IDS
    out["table"] = TABLE.tolist()
    return out


def errors():
    out = {}

    def run(key, build):
        g = tf.Graph()
        with g.as_default():
            try:
                build()
                out[key] = None
            except ValueError as e:
                out[key] = str(e)

    p3 = tf1.fixed_size_partitioner(3)

    def twice():
        tf1.get_variable("v", [6, 2], partitioner=p3)
        tf1.get_variable("v", [6, 2], partitioner=p3)

    def reuse_shape():
        tf1.get_variable("v", [6, 2], partitioner=p3)
        with tf1.variable_scope(tf1.get_variable_scope(), reuse=True):
            tf1.get_variable("v", [5, 2], partitioner=p3)

    def reuse_dtype():
        tf1.get_variable("v", [6, 2], partitioner=p3)
        with tf1.variable_scope(tf1.get_variable_scope(), reuse=True):
            tf1.get_variable("v", [6, 2], dtype=tf.float64, partitioner=p3)

    def reuse_partitions():
        tf1.get_variable("v", [6, 2], partitioner=p3)
        with tf1.variable_scope(tf1.get_variable_scope(), reuse=True):
            tf1.get_variable("v", [6, 2], partitioner=tf1.fixed_size_partitioner(2))

    def reuse_missing():
        with tf1.variable_scope(tf1.get_variable_scope(), reuse=True):
            tf1.get_variable("v", [6, 2], partitioner=p3)

    def unpartitioned_exists():
        tf1.get_variable("v", [6, 2])
        tf1.get_variable("v", [6, 2], partitioner=p3)

    def parts_exist_fewer():
        tf1.get_variable("v/part_0", [2, 2])
        tf1.get_variable("v", [6, 2], partitioner=p3)

    def parts_exist_more():
        tf1.get_variable("v/part_0", [2, 2])
        tf1.get_variable("v/part_1", [2, 2])
        tf1.get_variable("v", [6, 2], partitioner=tf1.fixed_size_partitioner(1))

    def unknown_shape():
        tf1.get_variable("v", partitioner=p3, initializer=tf1.zeros_initializer())

    def scalar():
        tf1.get_variable("v", [], partitioner=p3)

    def two_axes():
        tf1.get_variable("v", [6, 2], partitioner=lambda shape, dtype: [2, 2])

    def wrong_rank():
        tf1.get_variable("v", [6, 2], partitioner=lambda shape, dtype: [2])

    def zero_parts():
        tf1.get_variable("v", [6, 2], partitioner=lambda shape, dtype: [0, 1])

    def min_max_axis():
        tf1.get_variable("v", [6, 2], partitioner=tf1.min_max_variable_partitioner(2, axis=2))

    def axis_size_bad():
        tf1.variable_axis_size_partitioner(0)

    def axis_size_bad_shards():
        tf1.variable_axis_size_partitioner(10, max_shards=-1)

    def lookup_bad_strategy():
        emb = tf1.get_variable("emb", [6, 2], partitioner=p3)
        tf1.nn.embedding_lookup(emb, [1], partition_strategy="bogus")

    for key, fn in list(locals().items()):
        if callable(fn) and key not in ("run", "p3"):
            run(key, fn)
    return out


def main():
    golden = {"partitioners": partitioner_cases(), "graphs": graphs_and_values(),
              "errors": errors()}
    path = os.path.join(os.path.dirname(__file__), "..", "..", "tests", "golden",
                        "partition_tf115.json")
    with open(path, "w") as f:
        json.dump(golden, f, indent=1, sort_keys=True)
        f.write("\n")
    print("wrote", os.path.normpath(path))


if __name__ == "__main__":
    main()
