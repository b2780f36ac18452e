"""Records how TensorFlow 1.15's tf.layers name and share variables and ops, for
tests/layers_test.cpp (issue 25).

Run by hand, never in CI or tests, with TF 1.15 from PyPI:

    python3.7 -m venv /work/venv-tf115
    /work/venv-tf115/bin/pip install tensorflow-cpu==1.15.0 'protobuf<3.21' 'numpy<1.19'
    /work/venv-tf115/bin/python tools/tf115/make_layer_goldens.py

It writes tests/golden/layers_tf115.json: per case, the global and trainable variables (name,
shape) and every op outside the variables' own (name, type, inputs), plus the error text of
a named layer built twice without reuse, and dense's values for fixed weights.
"""
import json
import os

import numpy as np
import tensorflow as tf

assert tf.__version__.startswith("1.15"), tf.__version__

X = [[0.5, -1.0, 2.0, 0.25], [1.5, 0.25, -0.5, -2.0]]


def unnamed(x):
    tf.layers.dense(x, 3)
    tf.layers.dense(x, 2, activation=tf.nn.relu)


def scoped(x):
    with tf.variable_scope("tower"):
        tf.layers.dense(x, 3)
        tf.layers.dense(x, 3)
    with tf.variable_scope("tower", reuse=True):
        tf.layers.dense(x, 3)


def shared(x):
    with tf.name_scope("ns"):
        tf.layers.dense(x, 3, name="fc", reuse=tf.AUTO_REUSE)
        tf.layers.dense(x, 3, name="fc", reuse=tf.AUTO_REUSE)
    tf.layers.dense(x, 3, name="fc", reuse=tf.AUTO_REUSE)


def options(x):
    tf.layers.dense(x, 3, use_bias=False, activation=tf.nn.tanh, trainable=False)
    tf.layers.dense(x, 2, activation=tf.nn.sigmoid, name="out")


CASES = {"unnamed": unnamed, "scoped": scoped, "shared": shared, "options": options}


def variable_internal(op):
    return (op.type in ("VariableV2", "Assign") or op.name.endswith("/read")
            or "/Initializer/" in op.name)


def record(build):
    g = tf.Graph()
    with g.as_default():
        x = tf.placeholder(tf.float32, [2, 4], name="x")
        first = len(g.get_operations())
        build(x)
        return {
            "global": [[v.op.name, v.shape.as_list()] for v in tf.global_variables()],
            "trainable": [v.op.name for v in tf.trainable_variables()],
            "ops": [[op.name, op.type, [t.name for t in op.inputs]]
                    for op in g.get_operations()[first:] if not variable_internal(op)],
        }


def twice_error():
    g = tf.Graph()
    with g.as_default():
        x = tf.placeholder(tf.float32, [2, 4], name="x")
        tf.layers.dense(x, 3, name="fc")
        try:
            tf.layers.dense(x, 3, name="fc")
        except ValueError as e:
            return str(e).split("\n")[0]
    return None


def values():
    g = tf.Graph()
    with g.as_default():
        k = np.arange(12, dtype=np.float32).reshape(4, 3) / 10 - 0.5
        y = tf.layers.dense(tf.constant(X, tf.float32), 3, activation=tf.nn.relu,
                            kernel_initializer=tf.constant_initializer(k),
                            bias_initializer=tf.constant_initializer(0.1))
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            return {"x": np.ravel(X).tolist(), "kernel": k.ravel().tolist(), "bias": 0.1,
                    "y": sess.run(y).ravel().astype(float).tolist()}


def main():
    out = {"tf_version": tf.__version__, "twice_error": twice_error(), "values": values()}
    out.update({name: record(build) for name, build in CASES.items()})
    path = os.path.join(os.path.dirname(__file__), "..", "..", "tests", "golden", "layers_tf115.json")
    with open(path, "w") as f:
        json.dump(out, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
