"""TF 1.15's node names, attributes, gradient graphs, graph-time error texts and a few
output values of conv2d, max_pool, avg_pool and fused_batch_norm (issue 24), for
tests/conv_pool_test.cpp.

Run by hand (CI never installs TF):
    /work/venv-tf115/bin/python tools/tf115/make_conv_pool_goldens.py > tests/golden/conv_pool_tf115.json
"""
import json

import numpy as np
import tensorflow as tf


def attrs_of(op):
    out = {}
    for k in sorted(op.node_def.attr):
        if k.startswith("_") or k in ("value", "shape"):
            continue
        v = op.get_attr(k)
        if isinstance(v, bytes):
            v = v.decode()
        elif isinstance(v, tf.DType):
            v = v.name
        elif isinstance(v, float):
            v = round(v, 6)
        elif isinstance(v, list):
            v = [x.decode() if isinstance(x, bytes) else x for x in v]
        out[k] = v
    return out


def nodes(g, start):
    ops = g.get_operations()[start:]
    return [{"name": op.name, "type": op.type, "inputs": [i.name for i in op.inputs],
             "attrs": attrs_of(op),
             "shapes": [o.shape.as_list() if o.shape.dims is not None else None
                        for o in op.outputs]} for op in ops]


def graph_case(build, feeds):
    """The forward nodes and tf.gradients' nodes of build(*placeholders)."""
    g = tf.Graph()
    with g.as_default():
        ph = [tf.placeholder(tf.float32, s, name=n) for n, s in feeds]
        ys = build(*ph)
        ys = ys if isinstance(ys, (list, tuple)) else [ys]
        before = len(g.get_operations())
        fwd = nodes(g, len(ph))[: before - len(ph)]
        tf.gradients(ys[0], ph)
        return {"forward": fwd, "gradient": nodes(g, before)}


def error_of(build, shapes):
    g = tf.Graph()
    with g.as_default():
        ph = [tf.placeholder(tf.float32, s, name="p%d" % i) for i, s in enumerate(shapes)]
        try:
            build(*ph)
        except (ValueError, TypeError) as e:
            return {"class": type(e).__name__, "text": str(e)}
    return None


def conv(strides=(1, 1, 1, 1), padding="SAME", dilations=(1, 1, 1, 1)):
    return lambda x, w: tf.nn.conv2d(x, w, strides=list(strides), padding=padding,
                                     dilations=list(dilations))


def max_pool(k, s, padding):
    return lambda x: tf.nn.max_pool(x, ksize=k, strides=s, padding=padding)


def avg_pool(k, s, padding):
    return lambda x: tf.nn.avg_pool(x, ksize=k, strides=s, padding=padding)


def values_case(rng, build, shapes, grad=True):
    """TF's outputs and gradients (of sum(y * weights)) for fixed inputs. TF 1.15's CPU
    kernels have no gradient of a dilated convolution (grad=False)."""
    inputs = [np.round(rng.uniform(-2, 2, s), 3).astype(np.float32) for s in shapes]
    g = tf.Graph()
    with g.as_default():
        ph = [tf.constant(v) for v in inputs]
        y = build(*ph)
        y = y[0] if isinstance(y, (list, tuple)) else y
        w = tf.constant(np.linspace(0.5, 1.5, int(np.prod(y.shape.as_list())))
                        .reshape(y.shape.as_list()).astype(np.float32))
        grads = tf.gradients(tf.reduce_sum(y * w), ph) if grad else []
        with tf.Session() as s:
            out, gs = s.run([y, grads])
    return {"inputs": [{"shape": list(v.shape), "values": v.ravel().tolist()} for v in inputs],
            "output": {"shape": list(out.shape), "values": out.ravel().tolist()},
            "weights": "linspace(0.5, 1.5, n) over the output",
            "gradients": [gv.ravel().tolist() for gv in gs]}


