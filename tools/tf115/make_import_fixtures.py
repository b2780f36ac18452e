"""A model TF 1.15 trained and saved, for varscope's import_meta_graph (tests/import_graph_def_test.cpp).

Run by hand, never in CI or tests, with TF 1.15 from PyPI (see check_graph_def.py):

    /work/venv-tf115/bin/python tools/tf115/make_import_fixtures.py

A two-layer MLP under variable scopes ("layer1", "layer2"; glorot-uniform weights, zero
biases) and a global step is trained STEPS steps of GradientDescent on fixed data, and its
variables saved by tf.train.Saver. Then the inference graph alone (the same model, its loss,
a Saver) is built afresh, restored from that checkpoint and saved with tf.train.Saver: its
.meta (MetaGraphDef with the Saver's SaverDef and nodes), .index, .data and `checkpoint` go to
tests/golden/import_meta_graph/, beside import_tf115.json: the feed, TF's logits, softmax and
loss for it, the graph's node names and op types (without the saver's), and the collections.

Then TF's training graphs themselves (tests/golden/import_meta_graph/train/, train_tf115.json):
"dense_adam" (tf.layers.dense with relu, then dense; sparse softmax cross-entropy; Adam with
a global step) and "manual_gd" (matmul + bias through broadcasting Add, relu; TF's
mean_squared_error; GradientDescent). Each is saved by tf.train.Saver (its .meta: the
gradients/ nodes, BiasAddGrad, ReluGrad, PreventGradient, BroadcastGradientArgs, Sum,
Reshape, transposed MatMuls, ApplyAdam/ApplyGradientDescent, and the Saver's nodes) right
after initialization; the JSON holds the feed, the ops' names, and TF's loss and every
variable after one and after two runs of the train op from that checkpoint.
"""
import json
import os
import shutil
import tempfile

import numpy as np
import tensorflow as tf

assert tf.__version__.startswith("1.15"), tf.__version__

OUT = os.path.join(os.path.dirname(__file__), "..", "..", "tests", "golden", "import_meta_graph")
X = np.array([[0.5, -1.0, 2.0, 0.25], [1.5, 0.25, -0.5, -2.0], [-1.0, 0.75, 1.0, 0.5]], np.float32)
LABELS = np.array([1, 0, 2], np.int32)
STEPS = 5


def model():
    x = tf.placeholder(tf.float32, [None, 4], name="x")
    labels = tf.placeholder(tf.int32, [None], name="labels")
    h = x
    for i, (scope, n_out) in enumerate([("layer1", 5), ("layer2", 3)]):
        with tf.variable_scope(scope):
            w = tf.get_variable("w", [int(h.shape[1]), n_out],
                                initializer=tf.glorot_uniform_initializer(seed=11 + i))
            b = tf.get_variable("b", [n_out], initializer=tf.zeros_initializer())
            h = tf.nn.bias_add(tf.matmul(h, w), b)
            if scope == "layer1":
                h = tf.nn.relu(h)
    logits = tf.identity(h, name="logits")
    probs = tf.nn.softmax(logits, name="probs")
    loss = tf.reduce_mean(
        tf.nn.sparse_softmax_cross_entropy_with_logits(labels=labels, logits=logits), name="loss")
    step = tf.train.get_or_create_global_step()
    return x, labels, logits, probs, loss, step


