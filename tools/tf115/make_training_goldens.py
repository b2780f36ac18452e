"""Records TensorFlow 1.15's training behaviour for tests/training_tf_parity_test.cpp (issue 28).

Run by hand, never in CI or tests, with TF 1.15 from PyPI:

    python3.7 -m venv /work/venv-tf115
    /work/venv-tf115/bin/pip install tensorflow-cpu==1.15.0 'protobuf<3.21' 'numpy<1.19'
    /work/venv-tf115/bin/python tools/tf115/make_training_goldens.py

It writes tests/golden/training_tf115.json: names, shapes, dtypes, error texts and the values
after three training steps, from fixed initial values and inputs (the same numbers the C++
test feeds varscope). Graph mode, ref variables (tf.compat.v1's defaults in 1.15).
"""
import json
import os

import numpy as np
import tensorflow as tf

assert tf.__version__.startswith("1.15"), tf.__version__

X = np.array([[0.5, -1.0, 2.0], [1.5, 0.25, -0.5], [-1.0, 0.75, 1.0], [0.2, 0.4, -1.5]])
W0 = np.array([[0.1, -0.2], [0.3, 0.05], [-0.4, 0.25]])
KINDS = ["adam", "momentum", "sgd"]
DTYPES = {"float32": (tf.float32, np.float32), "float64": (tf.float64, np.float64)}
STEPS = 3


def make_opt(kind):
    if kind == "adam":
        return tf.train.AdamOptimizer(0.1)
    if kind == "momentum":
        return tf.train.MomentumOptimizer(0.1, 0.9)
    return tf.train.GradientDescentOptimizer(0.1)


def slot_names(kind):
    return {"adam": ["m", "v"], "momentum": ["momentum"], "sgd": []}[kind]


def base(dtype):
    """x [4,3] (Const), w [3,2] (get_variable), loss = sum((x @ w)^2)."""
    tfd, npd = DTYPES[dtype]
    x = tf.constant(X.astype(npd), name="x")
    w = tf.get_variable("w", [3, 2], dtype=tfd, initializer=tf.constant_initializer(W0))
    loss = tf.reduce_sum(tf.square(tf.matmul(x, w)))
    return x, w, loss


def train(sess, loss, w, train_ops):
    """Loss before each step and after the last; w at the end."""
    sess.run(tf.global_variables_initializer())
    losses = []
    for _ in range(STEPS):
        losses.append(float(sess.run(loss)))
        for op in train_ops:
            sess.run(op)
    losses.append(float(sess.run(loss)))
    return losses, sess.run(w).ravel().tolist()


def names(vs):
    return [v.name for v in vs]


def failed_then_train(kind, dtype, mode):
    """An optimizer call that fails, then minimize outside: trains as if it had not failed."""
    g = tf.Graph()
    with g.as_default():
        _, w, loss = base(dtype)
        opt = make_opt(kind)
        err = None
        try:
            if mode == "reuse_scope":
                with tf.variable_scope("r", reuse=True):
                    opt.minimize(loss)
            elif mode == "bad_name":
                opt.apply_gradients(opt.compute_gradients(loss), name="bad name!")
        except ValueError as e:
            err = str(e)
        op = opt.minimize(loss)
        slots = [opt.get_slot(w, s).name for s in slot_names(kind)]
        with tf.Session() as sess:
            losses, wv = train(sess, loss, w, [op])
    return {"kind": kind, "dtype": dtype, "mode": mode, "error": err, "train_op": op.name,
            "slots": slots, "losses": losses, "w": wv}


def two_optimizers(kind, dtype):
    g = tf.Graph()
    with g.as_default():
        _, w, loss = base(dtype)
        a, b = make_opt(kind), make_opt(kind)
        ta, tb = a.minimize(loss), b.minimize(loss)
        with tf.Session() as sess:
            losses, wv = train(sess, loss, w, [ta, tb])
        return {"kind": kind, "dtype": dtype, "train_ops": [ta.name, tb.name],
                "globals": names(tf.global_variables()),
                "slots_b": [b.get_slot(w, s).name for s in slot_names(kind)],
                "losses": losses, "w": wv}


def slot_key(kind):
    """A slot's store key is "<var>/<Opt>/": get_variable("w/<Opt>") is another variable."""
    g = tf.Graph()
    with g.as_default():
        _, w, loss = base("float32")
        opt = make_opt(kind)
        opt.minimize(loss)
        slot = opt.get_slot(w, slot_names(kind)[0]).op.name
        with tf.variable_scope("", reuse=True):
            try:
                tf.get_variable(slot)
                plain_reuse = None
            except ValueError as e:
                plain_reuse = str(e).split("\n")[0]
            same = tf.get_variable(slot + "/") is opt.get_slot(w, slot_names(kind)[0])
        v = tf.get_variable(slot, [3, 2])
        return {"kind": kind, "new_variable": v.name, "reuse_plain_error": plain_reuse,
                "reuse_with_slash_is_slot": same}


def errors(kind):
    g = tf.Graph()
    out = {"kind": kind}
    with g.as_default():
        _, w, loss = base("float32")
        u = tf.get_variable("u", [2])
        opt = make_opt(kind)
        try:
            opt.minimize(loss, var_list=[u])
        except ValueError as e:
            out["minimize_no_gradients"] = str(e)
        try:
            opt.apply_gradients([(None, u)])
        except ValueError as e:
            out["apply_no_gradients"] = str(e)
        try:
            opt.minimize(tf.cast(loss, tf.int32))
        except ValueError as e:
            out["int_loss"] = str(e)
    return out


