#!/usr/bin/env python3
"""Loads a checkpoint with TensorFlow 1.15's own reader and prints every tensor (run by hand:
the proof that TF reads what varscope writes).

    venv-tf115/bin/python tools/tf115/check_varscope_checkpoint.py PREFIX_OR_DIR

E.g. after `VARSCOPE_TF_ROUNDTRIP_DIR=/tmp/rt build/ci/tests/tf_saver_test
--gtest_filter=*BothRoundTrip*`, pass /tmp/rt (the directory: its `checkpoint` file names the
latest checkpoint, as tf.train.latest_checkpoint reads it). It also restores the checkpoint
into a TF graph with tf.compat.v1.train.Saver, which verifies every checksum.
"""
import sys

import numpy as np
import tensorflow as tf

tf1 = tf.compat.v1


def main():
    path = sys.argv[1]
    if tf.io.gfile.isdir(path):
        latest = tf1.train.latest_checkpoint(path)
        print("latest_checkpoint(%s) = %s" % (path, latest))
        path = latest
    reader = tf1.train.load_checkpoint(path)
    dtypes = reader.get_variable_to_dtype_map()
    np.set_printoptions(precision=6, suppress=True)
    g = tf.Graph()
    with g.as_default():
        variables = []
        for name, shape in sorted(reader.get_variable_to_shape_map().items()):
            value = reader.get_tensor(name)
            print("%s %s %s\n%s" % (name, dtypes[name].name, shape, value))
            variables.append(tf1.get_variable(name, shape, dtype=dtypes[name]))
        with tf1.Session() as sess:
            tf1.train.Saver(variables).restore(sess, path)
            print("tf.compat.v1.train.Saver restored %d variables" % len(variables))


if __name__ == "__main__":
    main()
