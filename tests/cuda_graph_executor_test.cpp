// CudaGraphExecutor: record then replay on the stand-in backend (runs everywhere).
#include <gtest/gtest.h>

#include <cmath>
#include <cstring>
#include <functional>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "gpu_test.h"
#include "host/runtime/backend.h"
#include "host/runtime/session_impl.h"
#include "test_util.h"
#include "varscope/varscope.h"

#if VARSCOPE_TEST_HAS_CUDA
#include <cuda_runtime_api.h>
#endif
#include "cuda_graph_stand_in.h"

namespace vs = varscope;
using namespace cuda_graph_test;  // NOLINT: the stand-in and helpers of cuda_graph_stand_in.h

namespace {

std::vector<float> chain_on_host(std::vector<float> v, int ops) {
  for (float& x : v) {
    for (int i = 0; i < ops; ++i)
      x = (i % 2 == 0) ? x + 1.0f : x * 0.5f;
  }
  return v;
}

}  // namespace

// ---- the executor on the stand-in backend (runs everywhere) ----

TEST(CudaGraphExecutor, FirstRunPlainThenRecordedThenReplayedFollowingTheFeeds) {
  vs::Graph g;
  vs::Tensor x = vs::placeholder(g, vs::DType::kFloat32, vs::Shape{vs::kUnknownDim}, "x");
  vs::Tensor y = chain(x, 10);
  Recorded sess(g);
  for (int run = 0; run < 6; ++run) {
    const std::vector<float> in = {float(run), -1.5f, 2.0f * float(run), 100.0f};
    EXPECT_EQ(values(sess.run1(y, {{x, floats(in, vs::Shape{4})}})), chain_on_host(in, 10))
        << "run " << run;
    // Run 0 is plain; run 1 records and launches; later runs replay.
    EXPECT_EQ(sess.stats->launches, std::max(0, run)) << "run " << run;
  }
  EXPECT_EQ(sess.stats->captures, 1);
  EXPECT_EQ(sess.stats->forbidden, 0);
  EXPECT_FALSE(sess.stats->capturing);
}

TEST(CudaGraphExecutor, FetchingTheFeedAndAnIdentityOfItFollowsEachReplay) {
  vs::Graph g;
  vs::Tensor x = vs::placeholder(g, vs::DType::kFloat32, vs::Shape{2}, "x");
  vs::Tensor same = vs::identity(x * 1.0f);
  Recorded sess(g);
  for (int run = 0; run < 4; ++run) {
    const std::vector<float> in = {float(run), float(-run)};
    auto out = sess.run({x, same}, {{x, floats(in, vs::Shape{2})}});
    EXPECT_EQ(values(out[0]), in);
    EXPECT_EQ(values(out[1]), in);
  }
  EXPECT_EQ(sess.stats->launches, 3);
  EXPECT_EQ(sess.stats->forbidden, 0);
}

TEST(CudaGraphExecutor, EachFeedShapeGetsItsOwnRecording) {
  vs::Graph g;
  vs::Tensor x = vs::placeholder(g, vs::DType::kFloat32, vs::Shape{vs::kUnknownDim, 2}, "x");
  vs::Tensor y = vs::relu(x - 1.0f) * 2.0f;
  Recorded sess(g);
  auto expect = [](const std::vector<float>& in) {
    std::vector<float> out;
    for (float v : in)
      out.push_back(std::max(v - 1.0f, 0.0f) * 2.0f);
    return out;
  };
  const std::vector<int> rows = {1, 3, 1, 3, 3, 2, 1, 2, 2};
  for (std::size_t i = 0; i < rows.size(); ++i) {
    std::vector<float> in;
    for (int k = 0; k < rows[i] * 2; ++k)
      in.push_back(float(k) - float(i));
    EXPECT_EQ(values(sess.run1(y, {{x, floats(in, vs::Shape{rows[i], 2})}})), expect(in))
        << "run " << i;
  }
  // Per shape: a plain run, then a recording, then replays. 1: runs 0, 2, 6 -> 2 launches;
  // 3: runs 1, 3, 4 -> 2; 2: runs 5, 7, 8 -> 2.
  EXPECT_EQ(sess.stats->captures, 3);
  EXPECT_EQ(sess.stats->launches, 6);
  EXPECT_EQ(sess.stats->forbidden, 0);
}

