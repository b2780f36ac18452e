"""Records how TensorFlow 1.15's tf.compat.v1.nn.rnn_cell cells and static_rnn name their
variables and ops, and what they compute, for tests/rnn_test.cpp (issue 25).

Run by hand, never in CI or tests, with TF 1.15 from PyPI (see make_layer_goldens.py):

    /work/venv-tf115/bin/python tools/tf115/make_rnn_goldens.py

It writes tests/golden/rnn_tf115.json: per case, the inputs' shapes, every global variable
(name, shape, dtype, trainable), every node of the graph (name, type, inputs) in TF's order,
and, for fixed weights (loaded after the initializer) and fixed inputs, the outputs, the
final state's tensors and the gradients of loss = sum of the squares of every output and
final state tensor with respect to each input and each variable. Weights and inputs are
written too, so the test loads exactly these values.
"""
import json
import os

import numpy as np
import tensorflow as tf

assert tf.__version__.startswith("1.15"), tf.__version__

rnn_cell = tf.nn.rnn_cell
BATCH, DEPTH, STEPS = 2, 3, 3


def values(shape, k):
    n = int(np.prod(shape))
    return (np.sin(np.arange(n) * 0.37 + k) * 0.6).reshape(shape).astype(np.float32)


def basic_rnn(xs):
    return tf.nn.static_rnn(rnn_cell.BasicRNNCell(4), xs, dtype=tf.float32)


def basic_lstm(xs):
    return tf.nn.static_rnn(rnn_cell.BasicLSTMCell(4), xs, dtype=tf.float32)


def basic_lstm_initial_state(xs):
    c = tf.placeholder(tf.float32, [BATCH, 4], name="c0")
    h = tf.placeholder(tf.float32, [BATCH, 4], name="h0")
    cell = rnn_cell.BasicLSTMCell(4, forget_bias=0.5)
    return tf.nn.static_rnn(cell, xs, initial_state=rnn_cell.LSTMStateTuple(c, h), scope="enc")


def multi(xs):
    cell = rnn_cell.MultiRNNCell([rnn_cell.BasicLSTMCell(4), rnn_cell.BasicLSTMCell(3)])
    return tf.nn.static_rnn(cell, xs, dtype=tf.float32)


def bidirectional(xs):
    outs, fw, bw = tf.nn.static_bidirectional_rnn(
        rnn_cell.BasicLSTMCell(4), rnn_cell.BasicRNNCell(3), xs, dtype=tf.float32)
    return outs, (fw, bw)


def lstm_cell(xs):
    return tf.nn.static_rnn(rnn_cell.LSTMCell(4), xs, dtype=tf.float32)


def lstm_cell_peephole_projection(xs):
    cell = rnn_cell.LSTMCell(4, use_peepholes=True, num_proj=3, cell_clip=0.3, proj_clip=0.2)
    return tf.nn.static_rnn(cell, xs, dtype=tf.float32)


def gru(xs):
    return tf.nn.static_rnn(rnn_cell.GRUCell(4), xs, dtype=tf.float32)


def two_calls(xs):
    # Two static_rnns: the second under its own scope ("rnn" is not uniquified: a second
    # static_rnn without a scope is get_variable's "already exists" error).
    out1, _ = tf.nn.static_rnn(rnn_cell.BasicRNNCell(2), xs, dtype=tf.float32)
    return tf.nn.static_rnn(rnn_cell.BasicRNNCell(2), out1, dtype=tf.float32, scope="dec")


def dropout(xs):
    cell = rnn_cell.DropoutWrapper(rnn_cell.BasicLSTMCell(4), input_keep_prob=0.7,
                                   output_keep_prob=0.8, state_keep_prob=0.9)
    return tf.nn.static_rnn(cell, xs, dtype=tf.float32)


def dropout_kept(xs):
    # Keep probabilities of 1 drop nothing: TF's values.
    cells = [rnn_cell.DropoutWrapper(rnn_cell.GRUCell(3)), rnn_cell.BasicRNNCell(2)]
    return tf.nn.static_rnn(rnn_cell.MultiRNNCell(cells), xs, dtype=tf.float32)


def direct_calls(xs):
    # Cells called by hand: each takes its own scope at the root ("basic_lstm_cell",
    # "basic_lstm_cell_1"); the second call of a cell reuses its variables.
    first, second = rnn_cell.BasicLSTMCell(4), rnn_cell.BasicLSTMCell(4)
    state = first.zero_state(BATCH, tf.float32)
    out0, state = first(xs[0], state)
    out1, state = first(xs[1], state)
    out2, state = second(xs[2], state)
    return [out0, out1, out2], state


