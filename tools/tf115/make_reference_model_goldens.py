"""Reference models of issue 25 ("Proof against TF itself") as TensorFlow 1.15 builds and
trains them, for tests/reference_models_test.cpp.

Run by hand, never in CI or tests, with TF 1.15 from PyPI (see make_layer_goldens.py):

    /work/venv-tf115/bin/python tools/tf115/make_reference_model_goldens.py

It writes tests/golden/reference_models_tf115.json. Each model is built with tf.compat.v1 the
way a TF1 user writes it (default initializers, UPDATE_OPS as control dependencies of the
train op); per model it records every global and local variable (name, shape, dtype,
trainable), the collections TF fills, the feeds, and values: the model's own variables are
loaded with weight(name, i) below (the C++ test computes the same numbers, so no weights are
stored), the outputs are fetched (in one run; a metric's value in
a run after it), one training step is run and every global variable (slots
and beta powers included) is read back. The dropout's random_uniform is fed, so the kept
elements are the same in both programs (varscope's random streams are not TF's).
"""
import json
import os

import numpy as np
import tensorflow as tf

assert tf.__version__.startswith("1.15"), tf.__version__

COLLECTIONS = ["variables", "trainable_variables", "local_variables", "metric_variables",
               "model_variables", "update_ops", "losses", "regularization_losses", "train_op"]


def weight(name, shape, i):
    """The value loaded into the model's i-th variable: ((k*7 + 3i) % 11) / 10 - 0.5 per
    element k, plus 1 for a batch norm's moving variance (it must be positive)."""
    n = int(np.prod(shape))
    v = ((np.arange(n) * 7 + 3 * i) % 11) * 0.1 - 0.5
    if name.endswith("moving_variance"):
        v = v + 1.0
    return v.astype(np.float32).reshape(shape)


def floats(shape, start):
    n = int(np.prod(shape))
    return (((np.arange(n) * 5 + start) % 13) * 0.15 - 0.9).astype(np.float32).reshape(shape)


def ints(shape, start, limit):
    n = int(np.prod(shape))
    return ((np.arange(n) * 3 + start) % limit).astype(np.int32).reshape(shape)


def short(values):
    return [float("%.8g" % v) for v in np.ravel(values)]


def mlp():
    """dense + batch_normalization (training=True) + dropout + dense, sparse softmax
    cross-entropy, tf.metrics.accuracy, GradientDescent with UPDATE_OPS as control deps."""
    x = tf.placeholder(tf.float32, [4, 6], name="x")
    labels = tf.placeholder(tf.int32, [4], name="labels")
    h = tf.layers.dense(x, 8, activation=tf.nn.relu)
    h = tf.layers.batch_normalization(h, training=True)
    h = tf.layers.dropout(h, 0.5, training=True, seed=7)
    logits = tf.layers.dense(h, 3)
    loss = tf.losses.sparse_softmax_cross_entropy(labels, logits)
    accuracy, update = tf.metrics.accuracy(labels, tf.argmax(logits, 1))

    def train():
        with tf.control_dependencies(tf.get_collection(tf.GraphKeys.UPDATE_OPS)):
            return tf.train.GradientDescentOptimizer(0.1).minimize(loss)

    feeds = {"x:0": floats([4, 6], 0), "labels:0": ints([4], 1, 3),
             "dropout/dropout/random_uniform:0": floats([4, 8], 3) / 1.8 + 0.5}
    # The metric's value is read in a run of its own, after its update (one run fetching
    # both reads the value in either order).
    return [logits, loss, update], feeds, train, [accuracy]


def cnn():
    """The CNN of examples/cnn_train.cpp, smaller: conv2d, max_pooling2d, conv2d,
    max_pooling2d, flatten, dense, dense, sparse softmax cross-entropy, Adam."""
    images = tf.placeholder(tf.float32, [2, 8, 8, 1], name="images")
    labels = tf.placeholder(tf.int32, [2], name="labels")
    net = tf.layers.conv2d(images, 2, 3, padding="same", activation=tf.nn.relu)
    net = tf.layers.max_pooling2d(net, 2, 2)
    net = tf.layers.conv2d(net, 4, 3, padding="same", activation=tf.nn.relu)
    net = tf.layers.max_pooling2d(net, 2, 2)
    net = tf.layers.flatten(net)
    net = tf.layers.dense(net, 8, activation=tf.nn.relu)
    logits = tf.layers.dense(net, 3)
    loss = tf.losses.sparse_softmax_cross_entropy(labels, logits)
    # Inputs for which no gradient is rounding noise (each is 0 or above 1e-3): Adam's first
    # step moves a weight by about lr * sign(gradient) whatever its size.
    feeds = {"images:0": floats([2, 8, 8, 1], 8), "labels:0": ints([2], 1, 3)}
    return [logits, loss], feeds, lambda: tf.train.AdamOptimizer(0.01).minimize(loss)