TEST(CudaGraphExecutor, ManyFeedShapesStayCorrectPastTheRecordingLimit) {
  vs::Graph g;
  vs::Tensor x = vs::placeholder(g, vs::DType::kFloat32, vs::Shape{vs::kUnknownDim}, "x");
  vs::Tensor y = x + 1.0f;
  Recorded sess(g);
  for (int round = 0; round < 3; ++round) {
    for (int n = 1; n <= 12; ++n) {
      std::vector<float> in(static_cast<std::size_t>(n), float(round));
      EXPECT_EQ(values(sess.run1(y, {{x, floats(in, vs::Shape{n})}})),
                std::vector<float>(static_cast<std::size_t>(n), float(round) + 1.0f));
    }
  }
  EXPECT_GT(sess.stats->launches, 0);
  EXPECT_EQ(sess.stats->forbidden, 0);
}

TEST(CudaGraphExecutor, AssignAddAccumulatesAcrossReplaysAndIsSeenThroughTheStorage) {
  vs::Graph g;
  vs::Variable v =
      g.get_variable("v", {.shape = vs::Shape{3}, .initializer = vs::zeros_initializer()});
  vs::Tensor x = vs::placeholder(g, vs::DType::kFloat32, vs::Shape{3}, "x");
  vs::Tensor update = vs::assign_add(v, x);
  Recorded sess(g);
  sess.run_op(g.global_variables_initializer());
  float* storage = sess.host_ptr(v);
  std::vector<float> sum = {0, 0, 0};
  for (int run = 1; run <= 5; ++run) {
    const std::vector<float> in = {float(run), 0.5f, -float(run)};
    for (std::size_t i = 0; i < 3; ++i)
      sum[i] += in[i];
    EXPECT_EQ(values(sess.run1(update, {{x, floats(in, vs::Shape{3})}})), sum);
    EXPECT_EQ(values(sess.run1(v.value())), sum);
    EXPECT_EQ(std::vector<float>(storage, storage + 3), sum);
    EXPECT_EQ(sess.host_ptr(v), storage);
  }
  EXPECT_EQ(sess.stats->launches, 4);  // update: runs 2-5 (reading v launches no work)
  EXPECT_EQ(sess.stats->forbidden, 0);
}

TEST(CudaGraphExecutor, AnAssignInARecordingInitializesTheVariableOnReplays) {
  vs::Graph g;
  vs::Variable v = g.get_variable("v", {.shape = vs::Shape{2}});
  vs::Tensor x = vs::placeholder(g, vs::DType::kFloat32, vs::Shape{2}, "x");
  vs::Tensor written = vs::assign(v, x * 2.0f);
  vs::Tensor doubled = written * 2.0f;  // reads v after the Assign of the same run
  Recorded sess(g);
  for (int run = 0; run < 4; ++run) {
    const std::vector<float> in = {float(run), 1.0f};
    auto out = sess.run({doubled, written}, {{x, floats(in, vs::Shape{2})}});
    EXPECT_EQ(values(out[0]), (std::vector<float>{4.0f * float(run), 4.0f}));
    EXPECT_EQ(values(out[1]), (std::vector<float>{2.0f * float(run), 2.0f}));
    EXPECT_TRUE(sess.initialized(v));
    EXPECT_EQ(values(sess.run1(v.value())), (std::vector<float>{2.0f * float(run), 2.0f}));
  }
  EXPECT_EQ(sess.stats->launches, 3);
  EXPECT_EQ(sess.stats->forbidden, 0);
}

