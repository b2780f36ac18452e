"""Records TensorFlow 1.15's sparse training (IndexedSlices gradients) for
tests/sparse_training_test.cpp (issue 25).

Run by hand, never in CI or tests, with TF 1.15 from PyPI (see make_training_goldens.py):

    /work/venv-tf115/bin/python tools/tf115/make_sparse_training_goldens.py

It writes tests/golden/sparse_training_tf115.json. For each optimizer (GradientDescent,
Momentum, Adam) and each table (one variable; a partitioned one looked up with the "mod" and
"div" strategies), an embedding table is trained STEPS steps on a batch whose ids repeat and
miss some rows: the gradients compute_gradients gives (IndexedSlices: values, indices,
dense_shape names), every op apply_gradients adds (name, type, data inputs, bool and type
attributes), the losses and
the tables and slots after the steps. Graph mode, ref variables (tf.compat.v1's defaults).
"""
import json
import os

import numpy as np
import tensorflow as tf

assert tf.__version__.startswith("1.15"), tf.__version__

STEPS = 3
TABLE = (np.arange(14, dtype=np.float64).reshape(7, 2) - 6.5) / 4.0  # 7 rows of 2
IDS = [5, 0, 5, 2, 6, 0]  # rows 0 and 5 repeat; 1, 3 and 4 are never looked up
TARGET = np.linspace(-1.0, 1.0, 12).reshape(6, 2)
KINDS = {
    "sgd": lambda: tf.train.GradientDescentOptimizer(0.1),
    "momentum": lambda: tf.train.MomentumOptimizer(0.1, 0.9),
    "nesterov": lambda: tf.train.MomentumOptimizer(0.1, 0.9, use_nesterov=True),
    "adam": lambda: tf.train.AdamOptimizer(0.1),
}
SLOTS = {"sgd": [], "momentum": ["momentum"], "nesterov": ["momentum"], "adam": ["m", "v"]}
TABLES = ["single", "mod", "div"]


def attrs(o):
    """The op's bool and type attributes (use_locking, validate_shape, T, Tindices, ...)."""
    out = {}
    for k in o.node_def.attr:
        v = o.node_def.attr[k]
        if v.HasField("b"):
            out[k] = v.b
        elif v.HasField("type"):
            out[k] = tf.as_dtype(v.type).name
    return out


def op_rows(ops):
    return [{"name": o.name, "type": o.type, "inputs": [i.name for i in o.inputs],
             "attrs": attrs(o)} for o in ops]


def case(kind, table):
    g = tf.Graph()
    with g.as_default():
        init = tf.constant(TABLE.astype(np.float32), name="table")
        if table == "single":
            emb = tf.get_variable("emb", initializer=init)
            parts = [emb]
            y = tf.nn.embedding_lookup(emb, tf.constant(IDS, name="ids"))
        else:
            emb = tf.get_variable("emb", initializer=init,
                                  partitioner=tf.fixed_size_partitioner(3))
            parts = list(emb)
            y = tf.nn.embedding_lookup(emb, tf.constant(IDS, name="ids"), partition_strategy=table)
        target = tf.constant(TARGET.astype(np.float32), name="target")
        loss = tf.reduce_sum(tf.square(y - target))
        opt = KINDS[kind]()
        grads = opt.compute_gradients(loss)
        gradients = []
        for grad, var in grads:
            assert isinstance(grad, tf.IndexedSlices), grad
            gradients.append({"var": var.name, "values": grad.values.name,
                              "indices": grad.indices.name,
                              "dense_shape": grad.dense_shape.name})
        first = len(g.get_operations())
        train = opt.apply_gradients(grads)
        ops = op_rows(g.get_operations()[first:])
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            losses = []
            for _ in range(STEPS):
                losses.append(float(sess.run(loss)))
                sess.run(train)
            losses.append(float(sess.run(loss)))
            values = {v.op.name: sess.run(v).ravel().tolist() for v in tf.global_variables()}
            slots = {p.op.name: {s: opt.get_slot(p, s).op.name for s in SLOTS[kind]}
                     for p in parts}
    return {"kind": kind, "table": table, "gradients": gradients, "ops": ops,
            "train_op": train.name, "losses": losses, "values": values, "slots": slots}


def main():
    out = {"steps": STEPS, "table": TABLE.ravel().tolist(), "ids": IDS,
           "target": TARGET.ravel().tolist(),
           "cases": [case(k, t) for k in KINDS for t in TABLES]}
    path = os.path.join(os.path.dirname(__file__), "..", "..", "tests", "golden",
                        "sparse_training_tf115.json")
    with open(path, "w") as f:
        json.dump(out, f, indent=1, sort_keys=True)
        f.write("\n")
    print("wrote", os.path.normpath(path))


if __name__ == "__main__":
    main()
