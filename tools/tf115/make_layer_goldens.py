"""Records how TensorFlow 1.15's tf.layers name and share variables and ops, for
tests/layers_test.cpp (issue 25).

Run by hand, never in CI or tests, with TF 1.15 from PyPI:

    python3.7 -m venv /work/venv-tf115
    /work/venv-tf115/bin/pip install tensorflow-cpu==1.15.0 'protobuf<3.21' 'numpy<1.19'
    /work/venv-tf115/bin/python tools/tf115/make_layer_goldens.py

It writes tests/golden/layers_tf115.json: per case, the placeholder's shape, the global and
trainable variables (name, shape) and every op outside the variables' own (name, type,
inputs), plus the error text of a named layer built twice without reuse, and the values of
dense, conv2d, the poolings, flatten and dense over rank 3 for fixed weights, of
batch_normalization in training (with its moving statistics after the update) and inference
(the fused 4-D path, and the non-fused 2-D one with a gradient descent step), and of layers'
l2 regularizers with get_regularization_loss / get_total_loss.
"""
import json
import os

import numpy as np
import tensorflow as tf

assert tf.__version__.startswith("1.15"), tf.__version__

X = [[0.5, -1.0, 2.0, 0.25], [1.5, 0.25, -0.5, -2.0]]


def unnamed(x):
    tf.layers.dense(x, 3)
    tf.layers.dense(x, 2, activation=tf.nn.relu)


def scoped(x):
    with tf.variable_scope("tower"):
        tf.layers.dense(x, 3)
        tf.layers.dense(x, 3)
    with tf.variable_scope("tower", reuse=True):
        tf.layers.dense(x, 3)


def shared(x):
    with tf.name_scope("ns"):
        tf.layers.dense(x, 3, name="fc", reuse=tf.AUTO_REUSE)
        tf.layers.dense(x, 3, name="fc", reuse=tf.AUTO_REUSE)
    tf.layers.dense(x, 3, name="fc", reuse=tf.AUTO_REUSE)


def options(x):
    tf.layers.dense(x, 3, use_bias=False, activation=tf.nn.tanh, trainable=False)
    tf.layers.dense(x, 2, activation=tf.nn.sigmoid, name="out")


def conv(x):
    tf.layers.conv2d(x, 4, 3, activation=tf.nn.relu)
    tf.layers.conv2d(x, 4, (3, 2), strides=2, padding="SAME", use_bias=False, trainable=False)
    with tf.variable_scope("tower"):
        tf.layers.conv2d(x, 2, 1, name="c", reuse=tf.AUTO_REUSE)
        tf.layers.conv2d(x, 2, 1, name="c", reuse=tf.AUTO_REUSE)
        tf.layers.conv2d(x, 2, 1)


def pool(x):
    y = tf.layers.max_pooling2d(x, 2, 2)
    tf.layers.max_pooling2d(y, 2, 1, padding="same")
    tf.layers.average_pooling2d(x, (2, 3), (1, 2))
    with tf.variable_scope("s"):
        tf.layers.average_pooling2d(x, 2, 2)
    with tf.name_scope("n"):
        tf.layers.max_pooling2d(x, 2, 2)
    tf.layers.max_pooling2d(x, 2, 2, name="p")
    tf.layers.max_pooling2d(x, 2, 2, name="p")


def flatten(x):
    tf.layers.flatten(x)
    with tf.name_scope("n"):
        tf.layers.flatten(x, name="f")


def flatten_unknown_batch(x):
    tf.layers.flatten(x)
    tf.layers.flatten(x)


def dropout(x):
    tf.layers.dropout(x)
    tf.layers.dropout(x, 0.3, training=True)
    tf.layers.dropout(x, 0.25, training=True, name="d")
    tf.layers.dropout(x, 0.3, training=False, name="d")


def dense3(x):
    tf.layers.dense(x, 5)
    tf.layers.dense(x, 2, activation=tf.nn.relu, name="t")


def dense3_unknown_batch(x):
    tf.layers.dense(x, 5, activation=tf.nn.relu)


def batch_norm(x):
    tf.layers.batch_normalization(x, training=True)
    tf.layers.batch_normalization(x)
    tf.layers.batch_normalization(x, training=True, center=False, scale=False, momentum=0.9,
                                  trainable=False)
    with tf.variable_scope("tower"):
        tf.layers.batch_normalization(x, name="bn", reuse=tf.AUTO_REUSE)
        tf.layers.batch_normalization(x, name="bn", reuse=tf.AUTO_REUSE, training=True)


