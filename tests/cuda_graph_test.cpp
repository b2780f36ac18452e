// SessionOptions::use_cuda_graph.
//
// CudaGraphExecutor runs everywhere: the executor's record-then-replay logic on a stand-in
// backend (the CPU backend behind a wrapper that, while "capturing", records each call
// instead of running it, and fails every call CUDA would refuse during a capture). It
// checks what the CUDA backend relies on: nothing allocates, frees, copies to or from the
// host or synchronizes while recording; replays follow the feeds; random ops are never
// recorded; a failed capture falls back to plain launches.
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

namespace vs = varscope;

namespace {

using vs::testing::error_of;

using vs::testing::values;

vs::HostTensor floats(std::vector<float> v, vs::Shape shape) {
  return vs::HostTensor(std::move(v), std::move(shape));
}

// ---- the stand-in backend ----

struct Stats {
  bool capturing = false;
  int captures = 0;  // end_capture calls that returned a graph
  int launches = 0;
  int aborts = 0;
  int forbidden = 0;  // calls that cannot happen during a CUDA capture, made during one
  bool fail_matmul_while_capturing = false;  // as a library call refused under capture would
};

class RecordedGraph final : public vs::runtime::Backend::Graph {
 public:
  explicit RecordedGraph(std::vector<std::function<void()>> calls) : calls(std::move(calls)) {}
  std::vector<std::function<void()>> calls;
};

class RecordingBackend final : public vs::runtime::Backend {
 public:
  explicit RecordingBackend(std::shared_ptr<Stats> stats)
      : cpu_(vs::runtime::make_cpu_backend()), stats_(std::move(stats)) {}

  vs::DeviceKind kind() const override { return cpu_->kind(); }
  std::string description() const override { return "recording " + cpu_->description(); }

  void* allocate(std::size_t bytes) override {
    refuse("allocate");
    return cpu_->allocate(bytes);
  }
  void deallocate(void* ptr) noexcept override {
    if (stats_->capturing) ++stats_->forbidden;
    cpu_->deallocate(ptr);
  }
  void copy_from_host(void* dst, const void* src, std::size_t bytes) override {
    refuse("copy_from_host");
    cpu_->copy_from_host(dst, src, bytes);
  }
  void copy_to_host(void* dst, const void* src, std::size_t bytes) override {
    refuse("copy_to_host");
    cpu_->copy_to_host(dst, src, bytes);
  }
  void synchronize() override {
    refuse("synchronize");
    cpu_->synchronize();
  }

  void copy(void* dst, const void* src, std::size_t bytes) override {
    enqueue([=, this] { cpu_->copy(dst, src, bytes); });
  }
  // The compute operations: recorded by value, as a kernel launch takes its arguments.
  void fill(const vs::kernels::FillArgs& args) override {
    // Like a kernel launch, the pattern is taken by value too.
    const auto* bytes = static_cast<const unsigned char*>(args.pattern);
    std::vector<unsigned char> p(bytes, bytes + args.element_size);
    enqueue([=, this] {
      vs::kernels::FillArgs a = args;
      a.pattern = p.data();
      cpu_->fill(a);
    });
  }
  void random(const vs::kernels::RandomArgs& args) override {
    enqueue([=, this] { cpu_->random(args); });
  }
  void binary(const vs::kernels::BinaryArgs& args) override {
    enqueue([=, this] { cpu_->binary(args); });
  }
  void unary(const vs::kernels::UnaryArgs& args) override {
    enqueue([=, this] { cpu_->unary(args); });
  }
  void select(const vs::kernels::SelectArgs& args) override {
    enqueue([=, this] { cpu_->select(args); });
  }
  void cast(const vs::kernels::CastArgs& args) override {
    enqueue([=, this] { cpu_->cast(args); });
  }
  void reduce(const vs::kernels::ReduceArgs& args) override {
    enqueue([=, this] { cpu_->reduce(args); });
  }
  void softmax(const vs::kernels::SoftmaxArgs& args) override {
    enqueue([=, this] { cpu_->softmax(args); });
  }
  void activation_grad(const vs::kernels::ActivationGradArgs& args) override {
    enqueue([=, this] { cpu_->activation_grad(args); });
  }
  void softmax_xent(const vs::kernels::SoftmaxXentArgs& args) override {
    enqueue([=, this] { cpu_->softmax_xent(args); });
  }
  void apply_update(const vs::kernels::ApplyUpdateArgs& args) override {
    enqueue([=, this] { cpu_->apply_update(args); });
  }
  void matmul(const vs::kernels::MatMulArgs& args) override {
    if (stats_->capturing && stats_->fail_matmul_while_capturing) {
      invalidated_ = true;
      throw vs::InternalError("matmul refused while capturing (simulated)");
    }
    enqueue([=, this] { cpu_->matmul(args); });
  }