def assign_gradient():
    g = tf.Graph()
    with g.as_default():
        x, w, _ = base("float32")
        acc = tf.get_variable("acc", [4, 2], initializer=tf.zeros_initializer())
        h = tf.matmul(x, w)
        a = tf.assign(acc, h)
        grads = tf.gradients(tf.reduce_sum(a), [w, x])
        return {"assign_dtype": a.dtype.name, "assign_name": a.name,
                "grads_none": [gr is None for gr in grads]}


def xent(sparse):
    g = tf.Graph()
    with g.as_default():
        x = tf.placeholder(tf.float32, [None, 4], name="x")
        w = tf.get_variable("w", [4, 3], initializer=tf.constant_initializer(XW0))
        logits = tf.matmul(x, w)
        if sparse:
            labels = tf.placeholder(tf.int32, [2], name="labels")
            loss = tf.nn.sparse_softmax_cross_entropy_with_logits(labels=labels, logits=logits)
            feed_labels = np.array([2, 0], np.int32)
        else:
            labels = tf.placeholder(tf.float32, [2, 3], name="labels")
            loss = tf.nn.softmax_cross_entropy_with_logits(labels=labels, logits=logits)
            feed_labels = np.array([[0.2, 0.3, 0.5], [1.0, 0.0, 0.0]], np.float32)
        gw, gx = tf.gradients(loss, [w, x])
        mean = tf.reduce_mean(loss)
        op = tf.train.GradientDescentOptimizer(0.5).minimize(mean)
        feed = {x: XX, labels: feed_labels}
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            losses = []
            for _ in range(STEPS):
                losses.append(sess.run(loss, feed).tolist())
                sess.run(op, feed)
            losses.append(sess.run(loss, feed).tolist())
            wv = sess.run(w).ravel().tolist()
        return {"loss_name": loss.name, "loss_shape": str(loss.shape),
                "grad_w_shape": str(gw.shape), "grad_x_shape": str(gx.shape),
                "grad_x_name": gx.name, "losses": losses, "w": wv}


XW0 = np.array([[0.1, -0.2, 0.3], [0.05, 0.4, -0.1], [-0.3, 0.2, 0.15], [0.25, -0.05, 0.1]])
XX = np.array([[1.0, -0.5, 0.25, 2.0], [-1.5, 0.5, 1.0, 0.0]], np.float32)


def addn_order():
    """Two towers share w and one more tensor t: the order TF aggregates in."""
    g = tf.Graph()
    with g.as_default():
        x, w, _ = base("float32")
        t = tf.matmul(x, w, name="shared")
        y1 = tf.reduce_sum(tf.square(t + tf.matmul(x, w)))
        y2 = tf.reduce_sum(t * tf.matmul(x, w))
        loss = y1 + y2
        (gw,) = tf.gradients(loss, [w])
        addns = [[op.name] + [i.name for i in op.inputs]
                 for op in g.get_operations() if op.type == "AddN"]
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            gv = sess.run(gw).ravel().tolist()
        return {"grad_w": gw.name, "addn": addns, "grad_w_value": gv}


def second_order():
    g = tf.Graph()
    out = {}
    with g.as_default():
        x = tf.constant(X.astype(np.float32), name="x")
        k = tf.get_variable("k", [3, 2], initializer=tf.constant_initializer(W0))
        b = tf.get_variable("b", [2], initializer=tf.constant_initializer([0.1, -0.3]))
        gr = tf.gradients(tf.nn.bias_add(tf.matmul(x, k), b), [b, x])
        out["bias_add_grad_of_k_none"] = [t is None for t in tf.gradients(gr[0], k)]
        vals = {}
        for act in ["relu", "sigmoid", "tanh"]:
            f = {"relu": tf.nn.relu, "sigmoid": tf.sigmoid, "tanh": tf.tanh}[act]
            y = tf.reduce_mean(tf.square(f(tf.nn.bias_add(tf.matmul(x, k), b))))
            gk, gb = tf.gradients(y, [k, b])
            penalty = tf.reduce_sum(tf.square(gk)) + tf.reduce_sum(gb)
            hk, hb = tf.gradients(penalty, [k, b])
            vals[act] = (hk, hb)
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            for act, (hk, hb) in vals.items():
                a, c = sess.run([hk, hb])
                out[act] = {"k": a.ravel().tolist(), "b": c.ravel().tolist()}
    return out


def main():
    golden = {
        "tf_version": tf.__version__,
        "X": X.ravel().tolist(), "W0": W0.ravel().tolist(), "steps": STEPS,
        "failed_then_train": [failed_then_train(k, d, m) for m in ["reuse_scope", "bad_name"]
                              for k in KINDS for d in DTYPES],
        "two_optimizers": [two_optimizers(k, d) for k in KINDS for d in DTYPES],
        "slot_key": [slot_key(k) for k in ["adam", "momentum"]],
        "errors": [errors(k) for k in KINDS],
        "assign_gradient": assign_gradient(),
        "xent": {"XW0": XW0.ravel().tolist(), "XX": XX.ravel().tolist(),
                 "sparse": xent(True), "dense": xent(False)},
        "addn_order": addn_order(),
        "second_order": second_order(),
    }
    here = os.path.dirname(os.path.abspath(__file__))
    path = os.path.join(here, "..", "..", "tests", "golden", "training_tf115.json")
    with open(path, "w") as f:
        json.dump(golden, f, indent=1, sort_keys=True)
        f.write("\n")
    print("wrote", os.path.normpath(path))


if __name__ == "__main__":
    main()
