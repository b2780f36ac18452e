"""TF 1.15's node names, attributes, gradient node names, allowed dtypes, error texts and
values of reduce_max/reduce_min/reduce_prod, argmax/argmin, cumsum and cumprod (issue 24), for
tests/reduction_ops_test.cpp.

Run by hand (CI never installs TF):
    /work/venv-tf115/bin/python tools/tf115/make_reduction_goldens.py > tests/golden/reductions_tf115.json
"""
import json
import math
import sys

import numpy as np
import tensorflow as tf
from tensorflow.python.framework import op_def_registry

NAN = float("nan")

# Each builder case: x [2, 3] float32 placeholder "x" -> the op.
CASES = {
    "reduce_max": lambda x: tf.reduce_max(x),
    "reduce_max_axis": lambda x: tf.reduce_max(x, axis=[-1], keepdims=True),
    "reduce_min": lambda x: tf.reduce_min(x, axis=0),
    "reduce_prod": lambda x: tf.reduce_prod(x, axis=[0, 1]),
    "reduce_prod_all": lambda x: tf.reduce_prod(x),
    "argmax": lambda x: tf.argmax(x),
    "argmax_axis": lambda x: tf.argmax(x, axis=1, output_type=tf.int32),
    "argmin": lambda x: tf.argmin(x, axis=-1),
    "argmax_named": lambda x: tf.argmax(x, axis=1, name="best"),
    "cumsum": lambda x: tf.cumsum(x),
    "cumsum_flags": lambda x: tf.cumsum(x, axis=1, exclusive=True, reverse=True),
    "cumsum_named": lambda x: tf.cumsum(x, axis=-1, name="running"),
    "cumprod": lambda x: tf.math.cumprod(x, axis=1, exclusive=True),
}
GRADIENTS = ["reduce_max", "reduce_max_axis", "reduce_min", "reduce_prod", "argmax",
             "cumsum", "cumsum_flags", "cumprod"]
OP_TYPES = ["Max", "Min", "Prod", "ArgMax", "ArgMin", "Cumsum", "Cumprod"]


def names(g, start):
    return [op.name + ":" + op.type for op in g.get_operations()[start:]]


def node_attrs(op):
    out = {}
    for k, v in sorted(op.node_def.attr.items()):
        if v.HasField("b") or v.WhichOneof("value") == "b":
            out[k] = v.b
        elif v.WhichOneof("value") == "type":
            out[k] = tf.as_dtype(v.type).name
        elif v.WhichOneof("value") == "tensor":
            t = tf.make_ndarray(v.tensor)
            out[k] = {"dtype": tf.as_dtype(v.tensor.dtype).name, "value": t.tolist()}
    return out


def first_line(e):
    return str(e).split("\n")[0]


def run_error(build, feed=None):
    g = tf.Graph()
    with g.as_default():
        try:
            y = build()
            with tf.Session() as s:
                s.run(y, feed_dict=feed(g) if feed else None)
            return "no error"
        except Exception as e:  # the text is what is recorded
            return type(e).__name__ + ": " + first_line(e)