  bool enable_graphs() override { return true; }
  void begin_capture() override {
    if (stats_->capturing) throw vs::InternalError("already capturing");
    stats_->capturing = true;
    invalidated_ = false;
    recorded_.clear();
  }
  std::unique_ptr<Graph> end_capture() override {
    if (!stats_->capturing) throw vs::InternalError("not capturing");
    stats_->capturing = false;
    auto calls = std::move(recorded_);
    recorded_.clear();
    if (invalidated_) throw vs::InternalError("capture invalidated");
    if (calls.empty()) return nullptr;
    ++stats_->captures;
    return std::make_unique<RecordedGraph>(std::move(calls));
  }
  void abort_capture() noexcept override {
    if (stats_->capturing) ++stats_->aborts;
    stats_->capturing = false;
    recorded_.clear();
  }
  void launch(Graph& graph) override {
    refuse("launch");
    for (const auto& call : static_cast<RecordedGraph&>(graph).calls)
      call();
    ++stats_->launches;
  }

 private:
  // What CUDA refuses under a thread-local capture: the call fails and the capture with it.
  void refuse(const char* call) {
    if (!stats_->capturing) return;
    ++stats_->forbidden;
    invalidated_ = true;
    throw vs::InternalError(std::string(call) + " while capturing");
  }
  void enqueue(std::function<void()> call) {
    if (stats_->capturing) {
      recorded_.push_back(std::move(call));
    } else {
      call();
    }
  }

  std::unique_ptr<vs::runtime::Backend> cpu_;
  std::shared_ptr<Stats> stats_;
  std::vector<std::function<void()>> recorded_;
  bool invalidated_ = false;
};

// A session on the stand-in backend, driven through the executor directly.
class Recorded {
 public:
  explicit Recorded(const vs::Graph& g, bool use_cuda_graph = true)
      : stats(std::make_shared<Stats>()),
        impl_(vs::detail::Access::impl(g),
              std::make_unique<RecordingBackend>(stats),
              use_cuda_graph) {}

  std::vector<vs::HostTensor> run(const std::vector<vs::Tensor>& fetches,
                                  const vs::FeedDict& feeds = {},
                                  const std::vector<vs::Operation>& targets = {}) {
    std::vector<vs::detail::TensorRef> refs;
    for (const vs::Tensor& t : fetches)
      refs.push_back(vs::detail::Access::ref(t));
    vs::detail::SessionImpl::Feeds feed_refs;
    for (const auto& [t, value] : feeds)
      feed_refs.emplace_back(vs::detail::Access::ref(t), value);
    std::vector<int> ids;
    for (const vs::Operation& op : targets)
      ids.push_back(op.id());
    return impl_.run(refs, feed_refs, ids);
  }
  vs::HostTensor run1(const vs::Tensor& fetch, const vs::FeedDict& feeds = {}) {
    return run({fetch}, feeds).front();
  }
  void run_op(const vs::Operation& op, const vs::FeedDict& feeds = {}) { run({}, feeds, {op}); }
  float* host_ptr(const vs::Variable& v) {
    return static_cast<float*>(impl_.storage(v.id()).data.get());
  }
  // No public call uninitializes a variable; tests that need one clear the flag by hand.
  void set_initialized(const vs::Variable& v, bool initialized) {
    impl_.variables.at(static_cast<std::size_t>(v.id())).initialized = initialized;
  }
  bool initialized(const vs::Variable& v) {
    return impl_.variables.size() > static_cast<std::size_t>(v.id()) &&
           impl_.variables[static_cast<std::size_t>(v.id())].initialized;
  }

  std::shared_ptr<Stats> stats;

 private:
  vs::detail::SessionImpl impl_;
};

vs::Tensor chain(vs::Tensor x, int ops) {
  for (int i = 0; i < ops; ++i)
    x = (i % 2 == 0) ? x + 1.0f : x * 0.5f;
  return x;
}

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
