// Sessions of several CPU devices run their devices side by side (device_schedule.cpp): two
// independent ops on two devices are inside the backend at once, a device waits for the
// value another produces, and an error is the one a run in order raises. The backend is
// the CPU backend behind a forwarding wrapper that observes its callers.
#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>

#include "host/runtime/backend.h"
#include "host/runtime/session_impl.h"
#include "test_util.h"
#include "varscope/varscope.h"

namespace vs = varscope;
namespace detail = varscope::detail;

namespace {

// Every call forwarded to the CPU backend; unary (Tanh here) meets the other device's: each
// caller waits up to a few seconds for a second caller to be inside unary at the same time,
// which only a run of the devices in parallel can give. Calls from the session's second
// thread first sleep, so a device waiting for that thread's value is seen to wait.
class RendezvousBackend final : public vs::runtime::Backend {
 public:
  RendezvousBackend() : cpu_(vs::runtime::make_cpu_backend(1)) {}
  vs::DeviceKind kind() const override { return cpu_->kind(); }
  std::string description() const override { return "rendezvous " + cpu_->description(); }
  void* allocate(std::size_t bytes) override { return cpu_->allocate(bytes); }
  void deallocate(void* ptr) noexcept override { cpu_->deallocate(ptr); }
  void copy_from_host(void* dst, const void* src, std::size_t bytes) override {
    cpu_->copy_from_host(dst, src, bytes);
  }
  void copy_to_host(void* dst, const void* src, std::size_t bytes) override {
    cpu_->copy_to_host(dst, src, bytes);
  }
  void copy(void* dst, const void* src, std::size_t bytes) override { cpu_->copy(dst, src, bytes); }
  void synchronize() override { cpu_->synchronize(); }
  void fill(const vs::kernels::FillArgs& args) override { cpu_->fill(args); }
  void random(const vs::kernels::RandomArgs& args) override { cpu_->random(args); }
  void binary(const vs::kernels::BinaryArgs& args) override { cpu_->binary(args); }
  void select(const vs::kernels::SelectArgs& args) override { cpu_->select(args); }
  void cast(const vs::kernels::CastArgs& args) override { cpu_->cast(args); }
  void reduce(const vs::kernels::ReduceArgs& args) override { cpu_->reduce(args); }
  void arg_reduce(const vs::kernels::ArgReduceArgs& args) override { cpu_->arg_reduce(args); }
  void scan(const vs::kernels::ScanArgs& args) override { cpu_->scan(args); }
  void softmax(const vs::kernels::SoftmaxArgs& args) override { cpu_->softmax(args); }
  void activation_grad(const vs::kernels::ActivationGradArgs& args) override {
    cpu_->activation_grad(args);
  }
  void softmax_xent(const vs::kernels::SoftmaxXentArgs& args) override { cpu_->softmax_xent(args); }
  void apply_update(const vs::kernels::ApplyUpdateArgs& args) override { cpu_->apply_update(args); }
  void matmul(const vs::kernels::MatMulArgs& args) override { cpu_->matmul(args); }
  void conv2d(const vs::kernels::Conv2DArgs& args) override { cpu_->conv2d(args); }
  void pool2d(const vs::kernels::Pool2DArgs& args) override { cpu_->pool2d(args); }
  void batch_norm(const vs::kernels::BatchNormArgs& args) override { cpu_->batch_norm(args); }
  void strided_copy(const vs::kernels::StridedCopyArgs& args) override { cpu_->strided_copy(args); }
  void gather(const vs::kernels::GatherArgs& args) override { cpu_->gather(args); }
  void segment_sum(const vs::kernels::SegmentSumArgs& args) override { cpu_->segment_sum(args); }
  void one_hot(const vs::kernels::OneHotArgs& args) override { cpu_->one_hot(args); }
  void unary(const vs::kernels::UnaryArgs& args) override {
    if (std::this_thread::get_id() != main_thread) {
      std::this_thread::sleep_for(std::chrono::milliseconds(200));
      off_main_thread = true;
    }
    if (meet) {
      std::unique_lock<std::mutex> lock(mu_);
      if (++inside_ == 2) met = true;
      cv_.notify_all();
      cv_.wait_for(lock, std::chrono::seconds(3), [&] { return inside_ == 2 || met; });
    }
    cpu_->unary(args);
    if (!meet) return;
    std::lock_guard<std::mutex> lock(mu_);
    --inside_;
  }