def main():
    out = {"builders": {}, "types": {}, "errors": {}, "values": {}}
    for name, fn in CASES.items():
        g = tf.Graph()
        with g.as_default():
            x = tf.placeholder(tf.float32, [2, 3], name="x")
            y = fn(x)
            before = len(g.get_operations())
            entry = {"forward": names(g, 1), "output": y.name, "shape": y.shape.as_list(),
                     "dtype": y.dtype.name, "attrs": node_attrs(y.op)}
            entry["consts"] = {op.name: node_attrs(op)["value"] for op in g.get_operations()
                               if op.type == "Const"}
            if name in GRADIENTS:
                try:
                    grads = tf.gradients(y, [x])
                    entry["gradient"] = names(g, before)
                    entry["gradient_output"] = grads[0].name if grads[0] is not None else None
                except LookupError as e:
                    entry["gradient_error"] = str(e)
        out["builders"][name] = entry
    reg = op_def_registry.get_registered_ops()
    for t in OP_TYPES:
        od = reg[t]
        for a in od.attr:
            if a.name == "T":
                out["types"][t] = ", ".join(tf.as_dtype(v).name for v in a.allowed_values.list.type)
            if a.name == "output_type":
                out["types"][t + ":output_type"] = ", ".join(
                    tf.as_dtype(v).name for v in a.allowed_values.list.type)
        out["types"][t + ":inputs"] = ", ".join(i.name for i in od.input_arg)
        out["types"][t + ":outputs"] = ", ".join(o.name for o in od.output_arg)
        out["types"][t + ":attrs"] = ", ".join(
            a.name + "=" + (str(a.default_value).strip().replace("\n", " ")
                            if a.HasField("default_value") else "") for a in od.attr)
    z = lambda shape: tf.zeros(shape, name="x")  # noqa: E731
    unknown = lambda g: tf.placeholder(tf.float32, None, name="x")  # noqa: E731
    feed23 = lambda g: {g.get_tensor_by_name("x:0"): np.zeros([2, 3], np.float32)}  # noqa: E731
    errors = out["errors"]
    errors["max_axis_graph"] = run_error(lambda: tf.reduce_max(z([2, 3]), axis=[5]))
    errors["argmax_axis_graph"] = run_error(lambda: tf.argmax(z([2, 3]), axis=5))
    errors["argmin_axis_graph"] = run_error(lambda: tf.argmin(z([2, 3]), axis=-3))
    errors["max_axis_run"] = run_error(lambda: tf.reduce_max(unknown(None), axis=[5]), feed23)
    errors["argmax_axis_run"] = run_error(lambda: tf.argmax(unknown(None), axis=5), feed23)
    errors["argmax_vector_axis_run"] = run_error(lambda: tf.argmax(z([3]), axis=2))
    errors["argmax_empty_run"] = run_error(lambda: tf.argmax(z([0, 3]), axis=0))
    errors["cumsum_axis_run"] = run_error(lambda: tf.cumsum(z([2, 3]), axis=5))
    errors["cumsum_negative_axis_run"] = run_error(lambda: tf.cumsum(z([2, 3]), axis=-3))
    errors["argmax_bool"] = run_error(lambda: tf.argmax(tf.constant([True])))
    errors["max_bool"] = run_error(lambda: tf.reduce_max(tf.constant([True])))
    errors["argmax_float_output"] = run_error(
        lambda: tf.argmax(z([2]), output_type=tf.float32))
    vals = out["values"]
    with tf.Graph().as_default(), tf.Session() as s:
        inputs = {
            "nan_middle": [1.0, NAN, 2.0],
            "nan_first": [NAN, 1.0, 2.0],
            "all_nan": [NAN, NAN],
            "negative": [-1.0, NAN, -2.0],
            "ties": [1.0, 3.0, 3.0, 2.0, 1.0],
            "empty": [],
            "long_nan": [float(i) for i in range(1, 20)] + [NAN] + [float(i) for i in range(20, 40)],
        }
        for k, v in inputs.items():
            x = tf.constant(np.array(v, np.float32))
            r = s.run({"max": tf.reduce_max(x), "min": tf.reduce_min(x), "prod": tf.reduce_prod(x)})
            if v:
                r.update(s.run({"argmax": tf.argmax(x), "argmin": tf.argmin(x)}))
            vals[k] = {"x": [None if math.isnan(t) else t for t in v]}
            for rk, rv in r.items():
                f = float(rv)
                vals[k][rk] = "nan" if math.isnan(f) else ("inf" if f == math.inf else (
                    "-inf" if f == -math.inf else f))
        xi = tf.constant(np.array([[3, 7, 7], [-5, -5, 2]], np.int32))
        ei = tf.zeros([0], tf.int32)
        r = s.run({"max": tf.reduce_max(xi, 1), "min": tf.reduce_min(xi, 1),
                   "prod": tf.reduce_prod(xi, 1), "argmax": tf.argmax(xi, 1),
                   "argmin": tf.argmin(xi, 1), "cumsum": tf.cumsum(xi, 1),
                   "empty_max": tf.reduce_max(ei), "empty_min": tf.reduce_min(ei),
                   "empty_prod": tf.reduce_prod(ei),
                   "prod_wraps": tf.reduce_prod(tf.constant([65536, 65537], tf.int32))})
        vals["int32"] = {k: np.asarray(v).tolist() for k, v in r.items()}
        xc = tf.constant(np.array([[1, 2, 3], [4, 5, 6]], np.float32))
        r = s.run({"cumsum_1": tf.cumsum(xc, 1), "cumsum_0": tf.cumsum(xc, 0),
                   "exclusive": tf.cumsum(xc, 1, exclusive=True),
                   "reverse": tf.cumsum(xc, 1, reverse=True),
                   "exclusive_reverse": tf.cumsum(xc, 1, exclusive=True, reverse=True),
                   "cumprod_1": tf.math.cumprod(xc, 1),
                   "cumprod_exclusive_reverse": tf.math.cumprod(xc, 1, exclusive=True,
                                                                reverse=True)})
        vals["cumsum"] = {k: np.asarray(v).tolist() for k, v in r.items()}
    json.dump(out, sys.stdout, indent=1, sort_keys=True)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
