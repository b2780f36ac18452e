"""Records TF 1.15's tf.compat.v1.metrics graphs (accuracy, mean) for tests/metrics_test.cpp
(issue 25).

Run by hand, never in CI or tests, with TF 1.15 from PyPI:

    /work/venv-tf115/bin/python tools/tf115/make_metric_goldens.py

It writes tests/golden/metrics_tf115.json: for each program below, every node it builds
(name, type, data inputs, control inputs) in creation order, the LOCAL_VARIABLES,
METRIC_VARIABLES and GLOBAL_VARIABLES collections, the value and update tensors' names, and
the values they take: the update op and then the value after each of two batches, then the
value after local_variables_initializer ran again.
"""
import json
import os

import numpy as np
import tensorflow as tf

assert tf.__version__.startswith("1.15"), tf.__version__

BATCHES = [
    {"labels": [1, 2, 3, 0], "preds": [1, 2, 0, 0], "weights": [1.0, 0.5, 2.0, 0.0],
     "values": [[1.0, 2.0, 3.0], [4.0, 5.0, 6.0]], "row_weights": [[1.0], [3.0]]},
    {"labels": [0, 0, 1, 1], "preds": [0, 1, 1, 1], "weights": [0.0, 1.0, 1.0, 4.0],
     "values": [[-1.0, 0.5, 2.0], [0.0, 8.0, -3.0]], "row_weights": [[0.0], [2.0]]},
]


def nodes(g):
    return [[op.name, op.type, [t.name for t in op.inputs], [c.name for c in op.control_inputs]]
            for op in g.get_operations()]


def placeholders():
    labels = tf.placeholder(tf.int32, [4], name="labels")
    preds = tf.placeholder(tf.int64, [4], name="preds")
    return labels, preds


def programs():
    def accuracy():
        labels, preds = placeholders()
        return tf.metrics.accuracy(labels, preds)

    def accuracy_weighted_twice():
        labels, preds = placeholders()
        w = tf.placeholder(tf.float32, [4], name="weights")
        tf.metrics.accuracy(labels, labels)
        return tf.metrics.accuracy(labels, preds, weights=w)

    def accuracy_named_literal_weights():
        labels = tf.placeholder(tf.int32, [4], name="labels")
        preds = tf.placeholder(tf.int32, [4], name="preds")
        return tf.metrics.accuracy(labels, preds, weights=[1.0, 1.0, 0.0, 2.0], name="acc")

    def mean_after_op_named_mean():
        v = tf.placeholder(tf.float32, [2, 3], name="values")
        tf.identity(v, name="mean")
        return tf.metrics.mean(v)

    def mean_broadcast_weights():
        v = tf.placeholder(tf.float32, [2, 3], name="values")
        w = tf.placeholder(tf.float32, [2, 1], name="row_weights")
        return tf.metrics.mean(v, weights=w)

    def mean_in_scope():
        v = tf.placeholder(tf.float32, [2, 3], name="values")
        with tf.name_scope("eval"):
            return tf.metrics.mean(v, name="loss_mean", metrics_collections=["my_metrics"],
                                   updates_collections=[tf.GraphKeys.UPDATE_OPS])

    return {"accuracy": accuracy, "accuracy_weighted_twice": accuracy_weighted_twice,
            "accuracy_named_literal_weights": accuracy_named_literal_weights,
            "mean_after_op_named_mean": mean_after_op_named_mean,
            "mean_broadcast_weights": mean_broadcast_weights, "mean_in_scope": mean_in_scope}


def feeds(g, batch):
    out = {}
    for name, value in batch.items():
        try:
            out[g.get_tensor_by_name(name + ":0")] = value
        except KeyError:
            pass
    return out


def names(xs):
    return [x.name for x in xs]


def error(make):
    g = tf.Graph()
    with g.as_default():
        try:
            make()
        except ValueError as e:
            return str(e)
    raise AssertionError("no error")


def main():
    out = {}
    for key, make in programs().items():
        g = tf.Graph()
        with g.as_default():
            value, update = make()
            record = {
                "nodes": nodes(g),
                "local_variables": names(g.get_collection(tf.GraphKeys.LOCAL_VARIABLES)),
                "metric_variables": names(g.get_collection(tf.GraphKeys.METRIC_VARIABLES)),
                "global_variables": names(g.get_collection(tf.GraphKeys.GLOBAL_VARIABLES)),
                "update_ops": names(g.get_collection(tf.GraphKeys.UPDATE_OPS)),
                "my_metrics": names(g.get_collection("my_metrics")),
                "value": value.name,
                "update_op": update.name,
                "runs": [],
            }
            with tf.Session() as sess:
                sess.run(tf.local_variables_initializer())
                for batch in BATCHES:
                    u = sess.run(update, feeds(g, batch))
                    v = sess.run(value)
                    record["runs"].append([float(u), float(v)])
                sess.run(tf.local_variables_initializer())
                record["after_reset"] = float(sess.run(value))
        out[key] = record
    out["errors"] = {
        "shapes": error(lambda: tf.metrics.accuracy(tf.zeros([4], tf.int32), tf.zeros([3], tf.int32))),
        "weights_dim": error(lambda: tf.metrics.mean(tf.zeros([2, 3]), weights=tf.zeros([2, 2]))),
    }
    out["batches"] = BATCHES
    path = os.path.join(os.path.dirname(__file__), "..", "..", "tests", "golden", "metrics_tf115.json")
    with open(path, "w") as f:
        json.dump(out, f, indent=1, sort_keys=True)
        f.write("\n")


if __name__ == "__main__":
    main()