TEST(CudaGraphExecutor, RandomOpsAreNeverRecorded) {
  vs::Graph g;
  g.set_random_seed(5);
  vs::Tensor x = vs::placeholder(g, vs::DType::kFloat32, vs::Shape{4}, "x");
  vs::Tensor normal = vs::random_normal(g, {4}, {.mean = 1, .stddev = 2}) + x;
  vs::Tensor uniform = vs::random_uniform(g, {4}) * x;
  const std::vector<float> ones = {1, 1, 1, 1};
  Recorded sess(g);
  Recorded plain(g, /*use_cuda_graph=*/false);
  std::vector<std::vector<float>> seen;
  for (int run = 0; run < 4; ++run) {
    auto out = sess.run({normal, uniform}, {{x, floats(ones, vs::Shape{4})}});
    auto expected = plain.run({normal, uniform}, {{x, floats(ones, vs::Shape{4})}});
    EXPECT_EQ(values(out[0]), values(expected[0]));  // the same stream, continued each run
    EXPECT_EQ(values(out[1]), values(expected[1]));
    seen.push_back(values(out[0]));
  }
  for (std::size_t i = 1; i < seen.size(); ++i)
    EXPECT_NE(seen[i], seen[i - 1]);
  EXPECT_EQ(sess.stats->launches, 0);
  EXPECT_EQ(sess.stats->captures, 0);
}

TEST(CudaGraphExecutor, UninitializedReadsAreReportedAsInAPlainRunAndChangeNothing) {
  vs::Graph g;
  vs::Variable v =
      g.get_variable("v", {.shape = vs::Shape{2}, .initializer = vs::ones_initializer()});
  vs::Tensor x = vs::placeholder(g, vs::DType::kFloat32, vs::Shape{2}, "x");
  vs::Tensor y = v.value() + x;
  const vs::FeedDict feed = {{x, floats({1, 2}, vs::Shape{2})}};
  Recorded sess(g);
  Recorded plain(g, /*use_cuda_graph=*/false);
  for (int attempt = 0; attempt < 3; ++attempt) {
    const std::string expected =
        error_of<vs::FailedPreconditionError>([&] { plain.run1(y, feed); });
    EXPECT_EQ(error_of<vs::FailedPreconditionError>([&] { sess.run1(y, feed); }), expected);
    EXPECT_TRUE(expected.starts_with("Attempting to use uninitialized value v")) << expected;
    EXPECT_EQ(error_of<vs::FailedPreconditionError>([&] { sess.run1(v.op().output(0)); }),
              "Attempting to use uninitialized value v");
  }
  EXPECT_FALSE(sess.initialized(v));
  EXPECT_EQ(sess.stats->launches, 0);
  sess.run_op(v.initializer());
  for (int run = 0; run < 3; ++run)
    EXPECT_EQ(values(sess.run1(y, feed)), (std::vector<float>{2, 3}));
  EXPECT_EQ(sess.stats->launches, 2);
  EXPECT_EQ(sess.stats->forbidden, 0);
}