def batch_norm_case(rng, training):
    """All three outputs of fused_batch_norm and the gradients of sum(y * weights) for x,
    scale and offset (inference: for a positive variance). TF 1.15's CPU kernel leaves the
    inference mode's batch_mean and batch_variance outputs unwritten (what they hold is
    garbage); varscope returns the given mean and variance there (docs/differences.md)."""
    shapes = [[2, 3, 2, 2], [2], [2]] + ([] if training else [[2], [2]])
    inputs = [np.round(rng.uniform(-2, 2, s), 3).astype(np.float32) for s in shapes]
    if not training:
        inputs[4] = np.abs(inputs[4]) + np.float32(0.25)
    g = tf.Graph()
    with g.as_default():
        ph = [tf.constant(v) for v in inputs]
        if training:
            y, mean, var = tf.compat.v1.nn.fused_batch_norm(*ph)
        else:
            y, mean, var = tf.compat.v1.nn.fused_batch_norm(*ph, is_training=False)
        w = tf.constant(np.linspace(0.5, 1.5, 24).reshape(2, 3, 2, 2).astype(np.float32))
        grads = tf.gradients(tf.reduce_sum(y * w), ph[:3])
        with tf.Session() as s:
            outs, gs = s.run([[y, mean, var], grads])
    return {"inputs": [{"shape": list(v.shape), "values": v.ravel().tolist()} for v in inputs],
            "outputs": [o.ravel().tolist() for o in outs],
            "weights": "linspace(0.5, 1.5, n) over y",
            "gradients": [gv.ravel().tolist() for gv in gs]}