def batch_norm_2d(x):
    tf.layers.batch_normalization(x, training=True)
    tf.layers.batch_normalization(x)
    tf.layers.batch_normalization(x, training=True, center=False, scale=False, momentum=0.9,
                                  trainable=False)
    tf.layers.batch_normalization(x, training=True, center=False)
    tf.layers.batch_normalization(x, scale=False)
    with tf.variable_scope("tower"):
        tf.layers.batch_normalization(x, name="bn", reuse=tf.AUTO_REUSE)
        tf.layers.batch_normalization(x, name="bn", reuse=tf.AUTO_REUSE, training=True)


def batch_norm_3d(x):
    tf.layers.batch_normalization(x, training=True)


def regularized(x):
    l2 = tf.contrib.layers.l2_regularizer
    tf.layers.dense(x, 3, kernel_regularizer=l2(0.1), bias_regularizer=l2(0.5))
    tf.layers.dense(x, 2, kernel_regularizer=l2(0.0), activation=tf.nn.relu)
    with tf.variable_scope("t", reuse=tf.AUTO_REUSE):
        tf.layers.dense(x, 3, name="fc", kernel_regularizer=l2(0.25))
        tf.layers.dense(x, 3, name="fc", kernel_regularizer=l2(0.25))


def conv_regularized(x):
    l2 = tf.contrib.layers.l2_regularizer
    tf.layers.conv2d(x, 2, 3, kernel_regularizer=l2(0.2), bias_regularizer=l2(0.3))
    tf.layers.conv2d(x, 2, 1, use_bias=False, kernel_regularizer=l2(0.2), bias_regularizer=l2(0.3))


# The placeholder x of each case: [2, 4] unless listed.
SHAPES = {"conv": [2, 8, 8, 3], "pool": [2, 8, 8, 3], "flatten": [2, 4, 3, 2],
          "flatten_unknown_batch": [None, 4, 3], "dropout": [2, 4, 3], "dense3": [2, 3, 4],
          "dense3_unknown_batch": [None, 3, 4], "batch_norm": [2, 3, 3, 4],
          "conv_regularized": [1, 5, 5, 2], "batch_norm_3d": [2, 3, 4]}
CASES = {"unnamed": unnamed, "scoped": scoped, "shared": shared, "options": options,
         "conv": conv, "pool": pool, "flatten": flatten,
         "flatten_unknown_batch": flatten_unknown_batch, "dropout": dropout, "dense3": dense3,
         "dense3_unknown_batch": dense3_unknown_batch, "batch_norm": batch_norm,
         "regularized": regularized, "conv_regularized": conv_regularized,
         "batch_norm_2d": batch_norm_2d, "batch_norm_3d": batch_norm_3d}


def variable_internal(op):
    return (op.type in ("VariableV2", "Assign") or op.name.endswith("/read")
            or "/Initializer/" in op.name)


def record(name, build):
    g = tf.Graph()
    with g.as_default():
        shape = SHAPES.get(name, [2, 4])
        x = tf.placeholder(tf.float32, shape, name="x")
        first = len(g.get_operations())
        out = build(x)
        return {
            "x_shape": [-1 if d is None else d for d in shape],
            "global": [[v.op.name, v.shape.as_list()] for v in tf.global_variables()],
            "trainable": [v.op.name for v in tf.trainable_variables()],
            "ops": [[op.name, op.type, [t.name for t in op.inputs]]
                    for op in g.get_operations()[first:] if not variable_internal(op)],
            "update_ops": [op.name for op in tf.get_collection(tf.GraphKeys.UPDATE_OPS)],
            "regularization_losses": [t.name for t in tf.losses.get_regularization_losses()],
        }


def twice_error():
    g = tf.Graph()
    with g.as_default():
        x = tf.placeholder(tf.float32, [2, 4], name="x")
        tf.layers.dense(x, 3, name="fc")
        try:
            tf.layers.dense(x, 3, name="fc")
        except ValueError as e:
            return str(e).split("\n")[0]
    return None