TEST(CudaGraphExecutor, ReplaysMakeTheUninitializedReadChecksBeforeLaunching) {
  vs::Graph g;
  vs::Variable v =
      g.get_variable("v", {.shape = vs::Shape{2}, .initializer = vs::ones_initializer()});
  vs::Tensor x = vs::placeholder(g, vs::DType::kFloat32, vs::Shape{2}, "x");
  vs::Tensor y = v.value() + x;
  vs::Operation update = vs::assign_add(v, x).op();
  const vs::FeedDict feed = {{x, floats({1, 2}, vs::Shape{2})}};
  Recorded sess(g);
  sess.run_op(v.initializer());
  for (int run = 0; run < 2; ++run) {
    sess.run_op(update, feed);
    sess.run1(y, feed);
  }
  ASSERT_EQ(sess.stats->launches, 2);  // both plans recorded
  const std::vector<float> before(sess.host_ptr(v), sess.host_ptr(v) + 2);
  EXPECT_EQ(before, (std::vector<float>{3, 5}));
  Recorded plain(g, /*use_cuda_graph=*/false);  // v never initialized there
  sess.set_initialized(v, false);
  for (int attempt = 0; attempt < 2; ++attempt) {
    EXPECT_EQ(error_of<vs::FailedPreconditionError>([&] { sess.run1(y, feed); }),
              error_of<vs::FailedPreconditionError>([&] { plain.run1(y, feed); }));
    EXPECT_EQ(error_of<vs::FailedPreconditionError>([&] { sess.run_op(update, feed); }),
              error_of<vs::FailedPreconditionError>([&] { plain.run_op(update, feed); }));
  }
  EXPECT_EQ(sess.stats->launches, 2);  // nothing launched
  EXPECT_EQ(std::vector<float>(sess.host_ptr(v), sess.host_ptr(v) + 2), before);
  EXPECT_FALSE(sess.initialized(v));
  sess.set_initialized(v, true);
  EXPECT_EQ(values(sess.run1(y, feed)), (std::vector<float>{4, 7}));
  EXPECT_EQ(sess.stats->launches, 3);
  EXPECT_EQ(sess.stats->forbidden, 0);
}

TEST(CudaGraphExecutor, MatMulSoftmaxAndConstantAxisReductionsAreRecorded) {
  vs::Graph g;
  vs::Tensor a = vs::placeholder(g, vs::DType::kFloat32, vs::Shape{2, 3}, "a");
  vs::Tensor b = vs::constant(g, floats({1, 0, 2, -1, 0.5f, 3}, vs::Shape{3, 2}));
  vs::Tensor logits = vs::matmul(a, b);
  vs::Tensor loss = vs::reduce_mean(vs::softmax(logits), {.axes = std::vector<int>{1}});
  vs::Tensor total = vs::reduce_sum(vs::cast(logits, vs::DType::kFloat64));
  Recorded sess(g);
  Recorded plain(g, /*use_cuda_graph=*/false);
  for (int run = 0; run < 4; ++run) {
    const vs::FeedDict feed = {{a, floats({1, 2, 3, float(run), -1, 0.25f}, vs::Shape{2, 3})}};
    auto out = sess.run({logits, loss, total}, feed);
    auto expected = plain.run({logits, loss, total}, feed);
    for (std::size_t i = 0; i < out.size(); ++i) {
      ASSERT_EQ(out[i].nbytes(), expected[i].nbytes());
      EXPECT_EQ(std::memcmp(out[i].raw_data(), expected[i].raw_data(), out[i].nbytes()), 0)
          << "fetch " << i << ", run " << run;
    }
  }
  EXPECT_EQ(sess.stats->launches, 3);
  EXPECT_EQ(sess.stats->forbidden, 0);
}

TEST(CudaGraphExecutor, PlansThatNeedDeviceValuesOnTheHostMidRunAreNotRecorded) {
  vs::Graph g;
  vs::Variable v =
      g.get_variable("v", {.shape = vs::Shape{2}, .initializer = vs::ones_initializer()});
  vs::Tensor ready = g.is_variable_initialized(v);
  vs::Tensor x = vs::placeholder(g, vs::DType::kFloat32, vs::Shape{2}, "x");
  vs::Tensor sum = vs::reduce_sum(x, {.axes = std::vector<int>{0}});
  vs::Tensor axes = sum.op().input(1);
  Recorded sess(g);
  for (int run = 0; run < 3; ++run)
    EXPECT_FALSE(sess.run1(ready).data<bool>()[0]);
  sess.run_op(v.initializer());
  EXPECT_TRUE(sess.run1(ready).data<bool>()[0]);  // not a frozen answer
  EXPECT_EQ(sess.stats->launches, 0);
  // Reduction axes fed at run time are read on the host mid-run: plain launches.
  for (int run = 0; run < 3; ++run) {
    const vs::FeedDict feed = {{x, floats({1, float(run)}, vs::Shape{2})},
                               {axes, vs::HostTensor(std::vector<std::int32_t>{0})}};
    EXPECT_EQ(values(sess.run1(sum, feed)), std::vector<float>{1.0f + float(run)});
  }
  EXPECT_EQ(sess.stats->launches, 0);
  // The same reduction over its constant axes: recorded.
  for (int run = 0; run < 3; ++run) {
    EXPECT_EQ(values(sess.run1(sum, {{x, floats({1, float(run)}, vs::Shape{2})}})),
              std::vector<float>{1.0f + float(run)});
  }
  EXPECT_EQ(sess.stats->launches, 2);
  EXPECT_EQ(sess.stats->forbidden, 0);
}

