// The stand-in backend of the cuda_graph tests (CPU kernels, CUDA capture rules) and helpers.
//
// CudaGraphExecutor runs everywhere: the executor's record-then-replay logic on a stand-in
// backend (the CPU backend behind a wrapper that, while "capturing", records each call
// instead of running it, and fails every call CUDA would refuse during a capture). It
// checks what the CUDA backend relies on: nothing allocates, frees, copies to or from the
// host or synchronizes while recording; replays follow the feeds; random ops are never
// recorded; a failed capture falls back to plain launches.
#pragma once

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

namespace vs = varscope;

namespace cuda_graph_test {

using vs::testing::error_of;

using vs::testing::values;

inline vs::HostTensor floats(std::vector<float> v, vs::Shape shape) {
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
  void strided_copy(const vs::kernels::StridedCopyArgs& args) override {
    enqueue([=, this] { cpu_->strided_copy(args); });
  }
  void gather(const vs::kernels::GatherArgs& args) override {
    enqueue([=, this] { cpu_->gather(args); });
  }
  void segment_sum(const vs::kernels::SegmentSumArgs& args) override {
    enqueue([=, this] { cpu_->segment_sum(args); });
  }
  void one_hot(const vs::kernels::OneHotArgs& args) override {
    enqueue([=, this] { cpu_->one_hot(args); });
  }
  void cast(const vs::kernels::CastArgs& args) override {
    enqueue([=, this] { cpu_->cast(args); });
  }
  void reduce(const vs::kernels::ReduceArgs& args) override {
    enqueue([=, this] { cpu_->reduce(args); });
  }
  void arg_reduce(const vs::kernels::ArgReduceArgs& args) override {
    enqueue([=, this] { cpu_->arg_reduce(args); });
  }
  void scan(const vs::kernels::ScanArgs& args) override {
    enqueue([=, this] { cpu_->scan(args); });
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
  void conv2d(const vs::kernels::Conv2DArgs& args) override {
    enqueue([=, this] { cpu_->conv2d(args); });
  }
  void pool2d(const vs::kernels::Pool2DArgs& args) override {
    enqueue([=, this] { cpu_->pool2d(args); });
  }
  void batch_norm(const vs::kernels::BatchNormArgs& args) override {
    enqueue([=, this] { cpu_->batch_norm(args); });
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

inline vs::Tensor chain(vs::Tensor x, int ops) {
  for (int i = 0; i < ops; ++i)
    x = (i % 2 == 0) ? x + 1.0f : x * 0.5f;
  return x;
}

}  // namespace cuda_graph_test