def main():
    tmp = tempfile.mkdtemp()
    with tf.Graph().as_default():
        tf.set_random_seed(1)
        x, labels, _, _, loss, step = model()
        train = tf.train.GradientDescentOptimizer(0.5).minimize(loss, global_step=step)
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            for _ in range(STEPS):
                sess.run(train, {x: X, labels: LABELS})
            trained = tf.train.Saver().save(sess, os.path.join(tmp, "train.ckpt"), global_step=step,
                                            write_meta_graph=False)

    shutil.rmtree(OUT, ignore_errors=True)
    os.makedirs(OUT)
    with tf.Graph().as_default() as g:
        x, labels, logits, probs, loss, step = model()
        saver = tf.train.Saver(save_relative_paths=True)
        with tf.Session() as sess:
            saver.restore(sess, trained)
            prefix = saver.save(sess, os.path.join(OUT, "model.ckpt"), global_step=step)
            out = sess.run({"logits": logits, "probs": probs, "loss": loss, "global_step": step},
                           {x: X, labels: LABELS})
            variables = {v.op.name: sess.run(v).tolist() for v in tf.global_variables()}
        nodes = [[n.name, n.op] for n in g.as_graph_def().node if not n.name.startswith("save/")]
        collections = {k: [v.op.name for v in g.get_collection(k)]
                       for k in ["variables", "trainable_variables", "global_step"]}
    shutil.rmtree(tmp)
    result = {
        "meta": os.path.basename(prefix) + ".meta",
        "prefix": os.path.basename(prefix),
        "x": X.tolist(),
        "labels": LABELS.tolist(),
        "logits": out["logits"].tolist(),
        "probs": out["probs"].tolist(),
        "loss": float(out["loss"]),
        "global_step": int(out["global_step"]),
        "variables": variables,
        "nodes": nodes,
        "collections": collections,
    }
    with open(os.path.join(OUT, "import_tf115.json"), "w") as f:
        json.dump(result, f, indent=1)
        f.write("\n")
    write_training_graphs()
    print("wrote", sorted(os.listdir(OUT)))


def training_model(kind):
    x = tf.placeholder(tf.float32, [None, 4], name="x")
    labels = tf.placeholder(tf.int32, [None], name="labels")
    init = tf.glorot_uniform_initializer(seed=3)
    if kind == "dense_adam":
        h = tf.layers.dense(x, 5, activation=tf.nn.relu, kernel_initializer=init)
        logits = tf.layers.dense(h, 3, kernel_initializer=init,
                                 bias_initializer=tf.constant_initializer(0.1))
        loss = tf.reduce_mean(
            tf.nn.sparse_softmax_cross_entropy_with_logits(labels=labels, logits=logits),
            name="loss")
        optimizer = tf.train.AdamOptimizer(0.05)
    else:
        w1 = tf.get_variable("w1", [4, 5], initializer=init)
        b1 = tf.get_variable("b1", [5], initializer=tf.constant_initializer(0.05))
        h = tf.nn.relu(tf.matmul(x, w1) + b1)
        w2 = tf.get_variable("w2", [5, 3], initializer=init)
        b2 = tf.get_variable("b2", [3], initializer=tf.constant_initializer(-0.1))
        logits = tf.matmul(h, w2) + b2
        loss = tf.identity(tf.losses.mean_squared_error(tf.one_hot(labels, 3), logits),
                           name="loss")
        optimizer = tf.train.GradientDescentOptimizer(0.2)
    step = tf.train.get_or_create_global_step()
    train = optimizer.minimize(loss, global_step=step, name="train")
    return x, labels, loss, train


def write_training_graphs():
    out = os.path.join(OUT, "train")
    os.makedirs(out)
    result = {"x": X.tolist(), "labels": LABELS.tolist()}
    for kind in ["dense_adam", "manual_gd"]:
        with tf.Graph().as_default() as g:
            tf.set_random_seed(1)
            x, labels, loss, train = training_model(kind)
            saver = tf.train.Saver()
            with tf.Session() as sess:
                sess.run(tf.global_variables_initializer())
                prefix = saver.save(sess, os.path.join(out, kind + ".ckpt"), write_state=False)
                steps = []
                for _ in range(2):
                    value, _ = sess.run([loss, train], {x: X, labels: LABELS})
                    steps.append({"loss": float(value),
                                  "variables": {v.op.name: sess.run(v).ravel().tolist()
                                                for v in tf.global_variables()}})
            ops = sorted(set(n.op for n in g.as_graph_def().node))
        result[kind] = {"meta": os.path.basename(prefix) + ".meta",
                        "prefix": os.path.basename(prefix), "train_op": train.name,
                        "op_types": ops, "steps": steps}
    with open(os.path.join(OUT, "train_tf115.json"), "w") as f:
        json.dump(result, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