def lstm():
    """A 2-layer BasicLSTMCell static_rnn over 5 steps on an embedding partitioned in two
    (get_variable(partitioner=fixed_size_partitioner(2)), embedding_lookup "mod"), a dense
    classifier on the last output, Adam."""
    ids = tf.placeholder(tf.int32, [3, 5], name="ids")
    labels = tf.placeholder(tf.int32, [3], name="labels")
    embedding = tf.get_variable("embedding", [10, 4],
                                partitioner=tf.fixed_size_partitioner(2))
    inputs = tf.unstack(tf.nn.embedding_lookup(embedding, ids), axis=1)
    cell = tf.nn.rnn_cell.MultiRNNCell([tf.nn.rnn_cell.BasicLSTMCell(4) for _ in range(2)])
    outputs, _ = tf.nn.static_rnn(cell, inputs, dtype=tf.float32)
    logits = tf.layers.dense(outputs[-1], 3)
    loss = tf.losses.sparse_softmax_cross_entropy(labels, logits)
    # Ids repeat within the batch (3 and 8 twice): the sparse gradient sums them.
    feeds = {"ids:0": ints([3, 5], 2, 10), "labels:0": ints([3], 2, 3)}
    return [outputs[-1], logits, loss], feeds, lambda: tf.train.AdamOptimizer(0.05).minimize(loss)


def towers():
    """Two towers sharing their layers by name and AUTO_REUSE (one fc/kernel), each adding
    its mean squared error to LOSSES, get_total_loss, Adam."""
    outs = []
    for i in range(2):
        x = tf.placeholder(tf.float32, [4, 5], name="x_%d" % i)
        y = tf.placeholder(tf.float32, [4, 2], name="y_%d" % i)
        with tf.name_scope("tower_%d" % i):
            h = tf.layers.dense(x, 6, activation=tf.nn.relu, name="fc", reuse=tf.AUTO_REUSE)
            out = tf.layers.dense(h, 2, name="out", reuse=tf.AUTO_REUSE)
            outs.append(out)
            tf.losses.mean_squared_error(y, out)
    total = tf.losses.get_total_loss()
    feeds = {"x_0:0": floats([4, 5], 1), "x_1:0": floats([4, 5], 6),
             "y_0:0": floats([4, 2], 4), "y_1:0": floats([4, 2], 9)}
    return outs + [total], feeds, lambda: tf.train.AdamOptimizer(0.01).minimize(total)


def partitioned_layers():
    """tf.layers under variable_scope(partitioner=fixed_size_partitioner(2)): TF partitions
    the layers' kernels, biases, gammas and betas ("part/dense/kernel/part_0", not the moving
    statistics) and reads each through its ConcatPartitions where an op takes it; a kernel's
    l2 regularizer is one loss per part, added once for a shared layer. A dense branch (with the non-fused batch norm) and a
    conv2d branch (with the fused one), summed; GradientDescent on the mean squared error plus
    the regularization (get_total_loss) with UPDATE_OPS as control deps."""
    x = tf.placeholder(tf.float32, [4, 5], name="x")
    images = tf.placeholder(tf.float32, [4, 3, 3, 2], name="images")
    y = tf.placeholder(tf.float32, [4, 3], name="y")
    with tf.variable_scope("part", partitioner=tf.fixed_size_partitioner(2)):
        h = tf.layers.dense(x, 4, activation=tf.nn.relu,
                            kernel_regularizer=tf.contrib.layers.l2_regularizer(0.1))
        h = tf.layers.batch_normalization(h, training=True)
        c = tf.layers.conv2d(images, 2, 2, activation=tf.nn.relu)
        c = tf.layers.batch_normalization(c, training=True)
        # "out" twice by AUTO_REUSE: its parts read twice, its regularizer added once.
        l2 = tf.contrib.layers.l2_regularizer(0.05)
        shared = dict(name="out", reuse=tf.AUTO_REUSE, kernel_regularizer=l2)
        out = (tf.layers.dense(h, 3, **shared) + tf.layers.dense(tf.layers.flatten(c), 3)
               + tf.layers.dense(2 * h, 3, **shared))
    tf.losses.mean_squared_error(y, out)
    total = tf.losses.get_total_loss()

    def train():
        with tf.control_dependencies(tf.get_collection(tf.GraphKeys.UPDATE_OPS)):
            return tf.train.GradientDescentOptimizer(0.2).minimize(total)

    feeds = {"x:0": floats([4, 5], 3), "images:0": floats([4, 3, 3, 2], 7),
             "y:0": floats([4, 3], 5)}
    return [out, total], feeds, train


