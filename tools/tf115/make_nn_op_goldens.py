"""TF 1.15's graphs of the nn ops of issue 24 (log_softmax, l2_loss, l2_normalize,
sigmoid_cross_entropy_with_logits, moments, dropout): node names, types and the attributes
varscope sets, their gradient graphs, and the error texts of the common misuse, for
tests/nn_ops_test.cpp. The elements dropout keeps are not recorded: varscope's Philox streams
are cuRAND's, not TF's (docs/differences.md).

Run by hand (CI never installs TF):
    /work/venv-tf115/bin/python tools/tf115/make_nn_op_goldens.py > tests/golden/nn_ops_tf115.json
"""
import json
import sys

import tensorflow as tf

ATTRS = ["T", "keep_dims", "squeeze_dims", "seed", "seed2", "dtype", "SrcT", "DstT"]


def attr_text(op):
    out = {}
    for k in ATTRS:
        if k in op.node_def.attr:
            v = op.get_attr(k)
            out[k] = v.name if isinstance(v, tf.DType) else v
    if op.type == "Const":
        out["value"] = tf.make_ndarray(op.get_attr("value")).tolist()
    return out


def nodes(ops):
    return [{"name": op.name, "type": op.type, "inputs": [i.name for i in op.inputs],
             "attrs": attr_text(op)} for op in ops]


def case(fn, grad=True):
    """fn(placeholders...) -> (outputs, wrt). Forward nodes after the placeholders, and the
    gradient's nodes of sum of outputs w.r.t. wrt."""
    g = tf.Graph()
    with g.as_default():
        ys, wrt = fn()
        ops = [op for op in g.get_operations() if op.type != "Placeholder"]
        before = len(g.get_operations())
        if grad:
            tf.gradients(ys, wrt)
        after = g.get_operations()[before:]
        return {"forward": nodes(ops), "gradient": nodes(after),
                "outputs": [y.name for y in ys]}


def error(fn):
    g = tf.Graph()
    with g.as_default():
        try:
            fn()
        except (ValueError, TypeError) as e:
            return {"class": type(e).__name__, "text": str(e)}
    return None


def ph(shape, name="x", dtype=tf.float32):
    return tf.placeholder(dtype, shape, name=name)


def main():
    out = {"graphs": {}, "errors": {}}
    G = out["graphs"]

    def log_softmax():
        x = ph([2, 3])
        return [tf.nn.log_softmax(x)], [x]
    G["log_softmax"] = case(log_softmax)

    def l2_loss():
        x = ph([2, 3])
        return [tf.nn.l2_loss(x)], [x]
    G["l2_loss"] = case(l2_loss)

    def l2_normalize():
        x = ph([2, 3])
        return [tf.nn.l2_normalize(x, 1)], [x]
    G["l2_normalize"] = case(l2_normalize)

    def l2_normalize_axes():
        x = ph([2, 3])
        return [tf.nn.l2_normalize(x, [0, 1], epsilon=1e-3)], [x]
    G["l2_normalize_axes"] = case(l2_normalize_axes)

    def sigmoid_xent():
        x = ph([2, 3])
        labels = ph([2, 3], "labels")
        return [tf.nn.sigmoid_cross_entropy_with_logits(labels=labels, logits=x)], [x]
    G["sigmoid_cross_entropy_with_logits"] = case(sigmoid_xent)

    def moments():
        x = ph([2, 3])
        m, v = tf.nn.moments(x, [1])
        return [m, v], [x]
    G["moments"] = case(moments)

    def moments_keep():
        x = ph([2, 3, 4])
        m, v = tf.nn.moments(x, [0, 2], keep_dims=True)
        return [m, v], [x]
    G["moments_keep_dims"] = case(moments_keep)

    def dropout_keep_prob():
        x = ph([2, 3])
        return [tf.nn.dropout(x, keep_prob=0.75, seed=3)], [x]
    G["dropout_keep_prob"] = case(dropout_keep_prob)

    def dropout_rate():
        x = ph([2, 3])
        return [tf.compat.v1.nn.dropout(x, rate=0.25, seed=3)], [x]
    G["dropout_rate"] = case(dropout_rate)

    def dropout_keep_tensor():
        x = ph([2, 3])
        k = ph([], "keep_prob")
        return [tf.nn.dropout(x, keep_prob=k)], [x]
    G["dropout_keep_prob_tensor"] = case(dropout_keep_tensor)

    def dropout_rate_tensor():
        x = ph([None, 3])
        r = ph([], "rate")
        return [tf.compat.v1.nn.dropout(x, rate=r)], [x]
    G["dropout_rate_tensor_unknown_batch"] = case(dropout_rate_tensor)

    def dropout_noise_shape():
        x = ph([2, 3])
        return [tf.nn.dropout(x, keep_prob=0.5, noise_shape=[2, 1], seed=1)], [x]
    G["dropout_noise_shape"] = case(dropout_noise_shape)

    def dropout_keep_one():
        x = ph([2, 3])
        y = tf.nn.dropout(x, keep_prob=1.0)
        z = tf.nn.dropout(x, keep_prob=0.5)  # the scope "dropout" was taken by the first
        return [y, z], [x]
    G["dropout_keep_prob_one"] = case(dropout_keep_one, grad=False)

    E = out["errors"]
    E["sigmoid_xent_shapes"] = error(lambda: tf.nn.sigmoid_cross_entropy_with_logits(
        labels=ph([2, 4], "labels"), logits=ph([2, 3])))
    E["dropout_keep_prob_1.5"] = error(lambda: tf.nn.dropout(ph([2, 3]), keep_prob=1.5))
    E["dropout_keep_prob_0"] = error(lambda: tf.nn.dropout(ph([2, 3]), keep_prob=0.0))
    E["dropout_rate_1"] = error(lambda: tf.compat.v1.nn.dropout(ph([2, 3]), rate=1.0))
    E["dropout_rate_-0.1"] = error(lambda: tf.compat.v1.nn.dropout(ph([2, 3]), rate=-0.1))
    E["dropout_int"] = error(lambda: tf.nn.dropout(ph([2, 3], dtype=tf.int32), keep_prob=0.5))
    E["dropout_rate_rank1"] = error(lambda: tf.compat.v1.nn.dropout(
        ph([2, 3]), rate=ph([1], "rate")))
    E["log_softmax_scalar"] = error(lambda: tf.nn.log_softmax(ph([])))
    E["l2_loss_int"] = error(lambda: tf.nn.l2_loss(ph([2], dtype=tf.int32)))

    json.dump(out, sys.stdout, indent=1, sort_keys=True)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
