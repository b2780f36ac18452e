"""Records TF 1.15's control dependencies, tensor collections and tf.compat.v1.losses graphs,
for tests/control_dependencies_test.cpp and tests/losses_test.cpp (issue 25).

Run by hand, never in CI or tests, with TF 1.15 from PyPI:

    python3.7 -m venv /work/venv-tf115
    /work/venv-tf115/bin/pip install tensorflow-cpu==1.15.0 'protobuf<3.21' 'numpy<1.19'
    /work/venv-tf115/bin/python tools/tf115/make_loss_goldens.py

It writes tests/golden/losses_tf115.json: for each program below, every node it builds
(name, type, data inputs, control inputs) in creation order, the LOSSES and
REGULARIZATION_LOSSES collections, and the values its fetches take for the fixed inputs.
"""
import json
import os

import numpy as np
import tensorflow as tf

assert tf.__version__.startswith("1.15"), tf.__version__

LABELS = [[0.0, 1.0, 0.5], [2.0, -1.0, 0.0], [1.5, 0.5, -0.5], [0.0, 0.0, 3.0]]
PREDS = [[0.5, 0.5, 0.5], [1.0, -2.0, 0.5], [2.0, 0.0, -3.0], [0.25, 0.0, 1.0]]
ONEHOT = [[0, 1, 0], [1, 0, 0], [0, 0, 1], [0, 1, 0]]
IDS = [1, 0, 2, 1]
WEIGHTS = [[1.0], [0.0], [2.0], [0.5]]


def nodes(g, first=0):
    return [[op.name, op.type, [t.name for t in op.inputs], [c.name for c in op.control_inputs]]
            for op in g.get_operations()[first:]]


def control_program():
    a = tf.constant(1.0, name="a")
    b = tf.constant(2.0, name="b")
    with tf.control_dependencies([a.op]):
        c = tf.constant(3.0, name="c")          # gets ^a
        tf.add(b, c, name="d")                  # c was built inside: none
        e = tf.identity(b, name="e")            # b was built outside: ^a
        tf.identity(a, name="j")                # a is its data input: none
        with tf.control_dependencies([b.op, a.op]):  # a is already there: adds b only
            tf.identity(e, name="f")            # e inside the outer scope: ^b only
            tf.constant(4.0, name="g")          # ^a, ^b
        with tf.control_dependencies(None):
            tf.constant(5.0, name="h")          # none
            tf.identity(c, name="i")            # none
        tf.Variable(1.0, name="v")              # a variable's ops: none
        tf.no_op(name="n")                      # ^a
    return {}


def inputs():
    labels = tf.placeholder(tf.float32, [4, 3], name="labels")
    preds = tf.placeholder(tf.float32, [4, 3], name="preds")
    return labels, preds


def feeds(g):
    out = {}
    for name, value in (("labels", LABELS), ("preds", PREDS), ("onehot", ONEHOT), ("ids", IDS),
                        ("weights", WEIGHTS)):
        try:
            out[g.get_tensor_by_name(name + ":0")] = value
        except KeyError:
            pass
    return out


def loss_program(make):
    def build():
        loss = make()
        return {"loss": loss}
    return build


