"""TF 1.15's node names, gradient node names, allowed dtypes and error texts of the
elementwise math and nn ops (issue 24), for tests/math_ops_test.cpp.

Run by hand (CI never installs TF):
    /work/venv-tf115/bin/python tools/tf115/make_math_op_goldens.py > tests/golden/math_ops_tf115.json
"""
import json
import sys

import tensorflow as tf
from tensorflow.python.framework import op_def_registry

UNARY = {
    "sqrt": tf.sqrt, "rsqrt": tf.math.rsqrt, "abs": tf.abs, "sign": tf.sign,
    "reciprocal": tf.math.reciprocal, "floor": tf.floor, "ceil": tf.math.ceil,
    "round": tf.round, "leaky_relu": tf.nn.leaky_relu, "elu": tf.nn.elu,
    "softplus": tf.nn.softplus, "relu6": tf.nn.relu6, "logical_not": tf.logical_not,
}
BINARY = {
    "maximum": tf.maximum, "minimum": tf.minimum, "pow": tf.pow,
    "squared_difference": tf.math.squared_difference, "equal": tf.equal,
    "not_equal": tf.not_equal, "greater": tf.greater, "greater_equal": tf.greater_equal,
    "less": tf.less, "less_equal": tf.less_equal, "logical_and": tf.logical_and,
    "logical_or": tf.logical_or, "truncatediv": tf.truncatediv, "floordiv": tf.floordiv,
    "floormod": tf.floormod, "divide": tf.divide,
}
BOOL_IN = {"logical_not", "logical_and", "logical_or"}
INT_IN = {"truncatediv"}
NO_GRAD = {"floor", "ceil", "round", "sign", "equal", "not_equal", "greater", "greater_equal",
           "less", "less_equal", "logical_and", "logical_or", "logical_not", "truncatediv",
           "floordiv", "floormod"}
OP_TYPES = ["Sqrt", "Rsqrt", "Abs", "Sign", "Reciprocal", "Floor", "Ceil", "Round", "LeakyRelu",
            "Elu", "Softplus", "Relu6", "Maximum", "Minimum", "Pow", "SquaredDifference", "Equal",
            "NotEqual", "Greater", "GreaterEqual", "Less", "LessEqual", "LogicalAnd", "LogicalOr",
            "LogicalNot", "TruncateDiv", "FloorDiv", "FloorMod", "Select", "SelectV2",
            "SqrtGrad", "RsqrtGrad", "ReciprocalGrad", "EluGrad", "SoftplusGrad", "Relu6Grad",
            "LeakyReluGrad"]


def names(g):
    return [op.name + ":" + op.type for op in g.get_operations()]


def graph_of(fn, dtype, grad):
    g = tf.Graph()
    with g.as_default():
        x = tf.placeholder(dtype, [2, 3], name="x")
        ys = fn(x)
        before = len(g.get_operations())
        if grad:
            tf.gradients(ys, [x])
        ops = names(g)
        return ops[1:before], ops[before:]


