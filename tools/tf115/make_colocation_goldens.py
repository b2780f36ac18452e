"""Records TensorFlow 1.15's colocation: every node's device and `_class` attribute in a model
built under tf.device scopes and trained with Adam, for tests/colocation_test.cpp (issue 27).

Run by hand, never in CI or tests, with TF 1.15 (see make_device_goldens.py for the venv):

    /work/venv-tf115/bin/python tools/tf115/make_colocation_goldens.py

It writes tests/golden/colocation_tf115.json: [name, type, device, [_class entries]] per node.
"""
import json
import os

import tensorflow as tf

assert tf.__version__.startswith("1.15"), tf.__version__


def dump(g):
    out = []
    for op in g.get_operations():
        cls = [c.decode() for c in op.node_def.attr["_class"].list.s] \
            if "_class" in op.node_def.attr else []
        out.append([op.name, op.type, op.device, cls])
    return out


def adam_model():
    """Variables on /cpu:1, the model and its Adam training on /cpu:0, init outside."""
    g = tf.Graph()
    with g.as_default():
        with tf.device("/cpu:0"):
            x = tf.placeholder(tf.float32, [4, 3], name="x")
        with tf.device("/cpu:1"):
            w = tf.get_variable("w", [3, 2], initializer=tf.random_normal_initializer(seed=1))
            b = tf.get_variable("b", [2], initializer=tf.zeros_initializer())
            v = tf.Variable(tf.constant([0.0, 0.0]), name="v")
        with tf.device("/cpu:0"):
            y = tf.matmul(x, w) + b + v
            loss = tf.reduce_mean(y * y)
            gs = tf.train.get_or_create_global_step()
            tf.train.AdamOptimizer(0.1).minimize(loss, global_step=gs)
        tf.global_variables_initializer()
        with tf.device("/cpu:1"):
            tf.group(w.initializer, b.initializer, name="one_device")
        tf.group(x.op, w.op, name="mixed")
    return dump(g)


def main():
    out = {"tf_version": tf.__version__, "adam_model": adam_model()}
    path = os.path.join(os.path.dirname(__file__), "..", "..", "tests", "golden",
                        "colocation_tf115.json")
    with open(path, "w") as f:
        json.dump(out, f, indent=0)
        f.write("\n")


if __name__ == "__main__":
    main()
