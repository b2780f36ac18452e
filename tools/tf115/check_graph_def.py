"""Imports varscope's GraphDef into TensorFlow 1.15, runs it, and records what TF computed.

Run by hand, never in CI or tests, with TF 1.15 from PyPI:

    python3.7 -m venv /work/venv-tf115
    /work/venv-tf115/bin/pip install tensorflow-cpu==1.15.0 'protobuf<3.21' 'numpy<1.19'
    /work/venv-tf115/bin/python tools/tf115/check_graph_def.py

It reads tests/golden/graph_def/mlp.pbtxt (what tests/graph_def_test.cpp's write_graph
writes), imports it with tf.import_graph_def (name=""), runs every variable's Assign, then
feeds x and labels and fetches the loss and the softmax. Then the same with mlp_train.pbtxt
(the model with Adam's training step, varscope's gradient helpers written as TF's ops): the
loss before each of STEPS runs of the "Adam" op. Then tf.train.import_meta_graph of
mlp_train.meta (export_meta_graph's file, with varscope's SaverDef and save/ nodes) and the
restore of mlp_train.ckpt (the checkpoint vs::Saver wrote after 3 steps) by the Saver TF
builds from that SaverDef: the values TF read back, the names of a checkpoint TF saved
through the same nodes, the loss, and the loss after one more Adam step.
It writes the feeds and TF's results to tests/golden/graph_def/mlp_tf115.json, which the
tests compare with varscope's own run. It also builds the same model in TF's Python API and prints every difference in
node names, op types, inputs and attribute keys, so a drift from TF's own graph shows.
"""
import json
import os
import shutil
import tempfile

import numpy as np
import tensorflow as tf
from google.protobuf import text_format

assert tf.__version__.startswith("1.15"), tf.__version__

HERE = os.path.join(os.path.dirname(__file__), "..", "..", "tests", "golden", "graph_def")
X = np.array([[0.5, -1.0, 2.0, 0.25], [1.5, 0.25, -0.5, -2.0], [-1.0, 0.75, 1.0, 0.5]])
LABELS = [1, 0, 1]
STEPS = 5


def w0(n_in, n_out):
    return [0.1 * ((i * 7) % 11) - 0.5 for i in range(n_in * n_out)]


def tf_model():
    """The model of graph_def_test.cpp, in TF's Python API."""
    x = tf.placeholder(tf.float32, [None, 4], name="x")
    labels = tf.placeholder(tf.int32, [None], name="labels")
    h, n_in = x, 4
    for name, n_out in [("layer1", 3), ("layer2", 2)]:
        with tf.variable_scope(name):
            w = tf.get_variable("w", [n_in, n_out], initializer=tf.constant_initializer(w0(n_in, n_out)))
            b = tf.get_variable("b", [n_out], initializer=tf.constant_initializer(0.1))
            h = tf.nn.bias_add(tf.matmul(h, w), b)
            if n_out != 2:
                h = tf.nn.relu(h)
        n_in = n_out
    tf.get_variable("extra", [3, 3], initializer=tf.glorot_uniform_initializer(seed=7))
    tf.reduce_mean(tf.nn.sparse_softmax_cross_entropy_with_logits(labels=labels, logits=h))
    tf.nn.softmax(h)


def describe(graph_def):
    return {n.name: (n.op, list(n.input), sorted(n.attr.keys())) for n in graph_def.node}


def load(name):
    graph_def = tf.GraphDef()
    with open(os.path.join(HERE, name)) as f:
        text_format.Merge(f.read(), graph_def)
    g = tf.Graph()
    with g.as_default():
        tf.import_graph_def(graph_def, name="")
    return graph_def, g


def initializers(g):
    """Each variable's own Assign ("<v>/Assign"), as global_variables_initializer runs them."""
    return [op for op in g.get_operations()
            if op.type == "Assign" and op.name == op.inputs[0].op.name + "/Assign"]


def train_losses():
    _, g = load("mlp_train.pbtxt")
    losses = []
    with tf.Session(graph=g) as sess:
        sess.run(initializers(g))
        feeds = {"x:0": X, "labels:0": LABELS}
        for _ in range(STEPS):
            losses.append(float(sess.run("Mean:0", feeds)))
            sess.run("Adam", feeds)
    return losses


def restored():
    """import_meta_graph of mlp_train.meta: the Saver TF returns is the one of the file's
    SaverDef (its save/ nodes, not a Saver TF made afresh); its restore reads mlp_train.ckpt
    and its save writes a checkpoint TF's reader lists by the same names."""
    g = tf.Graph()
    with g.as_default():
        saver = tf.train.import_meta_graph(os.path.join(HERE, "mlp_train.meta"))
        assert saver.saver_def.restore_op_name == "save/restore_all", saver.saver_def
        assert not [op for op in g.get_operations() if op.name.startswith("save_1/")]
        with tf.Session() as sess:
            saver.restore(sess, os.path.join(HERE, "mlp_train.ckpt"))
            variables = {v.op.name: sess.run(v).ravel().astype(float).tolist()
                         for v in tf.global_variables()}
            feeds = {"x:0": X, "labels:0": LABELS}
            loss = float(sess.run("Mean:0", feeds))
            tmp = tempfile.mkdtemp()
            saved = saver.save(sess, os.path.join(tmp, "tf_saved.ckpt"), write_meta_graph=False,
                               write_state=False)
            saved_names = sorted(tf.train.load_checkpoint(saved).get_variable_to_shape_map())
            shutil.rmtree(tmp)
            # The train op through the file's "train_op" collection, as a TF user finds it.
            train_op = [op.name for op in g.get_collection("train_op")]
            losses = [t.name for t in g.get_collection("losses")]
            sess.run(g.get_collection("train_op")[0], feeds)
            after = float(sess.run("Mean:0", feeds))
    print("restored through varscope's SaverDef: loss", loss, "then", after)
    return {"saver_def": {"filename_tensor_name": saver.saver_def.filename_tensor_name,
                          "save_tensor_name": saver.saver_def.save_tensor_name,
                          "restore_op_name": saver.saver_def.restore_op_name,
                          "max_to_keep": saver.saver_def.max_to_keep,
                          "version": saver.saver_def.version},
            "variables": variables, "saved_names": saved_names,
            "collections": {"train_op": train_op, "losses": losses},
            "loss": loss, "loss_after_step": after}


def main():
    graph_def, g = load("mlp.pbtxt")
    ours = describe(graph_def)
    ref = tf.Graph()
    with ref.as_default():
        tf_model()
    theirs = describe(ref.as_graph_def())
    for name in sorted(set(ours) | set(theirs)):
        if ours.get(name) != theirs.get(name):
            print("differs:", name, "\n  varscope:", ours.get(name), "\n  tf:      ", theirs.get(name))
    with tf.Session(graph=g) as sess:
        sess.run(initializers(g))
        feeds = {"x:0": X, "labels:0": LABELS}
        loss_name = [op.name for op in g.get_operations() if op.type == "Mean"][0]
        softmax_name = [op.name for op in g.get_operations() if op.type == "Softmax"][0]
        loss, probs = sess.run([loss_name + ":0", softmax_name + ":0"], feeds)
    out = {"tf_version": tf.__version__, "x": X.ravel().tolist(), "labels": LABELS,
           "loss": float(loss), "probs": probs.ravel().astype(float).tolist(),
           "train_losses": train_losses(), "restored": restored()}
    with open(os.path.join(HERE, "mlp_tf115.json"), "w") as f:
        json.dump(out, f, indent=1)
        f.write("\n")
    print("imported", len(graph_def.node), "nodes; loss", loss)


if __name__ == "__main__":
    main()