def main():
    out = {"graphs": {}, "errors": {}, "values": {}}
    x4 = [("x", [2, 5, 5, 3]), ("w", [3, 3, 3, 4])]
    out["graphs"]["conv2d_same"] = graph_case(conv(), x4)
    out["graphs"]["conv2d_valid_strided_dilated"] = graph_case(
        conv((1, 2, 2, 1), "VALID"), [("x", [2, 9, 9, 3]), ("w", [3, 3, 3, 4])])
    out["graphs"]["conv2d_dilated"] = graph_case(
        conv(padding="SAME", dilations=(1, 2, 2, 1)), x4)
    out["graphs"]["conv2d_unknown_batch"] = graph_case(
        conv(), [("x", [None, 5, 5, 3]), ("w", [3, 3, 3, 4])])
    out["graphs"]["max_pool"] = graph_case(
        max_pool([1, 2, 2, 1], [1, 2, 2, 1], "VALID"), [("x", [2, 5, 5, 3])])
    out["graphs"]["avg_pool"] = graph_case(
        avg_pool([1, 3, 3, 1], [1, 2, 2, 1], "SAME"), [("x", [2, 5, 5, 3])])
    out["graphs"]["avg_pool_unknown_batch"] = graph_case(
        avg_pool([1, 3, 3, 1], [1, 2, 2, 1], "SAME"), [("x", [None, 5, 5, 3])])
    out["graphs"]["fused_batch_norm_training"] = graph_case(
        lambda x, s, o: tf.compat.v1.nn.fused_batch_norm(x, s, o),
        [("x", [2, 5, 5, 3]), ("s", [3]), ("o", [3])])
    out["graphs"]["fused_batch_norm_inference"] = graph_case(
        lambda x, s, o, m, v: tf.compat.v1.nn.fused_batch_norm(x, s, o, m, v, is_training=False),
        [("x", [2, 5, 5, 3]), ("s", [3]), ("o", [3]), ("m", [3]), ("v", [3])])

    e = out["errors"]
    e["conv2d_depth"] = error_of(conv(), [[2, 5, 5, 3], [3, 3, 4, 2]])
    e["conv2d_input_rank"] = error_of(conv(), [[5, 5, 3], [3, 3, 3, 2]])
    e["conv2d_filter_rank"] = error_of(conv(), [[2, 5, 5, 3], [3, 3, 3]])
    e["conv2d_valid_too_small"] = error_of(conv(padding="VALID"), [[1, 2, 2, 3], [3, 3, 3, 2]])
    e["conv2d_strides_length"] = error_of(conv(strides=(1, 1, 1)), [[2, 5, 5, 3], [3, 3, 3, 2]])
    e["conv2d_batch_stride"] = error_of(conv(strides=(2, 1, 1, 1)), [[2, 5, 5, 3], [3, 3, 3, 2]])
    e["conv2d_zero_stride"] = error_of(conv(strides=(1, 0, 1, 1)), [[2, 5, 5, 3], [3, 3, 3, 2]])
    e["conv2d_depth_dilation"] = error_of(conv(dilations=(1, 1, 1, 2)),
                                          [[2, 5, 5, 3], [3, 3, 3, 2]])
    e["conv2d_zero_dilation"] = error_of(conv(dilations=(1, 0, 1, 1)),
                                         [[2, 5, 5, 3], [3, 3, 3, 2]])
    e["conv2d_padding"] = error_of(conv(padding="FULL"), [[2, 5, 5, 3], [3, 3, 3, 2]])
    e["max_pool_rank"] = error_of(max_pool([1, 2, 2, 1], [1, 2, 2, 1], "VALID"), [[5, 5, 3]])
    e["max_pool_ksize_length"] = error_of(max_pool([1, 2, 2], [1, 2, 2, 1], "VALID"),
                                          [[2, 5, 5, 3]])
    e["max_pool_strides_length"] = error_of(max_pool([1, 2, 2, 1], [1, 2, 2], "VALID"),
                                            [[2, 5, 5, 3]])
    e["max_pool_batch_ksize"] = error_of(max_pool([2, 2, 2, 1], [1, 2, 2, 1], "VALID"),
                                         [[2, 5, 5, 3]])
    e["max_pool_depth_window"] = error_of(max_pool([1, 2, 2, 2], [1, 2, 2, 1], "VALID"),
                                          [[2, 5, 5, 3]])
    e["max_pool_too_small"] = error_of(max_pool([1, 6, 6, 1], [1, 1, 1, 1], "VALID"),
                                       [[2, 5, 5, 3]])
    e["avg_pool_batch_stride"] = error_of(avg_pool([1, 2, 2, 1], [2, 2, 2, 1], "VALID"),
                                          [[2, 5, 5, 3]])
    e["avg_pool_zero_stride"] = error_of(avg_pool([1, 2, 2, 1], [1, 0, 2, 1], "VALID"),
                                         [[2, 5, 5, 3]])
    e["avg_pool_padding"] = error_of(avg_pool([1, 2, 2, 1], [1, 2, 2, 1], "FULL"),
                                     [[2, 5, 5, 3]])
    fbn = lambda x, s, o: tf.compat.v1.nn.fused_batch_norm(x, s, o)
    e["fused_batch_norm_rank"] = error_of(fbn, [[5, 5, 3], [3], [3]])
    e["fused_batch_norm_scale"] = error_of(fbn, [[2, 5, 5, 3], [4], [3]])

    rng = np.random.RandomState(24)
    v = out["values"]
    v["conv2d_same_strided"] = values_case(rng, conv((1, 2, 2, 1), "SAME"),
                                           [[1, 5, 4, 2], [3, 2, 2, 3]])
    v["conv2d_valid_dilated"] = values_case(rng, conv(padding="VALID", dilations=(1, 2, 1, 1)),
                                            [[1, 5, 4, 2], [2, 2, 2, 2]], grad=False)
    v["max_pool_same"] = values_case(rng, max_pool([1, 2, 3, 1], [1, 2, 2, 1], "SAME"),
                                     [[1, 5, 5, 2]])
    v["avg_pool_same"] = values_case(rng, avg_pool([1, 3, 2, 1], [1, 2, 2, 1], "SAME"),
                                     [[1, 5, 5, 2]])
    v["fused_batch_norm_training"] = values_case(
        rng, lambda x, s, o: tf.compat.v1.nn.fused_batch_norm(x, s, o),
        [[2, 3, 2, 2], [2], [2]])
    out["batch_norm"] = {"training": batch_norm_case(rng, True),
                         "inference": batch_norm_case(rng, False)}
    print(json.dumps(out, indent=1, sort_keys=True))


if __name__ == "__main__":
    main()
