// use_cuda_graph through the public API: nothing on the CPU backend, graphs on a CUDA device.
// SessionCudaGraph: the option through the public API on the CPU backend (no effect).
// GpuCudaGraph: the real thing; skips where no CUDA device is usable.
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

// ---- through the public API ----

TEST(SessionCudaGraph, TheOptionDoesNothingOnTheCpuBackend) {
  vs::Graph g;
  vs::Variable v =
      g.get_variable("v", {.shape = vs::Shape{4}, .initializer = vs::zeros_initializer()});
  vs::Tensor x = vs::placeholder(g, vs::DType::kFloat32, vs::Shape{4}, "x");
  vs::Tensor y = chain(x, 10);
  vs::Tensor update = vs::assign_add(v, y);
  vs::Session with(g, {.device = vs::DeviceKind::kCpu, .use_cuda_graph = true});
  vs::Session without(g, {.device = vs::DeviceKind::kCpu});
  with.run(v.initializer());
  without.run(v.initializer());
  for (int run = 0; run < 4; ++run) {
    const vs::FeedDict feed = {{x, floats({float(run), 1, 2, 3}, vs::Shape{4})}};
    EXPECT_EQ(values(with.run(update, feed)), values(without.run(update, feed)));
    EXPECT_EQ(values(with.run(v)), values(without.run(v)));
  }
  EXPECT_EQ(with.cuda_graph_launches(), 0u);
  EXPECT_EQ(without.cuda_graph_launches(), 0u);
}

// ---- on a CUDA device (cudart, where the toolkit is) ----
#if VARSCOPE_TEST_HAS_CUDA

class GpuCudaGraph : public ::testing::Test {
 protected:
  void SetUp() override { VARSCOPE_SKIP_WITHOUT_GPU(); }
  static vs::SessionOptions options(bool graph) {
    return {.device = vs::DeviceKind::kCuda, .use_cuda_graph = graph};
  }
};

TEST_F(GpuCudaGraph, ReplaysGiveThePlainResultsAndFollowTheFeedValues) {
  vs::Graph g;
  vs::Tensor x = vs::placeholder(g, vs::DType::kFloat32, vs::Shape{vs::kUnknownDim}, "x");
  vs::Tensor y = chain(x, 100);
  vs::Session sess(g, options(true));
  vs::Session plain(g, options(false));
  for (int run = 0; run < 6; ++run) {
    const vs::FeedDict feed = {{x, floats({float(run), -2, 7.5f, float(-run)}, vs::Shape{4})}};
    EXPECT_EQ(values(sess.run(y, feed)), values(plain.run(y, feed))) << "run " << run;
    EXPECT_EQ(sess.cuda_graph_launches(), static_cast<std::uint64_t>(std::max(0, run)));
  }
  EXPECT_EQ(plain.cuda_graph_launches(), 0u);
}

TEST_F(GpuCudaGraph, AnotherFeedShapeGetsItsOwnGraph) {
  vs::Graph g;
  vs::Tensor x = vs::placeholder(g, vs::DType::kFloat32, vs::Shape{vs::kUnknownDim, 2}, "x");
  vs::Tensor y = vs::tanh(x * 0.5f) + 1.0f;
  vs::Session sess(g, options(true));
  vs::Session plain(g, options(false));
  const std::vector<int> rows = {2, 3, 2, 3, 3, 2};
  for (std::size_t i = 0; i < rows.size(); ++i) {
    std::vector<float> in;
    for (int k = 0; k < rows[i] * 2; ++k)
      in.push_back(float(k) * 0.25f - float(i));
    const vs::FeedDict feed = {{x, floats(in, vs::Shape{rows[i], 2})}};
    EXPECT_EQ(values(sess.run(y, feed)), values(plain.run(y, feed))) << "run " << i;
  }
  EXPECT_EQ(sess.cuda_graph_launches(), 4u);  // runs 2-5
}

TEST_F(GpuCudaGraph, AssignAddAccumulatesAcrossReplays) {
  vs::Graph g;
  vs::Variable v =
      g.get_variable("v", {.shape = vs::Shape{4}, .initializer = vs::zeros_initializer()});
  vs::Tensor x = vs::placeholder(g, vs::DType::kFloat32, vs::Shape{4}, "x");
  vs::Operation update = vs::assign_add(v, x * 2.0f).op();
  vs::Session sess(g, options(true));
  sess.run(v.initializer());
  void* where = sess.data_ptr(v);
  std::vector<float> sum(4, 0.0f);
  for (int run = 1; run <= 6; ++run) {
    const std::vector<float> in = {float(run), 1, -0.5f, 0};
    for (std::size_t i = 0; i < 4; ++i)
      sum[i] += 2.0f * in[i];
    sess.run(update, {{x, floats(in, vs::Shape{4})}});
    EXPECT_EQ(values(sess.run(v)), sum) << "run " << run;
    std::vector<float> device(4);
    ASSERT_EQ(cudaMemcpy(device.data(), sess.data_ptr(v), 16, cudaMemcpyDeviceToHost), cudaSuccess);
    EXPECT_EQ(device, sum);
    EXPECT_EQ(sess.data_ptr(v), where);
  }
  EXPECT_EQ(sess.cuda_graph_launches(), 5u);  // runs 2-6 (fetching v launches nothing)
}