def main():
    out = {"unary": {}, "binary": {}, "types": {}, "errors": {}}
    for name, fn in UNARY.items():
        dtype = tf.bool if name in BOOL_IN else tf.float32
        fwd, bwd = graph_of(fn, dtype, name not in NO_GRAD)
        out["unary"][name] = {"forward": fwd, "gradient": bwd}
    for name, fn in BINARY.items():
        dtype = tf.bool if name in BOOL_IN else (tf.int32 if name in INT_IN else tf.float32)
        g = tf.Graph()
        with g.as_default():
            x = tf.placeholder(dtype, [2, 3], name="x")
            y = tf.placeholder(dtype, [3], name="y")
            z = fn(x, y)
            before = len(g.get_operations())
            if name not in NO_GRAD:
                tf.gradients(z, [x, y])
            ops = names(g)
        entry = {"forward": ops[2:before], "gradient": ops[before:]}
        g = tf.Graph()
        with g.as_default():
            x = tf.placeholder(dtype, [2, 3], name="x")
            y = tf.placeholder(dtype, [4], name="y")
            try:
                fn(x, y)
            except ValueError as e:
                entry["broadcast_error"] = str(e)
        out["binary"][name] = entry
    # divide of integers: truediv's casts.
    for dt in ["int8", "int16", "uint8", "int32", "int64"]:
        g = tf.Graph()
        with g.as_default():
            x = tf.placeholder(dt, [2], name="x")
            y = tf.placeholder(dt, [2], name="y")
            z = tf.divide(x, y)
            out["binary"]["divide_" + dt] = {"forward": names(g)[2:], "dtype": z.dtype.name}
    # clip_by_value, where, where_v2.
    for name in ["clip_by_value", "where", "where_v2"]:
        g = tf.Graph()
        with g.as_default():
            x = tf.placeholder(tf.float32, [2, 3], name="x")
            y = tf.placeholder(tf.float32, [2, 3], name="y")
            c = tf.placeholder(tf.bool, [2, 3], name="c")
            if name == "clip_by_value":
                z = tf.clip_by_value(x, -0.5, 0.5)
                wrt = [x]
            elif name == "where":
                z = tf.where(c, x, y)
                wrt = [x, y]
            else:
                z = tf.where_v2(c, x, y)
                wrt = [x, y]
            before = len(g.get_operations())
            tf.gradients(z, wrt)
            ops = names(g)
        out["binary"][name] = {"forward": ops[3:before], "gradient": ops[before:]}
    # Values of the integer quotients (TF's CPU kernels).
    with tf.Graph().as_default(), tf.Session() as s:
        a = [7, -7, 7, -7, -2147483648, 5]
        b = [2, 2, -2, -2, 3, 5]
        xa = tf.constant(a, tf.int32)
        xb = tf.constant(b, tf.int32)
        fa = tf.constant([7.5, -7.5, 7.5, -7.5, 0.0, -0.0], tf.float64)
        fb = tf.constant([2.0, 2.0, -2.0, -2.0, 3.0, 3.0], tf.float64)
        vals = s.run({"truncatediv": tf.truncatediv(xa, xb), "floordiv": tf.floordiv(xa, xb),
                      "floormod": tf.floormod(xa, xb), "divide": tf.divide(xa, xb),
                      "floordiv_f": tf.floordiv(fa, fb), "floormod_f": tf.floormod(fa, fb),
                      "round": tf.round(tf.constant([0.5, 1.5, 2.5, -0.5, -1.5, 2.4])),
                      "int_min_div": tf.divide(tf.constant([-2147483648]), tf.constant([-1]))})
        out["values"] = {"x": a, "y": b, "fx": [7.5, -7.5, 7.5, -7.5, 0.0, -0.0],
                         "fy": [2.0, 2.0, -2.0, -2.0, 3.0, 3.0]}
        for k, v in vals.items():
            out["values"][k] = [float(t) for t in v]
    reg = op_def_registry.get_registered_ops()
    for t in OP_TYPES:
        od = reg[t]
        for a in od.attr:
            if a.name == "T":
                allowed = [tf.as_dtype(v).name for v in a.allowed_values.list.type]
                out["types"][t] = ", ".join(allowed)
        out["types"][t + ":inputs"] = ", ".join(i.name for i in od.input_arg)
        out["types"][t + ":outputs"] = ", ".join(o.name for o in od.output_arg)
        out["types"][t + ":attrs"] = ", ".join(
            a.name + "=" + (str(a.default_value).strip().replace("\n", " ") if a.HasField("default_value") else "")
            for a in od.attr)
    # dtype errors
    g = tf.Graph()
    with g.as_default():
        xi = tf.placeholder(tf.int32, [2], name="xi")
        for name, fn in [("sqrt", tf.sqrt), ("floor", tf.floor), ("elu", tf.nn.elu)]:
            try:
                fn(xi)
            except TypeError as e:
                out["errors"][name + "_int32"] = str(e)
        try:
            tf.nn.leaky_relu(xi)
        except Exception as e:
            out["errors"]["leaky_relu_int32"] = type(e).__name__ + ": " + str(e)
        try:
            tf.logical_and(xi, xi)
        except TypeError as e:
            out["errors"]["logical_and_int32"] = str(e)
    json.dump(out, sys.stdout, indent=1, sort_keys=True)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
