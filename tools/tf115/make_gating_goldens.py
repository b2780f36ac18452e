"""Records how TensorFlow 1.15 gates gradients, for tests/gradient_gating_test.cpp (issue 24).

Run by hand, never in CI or tests, with TF 1.15 from PyPI:

    python3.7 -m venv /work/venv-tf115
    /work/venv-tf115/bin/pip install tensorflow-cpu==1.15.0 'protobuf<3.21' 'numpy<1.19'
    /work/venv-tf115/bin/python tools/tf115/make_gating_goldens.py

It writes tests/golden/gating_tf115.json: for Optimizer.compute_gradients with each of
GATE_NONE, GATE_OP and GATE_GRAPH, and for tf.gradients with and without gate_gradients, the
gradient tensors' names and every node the gating adds (name, type, inputs, control inputs).
The model is relu(bias_add(x @ w, b)), squared and summed: ops with two input gradients
(MatMul, BiasAdd), one (Relu, Square) and one plus None (Sum). (No broadcasting binary op:
their gradient graphs differ from TF's until varscope has Reshape; docs/differences.md.)
"""
import json
import os

import tensorflow as tf

assert tf.__version__.startswith("1.15"), tf.__version__


def build():
    x = tf.constant([[0.5, -1.0, 2.0], [1.5, 0.25, -0.5]], name="x")
    w = tf.get_variable("w", [3, 2], initializer=tf.constant_initializer(0.1))
    b = tf.get_variable("b", [2], initializer=tf.zeros_initializer())
    h = tf.nn.relu(tf.nn.bias_add(tf.matmul(x, w), b))
    return tf.reduce_sum(tf.square(h)), w, b


def gating_nodes(g, first):
    """The nodes of a tuple (group_deps NoOps and control_dependency Identities) made after `first`."""
    out = []
    for op in g.get_operations()[first:]:
        if "tuple/" in op.name:
            out.append([op.name, op.type, [t.name for t in op.inputs], [c.name for c in op.control_inputs]])
    return out


def record(make_grads):
    g = tf.Graph()
    with g.as_default():
        loss, w, b = build()
        first = len(g.get_operations())
        grads = make_grads(loss, [w, b])
        return {"grads": [t.name for t in grads], "nodes": gating_nodes(g, first)}


def optimizer(gate):
    def make(loss, var_list):
        opt = tf.train.GradientDescentOptimizer(0.1)
        return [gv[0] for gv in opt.compute_gradients(loss, var_list, gate_gradients=gate)]
    return make


def all_none_error():
    g = tf.Graph()
    with g.as_default():
        loss, _, _ = build()
        unused = tf.get_variable("unused", [2])
        try:
            tf.train.GradientDescentOptimizer(0.1).compute_gradients(
                loss, [unused], gate_gradients=tf.train.Optimizer.GATE_GRAPH)
        except ValueError as e:
            return str(e)
    return None


def main():
    out = {
        "tf_version": tf.__version__,
        "gate_none": record(optimizer(tf.train.Optimizer.GATE_NONE)),
        "gate_op": record(optimizer(tf.train.Optimizer.GATE_OP)),
        "gate_graph": record(optimizer(tf.train.Optimizer.GATE_GRAPH)),
        "tf_gradients": record(lambda loss, xs: tf.gradients(loss, xs)),
        "tf_gradients_gated": record(lambda loss, xs: tf.gradients(loss, xs, gate_gradients=True)),
        "gate_graph_all_none_error": all_none_error(),
    }
    path = os.path.join(os.path.dirname(__file__), "..", "..", "tests", "golden", "gating_tf115.json")
    with open(path, "w") as f:
        json.dump(out, f, indent=1, sort_keys=True)
        f.write("\n")


if __name__ == "__main__":
    main()