def programs():
    def mse():
        l, p = inputs()
        return {"loss": tf.losses.mean_squared_error(l, p)}

    def mse_weighted():
        l, p = inputs()
        w = tf.placeholder(tf.float32, [4, 1], name="weights")
        return {"loss": tf.losses.mean_squared_error(l, p, weights=w)}

    def mse_scalar_weight_sum():
        l, p = inputs()
        return {"loss": tf.losses.mean_squared_error(l, p, weights=2.0, reduction=tf.losses.Reduction.SUM)}

    def mse_none():
        l, p = inputs()
        return {"loss": tf.losses.mean_squared_error(l, p, reduction=tf.losses.Reduction.NONE)}

    def mse_mean():
        l, p = inputs()
        w = tf.placeholder(tf.float32, [4, 1], name="weights")
        return {"loss": tf.losses.mean_squared_error(l, p, weights=w, reduction=tf.losses.Reduction.MEAN)}

    def mse_batch_size():
        l, p = inputs()
        return {"loss": tf.losses.mean_squared_error(
            l, p, reduction=tf.losses.Reduction.SUM_OVER_BATCH_SIZE)}

    def absolute():
        l, p = inputs()
        return {"loss": tf.losses.absolute_difference(l, p)}

    def huber():
        l, p = inputs()
        return {"loss": tf.losses.huber_loss(l, p, delta=0.75)}

    def sparse():
        p = tf.placeholder(tf.float32, [4, 3], name="preds")
        ids = tf.placeholder(tf.int32, [4], name="ids")
        return {"loss": tf.losses.sparse_softmax_cross_entropy(ids, p)}

    def sigmoid():
        l, p = inputs()
        return {"loss": tf.losses.sigmoid_cross_entropy(l, p)}

    def sigmoid_smoothed():
        l, p = inputs()
        return {"loss": tf.losses.sigmoid_cross_entropy(l, p, label_smoothing=0.2)}

    def softmax():
        p = tf.placeholder(tf.float32, [4, 3], name="preds")
        onehot = tf.placeholder(tf.float32, [4, 3], name="onehot")
        return {"loss": tf.losses.softmax_cross_entropy(onehot, p)}

    def softmax_smoothed():
        p = tf.placeholder(tf.float32, [4, 3], name="preds")
        onehot = tf.placeholder(tf.float32, [4, 3], name="onehot")
        return {"loss": tf.losses.softmax_cross_entropy(onehot, p, label_smoothing=0.1)}

    def two_losses_total():
        l, p = inputs()
        with tf.variable_scope("reg"):
            w = tf.get_variable("w", [3], initializer=tf.constant_initializer([0.5, -1.0, 2.0]))
        tf.add_to_collection(tf.GraphKeys.REGULARIZATION_LOSSES,
                             tf.multiply(0.01, tf.reduce_sum(tf.square(w)), name="reg_loss"))
        a = tf.losses.mean_squared_error(l, p)
        b = tf.losses.absolute_difference(l, p, scope="abs")
        return {"a": a, "b": b, "total": tf.losses.get_total_loss(),
                "regularization": tf.losses.get_regularization_loss()}

    return {"mean_squared_error": mse, "mean_squared_error_weighted": mse_weighted,
            "mean_squared_error_sum": mse_scalar_weight_sum, "mean_squared_error_none": mse_none,
            "mean_squared_error_mean": mse_mean,
            "mean_squared_error_sum_over_batch_size": mse_batch_size,
            "absolute_difference": absolute, "huber_loss": huber,
            "sparse_softmax_cross_entropy": sparse, "total_loss": two_losses_total,
            "sigmoid_cross_entropy": sigmoid, "sigmoid_cross_entropy_smoothed": sigmoid_smoothed,
            "softmax_cross_entropy": softmax, "softmax_cross_entropy_smoothed": softmax_smoothed}


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
    g = tf.Graph()
    with g.as_default():
        control_program()
    out["control_dependencies"] = {"nodes": nodes(g)}
    for name, make in programs().items():
        g = tf.Graph()
        with g.as_default():
            fetches = make()
            first_loss_nodes = nodes(g)
            with tf.Session() as sess:
                sess.run(tf.global_variables_initializer())
                values = sess.run(fetches, feeds(g))
        out[name] = {
            "nodes": first_loss_nodes,
            "losses": [t.name for t in g.get_collection(tf.GraphKeys.LOSSES)],
            "regularization_losses": [t.name for t in g.get_collection(tf.GraphKeys.REGULARIZATION_LOSSES)],
            "fetches": {k: t.name for k, t in fetches.items()},
            "values": {k: np.asarray(v, dtype=np.float64).tolist() for k, v in values.items()},
        }
    out["errors"] = {
        "weights_rank": error(lambda: tf.losses.mean_squared_error(
            tf.zeros([4, 3]), tf.zeros([4, 3]), weights=tf.zeros([4]))),
        "weights_dim": error(lambda: tf.losses.mean_squared_error(
            tf.zeros([4, 3]), tf.zeros([4, 3]), weights=tf.zeros([4, 2]))),
        "shapes": error(lambda: tf.losses.mean_squared_error(tf.zeros([4, 3]), tf.zeros([4, 2]))),
        "total_none": error(lambda: tf.losses.get_total_loss()),
    }
    out["inputs"] = {"labels": LABELS, "preds": PREDS, "ids": IDS, "weights": WEIGHTS,
                     "onehot": ONEHOT}
    path = os.path.join(os.path.dirname(__file__), "..", "..", "tests", "golden", "losses_tf115.json")
    with open(path, "w") as f:
        json.dump(out, f, indent=1, sort_keys=True)
        f.write("\n")


if __name__ == "__main__":
    main()