def values():
    g = tf.Graph()
    with g.as_default():
        k = np.arange(12, dtype=np.float32).reshape(4, 3) / 10 - 0.5
        y = tf.layers.dense(tf.constant(X, tf.float32), 3, activation=tf.nn.relu,
                            kernel_initializer=tf.constant_initializer(k),
                            bias_initializer=tf.constant_initializer(0.1))
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            return {"x": np.ravel(X).tolist(), "kernel": k.ravel().tolist(), "bias": 0.1,
                    "y": sess.run(y).ravel().astype(float).tolist()}


def pattern(shape, scale, shift):
    n = int(np.prod(shape))
    return ((np.arange(n) * 7 % 11) * scale - shift).astype(np.float32).reshape(shape)


def conv_values():
    """conv2d (SAME, relu, bias 0.1) of a [2, 5, 5, 2] input, then the poolings and flatten of
    its output, and dense over a rank-3 input."""
    g = tf.Graph()
    with g.as_default():
        x = pattern([2, 5, 5, 2], 0.1, 0.5)
        k = pattern([3, 3, 2, 3], 0.05, 0.25)
        c = tf.layers.conv2d(tf.constant(x), 3, 3, padding="same", activation=tf.nn.relu,
                             kernel_initializer=tf.constant_initializer(k),
                             bias_initializer=tf.constant_initializer(0.1))
        m = tf.layers.max_pooling2d(c, 2, 2, padding="same")
        a = tf.layers.average_pooling2d(c, 3, 2, padding="same")
        f = tf.layers.flatten(m)
        x3 = pattern([2, 3, 4], 0.2, 1.0)
        k3 = pattern([4, 5], 0.1, 0.5)
        d = tf.layers.dense(tf.constant(x3), 5, kernel_initializer=tf.constant_initializer(k3),
                            bias_initializer=tf.constant_initializer(-0.2))
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            conv_y, max_y, avg_y, flat_y, dense_y = sess.run([c, m, a, f, d])
    flat = lambda t: np.ravel(t).astype(float).tolist()
    return {"x": flat(x), "kernel": flat(k), "bias": 0.1, "conv": flat(conv_y),
            "max_pool": flat(max_y), "avg_pool": flat(avg_y), "flatten": flat(flat_y),
            "flatten_shape": list(flat_y.shape), "x3": flat(x3), "kernel3": flat(k3),
            "bias3": -0.2, "dense3": flat(dense_y)}


def batch_norm_values():
    """batch_normalization of a [2, 3, 3, 4] input in training (one run with its update ops:
    y and the moving statistics after it), then in inference with the updated statistics."""
    g = tf.Graph()
    with g.as_default():
        x = pattern([2, 3, 3, 4], 0.3, 1.0)
        gamma = pattern([4], 0.2, -0.5)
        beta = pattern([4], 0.1, 0.3)
        init = dict(gamma_initializer=tf.constant_initializer(gamma),
                    beta_initializer=tf.constant_initializer(beta),
                    moving_mean_initializer=tf.constant_initializer(0.25),
                    moving_variance_initializer=tf.constant_initializer(2.0))
        y = tf.layers.batch_normalization(tf.constant(x), training=True, momentum=0.9,
                                          name="bn", **init)
        z = tf.layers.batch_normalization(tf.constant(x), name="bn", reuse=True, **init)
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            train_y, _ = sess.run([y, tf.get_collection(tf.GraphKeys.UPDATE_OPS)])
            mean, var = sess.run(["bn/moving_mean:0", "bn/moving_variance:0"])
            infer_y = sess.run(z)
    flat = lambda t: np.ravel(t).astype(float).tolist()
    return {"x": flat(x), "gamma": flat(gamma), "beta": flat(beta), "moving_mean_init": 0.25,
            "moving_variance_init": 2.0, "momentum": 0.9, "train_y": flat(train_y),
            "moving_mean": flat(mean), "moving_variance": flat(var), "infer_y": flat(infer_y)}