  std::thread::id main_thread = std::this_thread::get_id();
  bool meet = false;  // wait for a second caller
  std::atomic<bool> met{false}, off_main_thread{false};

 private:
  std::unique_ptr<vs::runtime::Backend> cpu_;
  std::mutex mu_;
  std::condition_variable cv_;
  int inside_ = 0;
};

struct TwoDevices {
  vs::Graph g;
  RendezvousBackend* backend = nullptr;
  std::unique_ptr<detail::SessionImpl> session() {
    auto b = std::make_unique<RendezvousBackend>();
    backend = b.get();
    return std::make_unique<detail::SessionImpl>(detail::Access::impl(g), std::move(b),
                                                 /*use_cuda_graph=*/false,
                                                 std::map<std::string, int>{{"CPU", 2}});
  }
  vs::Tensor on(const char* device, std::vector<float> v, const char* name) {
    auto scope = g.device(device);
    return vs::constant(g, vs::HostTensor(std::move(v), vs::Shape{2}), {.name = name});
  }
};

std::vector<detail::TensorRef> refs(const std::vector<vs::Tensor>& ts) {
  std::vector<detail::TensorRef> out;
  for (const vs::Tensor& t : ts)
    out.push_back(detail::Access::ref(t));
  return out;
}

TEST(ParallelDevices, IndependentOpsOnTwoDevicesRunAtOnce) {
  TwoDevices t;
  vs::Tensor a, b;
  {
    auto cpu0 = t.g.device("/cpu:0");
    a = vs::tanh(t.on("/cpu:0", {0.5f, 1.0f}, "x0"));
  }
  {
    auto cpu1 = t.g.device("/cpu:1");
    b = vs::tanh(t.on("/cpu:1", {-0.5f, 2.0f}, "x1"));
  }
  auto s = t.session();
  t.backend->meet = true;
  const auto out = s->run(refs({a, b}), {}, {});
  EXPECT_TRUE(t.backend->met);  // both Tanh calls were inside the backend together
  EXPECT_FLOAT_EQ(out[0].data<float>()[1], std::tanh(1.0f));
  EXPECT_FLOAT_EQ(out[1].data<float>()[1], std::tanh(2.0f));
}

TEST(ParallelDevices, ADeviceWaitsForTheValueAnotherProduces) {
  TwoDevices t;
  vs::Tensor made_on_1, used_on_0;
  {
    auto cpu1 = t.g.device("/cpu:1");
    made_on_1 = vs::tanh(t.on("/cpu:1", {0.25f, 3.0f}, "x1"));  // 200 ms late: off the main thread
  }
  {
    auto cpu0 = t.g.device("/cpu:0");
    used_on_0 = made_on_1 * 2.0f;
  }
  auto s = t.session();
  for (int run = 0; run < 3; ++run) {
    const auto out = s->run(refs({used_on_0}), {}, {});
    EXPECT_FLOAT_EQ(out[0].data<float>()[0], 2.0f * std::tanh(0.25f));
    EXPECT_FLOAT_EQ(out[0].data<float>()[1], 2.0f * std::tanh(3.0f));
  }
  EXPECT_TRUE(t.backend->off_main_thread);  // device 1 ran on a thread of its own
}

// Both reads fail (neither variable is initialized), on two threads: the run raises the
// error of the earlier step in plan order, as the same graph on one device (soft placement)
// raises it, every time.
TEST(ParallelDevices, TheErrorIsTheOneARunInOrderRaises) {
  vs::Graph g;
  vs::Variable w, v;
  {
    auto cpu1 = g.device("/cpu:1");
    w = g.get_variable("w", {.shape = vs::Shape{2}});
  }
  {
    auto cpu0 = g.device("/cpu:0");
    v = g.get_variable("v", {.shape = vs::Shape{2}});
  }
  const vs::Tensor sum = w.value() + v.value();
  const auto error = [&](vs::SessionOptions options) {
    options.device = vs::DeviceKind::kCpu;
    vs::Session s(g, options);
    return vs::testing::error_of<vs::FailedPreconditionError>([&] { s.run(sum); });
  };
  const std::string in_order = error({.allow_soft_placement = true});
  EXPECT_EQ(in_order.rfind("Attempting to use uninitialized value ", 0), 0u) << in_order;
  for (int i = 0; i < 20; ++i)
    EXPECT_EQ(error({.device_count = {{"CPU", 2}}}), in_order);
}

}  // namespace