TEST(CudaGraphExecutor, RunsWithoutDeviceWorkRecordNothing) {
  vs::Graph g;
  vs::Variable v =
      g.get_variable("v", {.shape = vs::Shape{2}, .initializer = vs::ones_initializer()});
  Recorded sess(g);
  sess.run_op(v.initializer());
  for (int run = 0; run < 4; ++run)
    EXPECT_EQ(values(sess.run1(v.value())), (std::vector<float>{1, 1}));
  EXPECT_EQ(sess.stats->launches, 0);
  EXPECT_EQ(sess.stats->captures, 0);
  EXPECT_EQ(sess.stats->forbidden, 0);
}

TEST(CudaGraphExecutor, AFailedCaptureFallsBackToPlainLaunchesForThePlan) {
  vs::Graph g;
  vs::Variable w = g.get_variable("w", {.shape = vs::Shape{2, 2}});
  vs::Tensor x = vs::placeholder(g, vs::DType::kFloat32, vs::Shape{1, 2}, "x");
  vs::Tensor init = vs::assign(w, vs::constant(g, floats({1, 2, 3, 4}, vs::Shape{2, 2})));
  vs::Tensor y = vs::matmul(x, init);  // assigns w, then reads it through the Assign
  Recorded sess(g);
  sess.stats->fail_matmul_while_capturing = true;
  for (int run = 0; run < 4; ++run) {
    const float f = float(run);
    EXPECT_EQ(values(sess.run1(y, {{x, floats({f, 1}, vs::Shape{1, 2})}})),
              (std::vector<float>{f + 3, 2 * f + 4}));
    EXPECT_FALSE(sess.stats->capturing);  // never left capturing
  }
  EXPECT_TRUE(sess.initialized(w));
  EXPECT_EQ(sess.stats->aborts, 1);  // one try, remembered
  EXPECT_EQ(sess.stats->launches, 0);
  EXPECT_EQ(sess.stats->forbidden, 0);
}

TEST(CudaGraphExecutor, AFailedCaptureRestoresTheInitializedFlagsItMoved) {
  vs::Graph g;
  vs::Variable w = g.get_variable("w", {.shape = vs::Shape{1, 1}});
  vs::Variable other = g.get_variable("other", {.shape = vs::Shape{1, 1}});
  vs::Tensor x = vs::placeholder(g, vs::DType::kFloat32, vs::Shape{1, 1}, "x");
  vs::Tensor first = vs::assign(w, x);
  vs::Tensor y = vs::matmul(first, first);
  Recorded sess(g);
  sess.run({y}, {{x, floats({3}, vs::Shape{1, 1})}});  // plain: initializes w
  EXPECT_TRUE(sess.initialized(w));
  EXPECT_FALSE(sess.initialized(other));
  sess.stats->fail_matmul_while_capturing = true;
  EXPECT_EQ(values(sess.run1(y, {{x, floats({4}, vs::Shape{1, 1})}})), std::vector<float>{16});
  EXPECT_TRUE(sess.initialized(w));
  EXPECT_FALSE(sess.initialized(other));
  EXPECT_EQ(sess.stats->aborts, 1);
}