def partitioned_rnn():
    """RNN cells under variable_scope(partitioner=fixed_size_partitioner(2)): TF partitions
    each cell's kernel and bias ("p/rnn/multi_rnn_cell/cell_0/basic_lstm_cell/kernel/part_0")
    and concatenates the parts at every time step. A BasicLSTMCell and a GRUCell in a
    MultiRNNCell over 2 steps, a dense layer on the last output, GradientDescent."""
    xs = [tf.placeholder(tf.float32, [2, 3], name="x_%d" % t) for t in range(2)]
    y = tf.placeholder(tf.float32, [2, 2], name="y")
    with tf.variable_scope("p", partitioner=tf.fixed_size_partitioner(2)):
        cell = tf.nn.rnn_cell.MultiRNNCell([tf.nn.rnn_cell.BasicLSTMCell(4),
                                            tf.nn.rnn_cell.GRUCell(3)])
        outputs, _ = tf.nn.static_rnn(cell, xs, dtype=tf.float32)
        out = tf.layers.dense(outputs[-1], 2)
    loss = tf.losses.mean_squared_error(y, out)
    feeds = {"x_%d:0" % t: floats([2, 3], 2 * t + 1) for t in range(2)}
    feeds["y:0"] = floats([2, 2], 4)
    return [out, loss], feeds, lambda: tf.train.GradientDescentOptimizer(0.3).minimize(loss)


MODELS = {"mlp": mlp, "cnn": cnn, "lstm": lstm, "towers": towers,
          "partitioned_layers": partitioned_layers, "partitioned_rnn": partitioned_rnn}


def variable_internal(op):
    return (op.type in ("VariableV2", "Assign") or op.name.endswith("/read")
            or "/Initializer/" in op.name)


def item_name(item):
    return item.op.name if isinstance(item, tf.Variable) else item.name


def record(name, build):
    g = tf.Graph()
    with g.as_default():
        fetches, feeds, make_train, *later = build()
        model_variables = tf.global_variables()
        # Names and types in creation order (the values check the wiring).
        ops_before_train = [[op.name, op.type]
                            for op in g.get_operations() if not variable_internal(op)]
        train = make_train()
        trainable = set(tf.trainable_variables())

        def variable_row(v):
            return [v.op.name, v.shape.as_list(), v.dtype.base_dtype.name, v in trainable]

        out = {
            "global": [variable_row(v) for v in tf.global_variables()],
            "local": [variable_row(v) for v in tf.local_variables()],
            "collections": {k: [item_name(i) for i in tf.get_collection(k)] for k in COLLECTIONS},
            "other_collections": sorted(set(g.get_all_collection_keys()) - set(COLLECTIONS)),
            "train_op": train.name,
            "feeds": {k: {"shape": list(v.shape), "dtype": str(v.dtype), "values": short(v)}
                      for k, v in feeds.items()},
            "loaded": [v.op.name for v in model_variables],
        }
        if name.startswith("partitioned"):  # the ops, ConcatPartitions included
            out["ops"] = ops_before_train
        with tf.Session() as sess:
            sess.run([tf.global_variables_initializer(), tf.local_variables_initializer()])
            for i, v in enumerate(model_variables):
                v.load(weight(v.op.name, v.shape.as_list(), i), sess)
            values = sess.run(fetches, feeds)
            out["outputs"] = {t.name: short(val) for t, val in zip(fetches, values)}
            for t in later[0] if later else []:
                out["outputs"][t.name] = short(sess.run(t, feeds))
            sess.run(train, feeds)
            after = sess.run(tf.global_variables())
            out["after_step"] = {v.op.name: short(val)
                                 for v, val in zip(tf.global_variables(), after)}
        return out


def main():
    out = {"tf_version": tf.__version__}
    out.update({name: record(name, build) for name, build in MODELS.items()})
    path = os.path.join(os.path.dirname(__file__), "..", "..", "tests", "golden",
                        "reference_models_tf115.json")
    with open(path, "w") as f:
        json.dump(out, f, separators=(",", ":"))
        f.write("\n")


if __name__ == "__main__":
    main()