def batch_norm_2d_values():
    """The non-fused batch_normalization of a [4, 3] input: training (y, and the moving
    statistics after its update ops), inference with them, then one gradient descent step
    (learning rate 0.5) on sum(y * target) run with the update ops: the loss, and gamma, beta
    and the moving statistics after it."""
    g = tf.Graph()
    with g.as_default():
        x = pattern([4, 3], 0.4, 1.5)
        gamma = pattern([3], 0.2, -0.5)
        beta = pattern([3], 0.1, 0.3)
        target = pattern([4, 3], 0.3, 1.2)
        init = dict(gamma_initializer=tf.constant_initializer(gamma),
                    beta_initializer=tf.constant_initializer(beta),
                    moving_mean_initializer=tf.constant_initializer(0.25),
                    moving_variance_initializer=tf.constant_initializer(2.0))
        y = tf.layers.batch_normalization(tf.constant(x), training=True, momentum=0.9,
                                          name="bn", **init)
        z = tf.layers.batch_normalization(tf.constant(x), name="bn", reuse=True, **init)
        loss = tf.reduce_sum(y * tf.constant(target))
        updates = tf.get_collection(tf.GraphKeys.UPDATE_OPS)
        with tf.control_dependencies(updates):
            step = tf.train.GradientDescentOptimizer(0.5).minimize(loss)
        names = ["bn/gamma:0", "bn/beta:0", "bn/moving_mean:0", "bn/moving_variance:0"]
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            train_y, _ = sess.run([y, updates])
            mean, var = sess.run(names[2:])
            infer_y = sess.run(z)
            sess.run(tf.global_variables_initializer())
            step_loss, _ = sess.run([loss, step])
            after = sess.run(names)
    flat = lambda t: np.ravel(t).astype(float).tolist()
    return {"x": flat(x), "gamma": flat(gamma), "beta": flat(beta), "target": flat(target),
            "moving_mean_init": 0.25, "moving_variance_init": 2.0, "momentum": 0.9,
            "train_y": flat(train_y), "moving_mean": flat(mean), "moving_variance": flat(var),
            "infer_y": flat(infer_y), "step_loss": float(step_loss),
            "step": {n.split(":")[0]: flat(v) for n, v in zip(names, after)}}


def regularizer_values():
    """dense (kernel 0.1, bias 0.5) and conv2d (kernel 0.2) regularized by
    tf.contrib.layers.l2_regularizer, an MSE loss of the dense output, and
    get_regularization_loss / get_total_loss: their names and values."""
    g = tf.Graph()
    with g.as_default():
        l2 = tf.contrib.layers.l2_regularizer
        k = np.arange(12, dtype=np.float32).reshape(4, 3) / 10 - 0.5
        y = tf.layers.dense(tf.constant(X, tf.float32), 3,
                            kernel_initializer=tf.constant_initializer(k),
                            bias_initializer=tf.constant_initializer(0.1),
                            kernel_regularizer=l2(0.1), bias_regularizer=l2(0.5))
        kc = pattern([3, 3, 2, 3], 0.05, 0.25)
        xc = pattern([1, 5, 5, 2], 0.1, 0.5)
        tf.layers.conv2d(tf.constant(xc), 3, 3,
                         kernel_initializer=tf.constant_initializer(kc),
                         kernel_regularizer=l2(0.2))
        mse = tf.losses.mean_squared_error(tf.zeros([2, 3]), y)
        reg = tf.losses.get_regularization_loss()
        total = tf.losses.get_total_loss()
        losses = tf.losses.get_regularization_losses()
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            values = sess.run({"mse": mse, "reg": reg, "total": total, "losses": losses})
    return {"kernel": k.ravel().tolist(), "bias": 0.1, "conv_kernel": np.ravel(kc).tolist(),
            "conv_x": np.ravel(xc).astype(float).tolist(),
            "names": {"mse": mse.name, "reg": reg.name, "total": total.name,
                      "losses": [t.name for t in losses]},
            "mse": float(values["mse"]), "reg": float(values["reg"]),
            "total": float(values["total"]), "losses": [float(v) for v in values["losses"]]}


def main():
    out = {"tf_version": tf.__version__, "twice_error": twice_error(), "values": values(),
           "conv_values": conv_values(), "batch_norm_values": batch_norm_values(),
           "regularizer_values": regularizer_values(),
           "batch_norm_2d_values": batch_norm_2d_values()}
    out.update({name: record(name, build) for name, build in CASES.items()})
    path = os.path.join(os.path.dirname(__file__), "..", "..", "tests", "golden", "layers_tf115.json")
    with open(path, "w") as f:
        json.dump(out, f, indent=1)
        f.write("\n")


if __name__ == "__main__":
    main()