TEST_F(GpuCudaGraph, RandomOpsDrawFreshNumbersEveryRun) {
  vs::Graph g;
  g.set_random_seed(3);
  vs::Tensor x = vs::placeholder(g, vs::DType::kFloat32, vs::Shape{8}, "x");
  vs::Tensor y = vs::random_normal(g, {8}) * 2.0f + x;
  vs::Session sess(g, options(true));
  vs::Session plain(g, options(false));
  const vs::FeedDict feed = {{x, floats(std::vector<float>(8, 1.0f), vs::Shape{8})}};
  std::vector<std::vector<float>> seen;
  for (int run = 0; run < 4; ++run) {
    seen.push_back(values(sess.run(y, feed)));
    EXPECT_EQ(seen.back(), values(plain.run(y, feed))) << "run " << run;
  }
  for (std::size_t i = 1; i < seen.size(); ++i)
    EXPECT_NE(seen[i], seen[i - 1]);
  EXPECT_EQ(sess.cuda_graph_launches(), 0u);
}

TEST_F(GpuCudaGraph, UninitializedReadIsFailedPreconditionAndChangesNothing) {
  vs::Graph g;
  vs::Variable v =
      g.get_variable("v", {.shape = vs::Shape{2}, .initializer = vs::ones_initializer()});
  vs::Tensor x = vs::placeholder(g, vs::DType::kFloat32, vs::Shape{2}, "x");
  vs::Tensor y = v.value() + x;
  const vs::FeedDict feed = {{x, floats({1, 2}, vs::Shape{2})}};
  vs::Session sess(g, options(true));
  vs::Session plain(g, options(false));
  for (int attempt = 0; attempt < 3; ++attempt) {
    const std::string expected = error_of<vs::FailedPreconditionError>([&] { plain.run(y, feed); });
    EXPECT_EQ(error_of<vs::FailedPreconditionError>([&] { sess.run(y, feed); }), expected);
  }
  EXPECT_FALSE(sess.is_initialized(v));
  EXPECT_EQ(sess.cuda_graph_launches(), 0u);
  sess.run(v.initializer());
  for (int run = 0; run < 3; ++run)
    EXPECT_EQ(values(sess.run(y, feed)), (std::vector<float>{2, 3}));
  EXPECT_EQ(sess.cuda_graph_launches(), 2u);
}

TEST_F(GpuCudaGraph, MatMulThroughCublasInAGraphMatchesThePlainRun) {
  vs::Graph g;
  const std::int64_t m = 64, k = 48, n = 32;
  std::vector<float> bv;
  for (std::int64_t i = 0; i < k * n; ++i)
    bv.push_back(std::sin(float(i)));
  vs::Tensor a = vs::placeholder(g, vs::DType::kFloat32, vs::Shape{m, k}, "a");
  vs::Tensor b = vs::constant(g, floats(bv, vs::Shape{k, n}));
  vs::Tensor y = vs::relu(vs::matmul(a, b)) + 1.0f;
  vs::Session sess(g, options(true));
  vs::Session plain(g, options(false));
  for (int run = 0; run < 4; ++run) {
    std::vector<float> av;
    for (std::int64_t i = 0; i < m * k; ++i)
      av.push_back(std::cos(float(i + run)));
    const vs::FeedDict feed = {{a, floats(av, vs::Shape{m, k})}};
    const std::vector<float> got = values(sess.run(y, feed));
    const std::vector<float> want = values(plain.run(y, feed));
    ASSERT_EQ(got.size(), want.size());
    for (std::size_t i = 0; i < got.size(); ++i)
      EXPECT_NEAR(got[i], want[i], 1e-4f * (1.0f + std::fabs(want[i]))) << i << ", run " << run;
  }
  EXPECT_EQ(sess.cuda_graph_launches(), 3u);
}

TEST_F(GpuCudaGraph, ASessionOnAnExternalStreamUsesPlainLaunches) {
  cudaStream_t stream = nullptr;
  ASSERT_EQ(cudaStreamCreateWithFlags(&stream, cudaStreamNonBlocking), cudaSuccess);
  {
    vs::Graph g;
    vs::Tensor x = vs::placeholder(g, vs::DType::kFloat32, vs::Shape{2}, "x");
    vs::Tensor y = x * 3.0f;
    vs::Session sess(g,
                     {.device = vs::DeviceKind::kCuda, .stream = stream, .use_cuda_graph = true});
    for (int run = 0; run < 3; ++run) {
      EXPECT_EQ(values(sess.run(y, {{x, floats({float(run), 1}, vs::Shape{2})}})),
                (std::vector<float>{3.0f * float(run), 3}));
    }
    EXPECT_EQ(sess.cuda_graph_launches(), 0u);
  }
  cudaStreamDestroy(stream);
}
#endif  // VARSCOPE_TEST_HAS_CUDA