CASES = {
    "basic_rnn": (basic_rnn, BATCH),
    "basic_lstm": (basic_lstm, BATCH),
    "basic_lstm_unknown_batch": (basic_lstm, None),
    "basic_lstm_initial_state": (basic_lstm_initial_state, BATCH),
    "multi": (multi, BATCH),
    "bidirectional": (bidirectional, BATCH),
    "lstm_cell": (lstm_cell, BATCH),
    "lstm_cell_peephole_projection": (lstm_cell_peephole_projection, BATCH),
    "gru": (gru, BATCH),
    "two_calls": (two_calls, BATCH),
    "dropout": (dropout, BATCH),
    "dropout_kept": (dropout_kept, BATCH),
    "direct_calls": (direct_calls, BATCH),
}
# Cases whose values come from TF's random stream: their graphs only.
NAMES_ONLY = {"dropout"}


def record(build, batch):
    g = tf.Graph()
    with g.as_default():
        xs = [tf.placeholder(tf.float32, [batch, DEPTH], name="x%d" % t) for t in range(STEPS)]
        outputs, state = build(xs)
        nodes = [[n.name, n.op, list(n.input)] for n in g.as_graph_def().node]
        state = tf.nest.flatten(state)
        variables = [[v.op.name, v.shape.as_list(), v.dtype.base_dtype.name,
                      v in tf.trainable_variables()] for v in tf.global_variables()]
        loss = tf.add_n([tf.reduce_sum(tf.square(t)) for t in list(outputs) + state])
        extra = [g.get_tensor_by_name(n + ":0") for n in ("c0", "h0") if n in
                 [o.name for o in g.get_operations()]]
        grads = tf.gradients(loss, xs + extra + tf.global_variables())
        feeds = {x: values([BATCH, DEPTH], t) for t, x in enumerate(xs)}
        for k, e in enumerate(extra):
            feeds[e] = values([BATCH, 4], 10 + k)
        weights = {}
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            for k, v in enumerate(tf.global_variables()):
                w = values(v.shape.as_list(), 20 + k)
                v.load(w, sess)
                weights[v.op.name] = w.ravel().tolist()
            out_v, state_v, grad_v = sess.run([outputs, state, grads], feeds)
    names = [x.op.name for x in xs + extra] + [v.op.name for v in variables_of(g)]
    return {
        "batch": batch,
        "inputs": {x.op.name: feeds[x].ravel().tolist() for x in xs + extra},
        "weights": weights,
        "variables": variables,
        "nodes": nodes,
        "outputs": [o.ravel().tolist() for o in out_v],
        "output_names": [o.name for o in outputs],
        "state": [s.ravel().tolist() for s in state_v],
        "state_names": [s.name for s in state],
        "gradients": {n: gv.ravel().tolist() for n, gv in zip(names, grad_v)},
    }


def variables_of(g):
    with g.as_default():
        return tf.global_variables()


def errors():
    out = {}

    def catch(key, fn):
        g = tf.Graph()
        with g.as_default():
            try:
                fn()
            except (ValueError, TypeError) as e:
                out[key] = [type(e).__name__, str(e)]

    x = lambda shape: tf.placeholder(tf.float32, shape)
    catch("empty", lambda: tf.nn.static_rnn(rnn_cell.BasicRNNCell(2), [], dtype=tf.float32))
    catch("no_dtype", lambda: tf.nn.static_rnn(rnn_cell.BasicRNNCell(2), [x([2, 3])]))
    catch("unknown_depth",
          lambda: tf.nn.static_rnn(rnn_cell.BasicRNNCell(2), [x([2, None])], dtype=tf.float32))
    catch("batch_mismatch",
          lambda: tf.nn.static_rnn(rnn_cell.BasicRNNCell(2), [x([2, 3]), x([3, 3])],
                                   dtype=tf.float32))
    catch("multi_empty", lambda: rnn_cell.MultiRNNCell([]))
    catch("keep_prob", lambda: rnn_cell.DropoutWrapper(rnn_cell.GRUCell(2), state_keep_prob=1.5))
    return out


def main():
    golden = {key: record(build, batch) for key, (build, batch) in CASES.items()}
    for key in NAMES_ONLY:
        for field in ("outputs", "state", "gradients"):
            del golden[key][field]
    golden["errors"] = errors()
    path = os.path.join(os.path.dirname(__file__), "..", "..", "tests", "golden",
                        "rnn_tf115.json")
    with open(path, "w") as f:
        json.dump(golden, f, separators=(",", ":"))
        f.write("\n")


if __name__ == "__main__":
    main()
