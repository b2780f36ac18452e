"""TF 1.15's own tf.train.Saver on bench/checkpoint_bench.cpp's checkpoint: 1,000 float32
variables totalling 1 GiB (VARSCOPE_BENCH_CKPT_MIB to change), saved and restored ROUNDS
times; prints the median of each. Run by hand beside ./build/ci/bench/checkpoint_bench (the
speed row of bench/RESULTS.md), never in CI:

    /work/venv-tf115/bin/python tools/tf115/bench_tf_saver.py
"""
import os
import shutil
import statistics
import tempfile
import time

import numpy as np
import tensorflow as tf

assert tf.__version__.startswith("1.15"), tf.__version__

VARIABLES = 1000
ROUNDS = 5


def main():
    total = int(os.environ.get("VARSCOPE_BENCH_CKPT_MIB", "1024")) << 20
    per = total // 4 // VARIABLES
    tmp = tempfile.mkdtemp(prefix="tf_ckpt_bench_")
    with tf.Graph().as_default():
        for i in range(VARIABLES):
            with tf.variable_scope("layer%d" % (i // 10)):
                tf.get_variable("v%d" % i, [per], initializer=tf.ones_initializer())
        saver = tf.train.Saver()
        with tf.Session() as sess:
            sess.run(tf.global_variables_initializer())
            prefix = os.path.join(tmp, "model.ckpt")
            saves, restores = [], []
            for _ in range(ROUNDS):
                start = time.perf_counter()
                saver.save(sess, prefix, write_meta_graph=False, write_state=False)
                saves.append(time.perf_counter() - start)
                start = time.perf_counter()
                saver.restore(sess, prefix)
                restores.append(time.perf_counter() - start)
    shutil.rmtree(tmp)
    gib = total / float(1 << 30)
    for name, times in [("save", saves), ("restore", restores)]:
        m = statistics.median(times)
        print("TF 1.15 Saver %-7s %.0f ms median of %d (%.2f GiB/s); all: %s" %
              (name, m * 1e3, ROUNDS, gib / m, ", ".join("%.0f" % (t * 1e3) for t in times)))


if __name__ == "__main__":
    np.random.seed(0)
    main()
