// Stand-ins for the GPUs of a CUDA session of several (issue 27), for tests without a GPU: a
// backend that says it is CUDA, runs the CPU kernels, and logs its calls ("gpu1 binary",
// "gpu0 record e3", "gpu1 wait e3", "gpu1 copy_peer") in one log shared by the session's
// backends. Each knows the memory it allocated: a call handed memory of another backend
// (what a kernel on one GPU cannot read from another's pool) is logged as "FOREIGN <call>".
#pragma once

#include <algorithm>
#include <initializer_list>
#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "host/runtime/backend.h"

namespace fake_gpus {

namespace vs = varscope;

struct Log {
  std::vector<std::string> calls;
  int events = 0;
};

class FakeGpu final : public vs::runtime::Backend {
 public:
  FakeGpu(std::string name, std::shared_ptr<Log> log)
      : name_(std::move(name)), log_(std::move(log)), cpu_(vs::runtime::make_cpu_backend(1)) {}

  vs::DeviceKind kind() const override { return vs::DeviceKind::kCuda; }
  std::string description() const override { return "fake " + name_; }
  // Whether `p` lies in memory this backend allocated.
  bool owns(const void* p) const {
    const auto* c = static_cast<const char*>(p);
    auto it = owned_.upper_bound(c);
    if (it == owned_.begin()) return false;
    --it;
    return c < it->first + std::max<std::size_t>(it->second, 1);
  }

  void* allocate(std::size_t bytes) override {
    note("allocate");
    void* p = cpu_->allocate(bytes);
    owned_[static_cast<const char*>(p)] = bytes;
    return p;
  }
  void deallocate(void* ptr) noexcept override {
    owned_.erase(static_cast<const char*>(ptr));
    cpu_->deallocate(ptr);
  }
  void copy_from_host(void* dst, const void* src, std::size_t bytes) override {
    note("copy_from_host", {dst});
    cpu_->copy_from_host(dst, src, bytes);
  }
  void copy_to_host(void* dst, const void* src, std::size_t bytes) override {
    note("copy_to_host", {src});
    cpu_->copy_to_host(dst, src, bytes);
  }
  void copy(void* dst, const void* src, std::size_t bytes) override {
    note("copy", {dst, src});
    cpu_->copy(dst, src, bytes);
  }
  void copy_peer(void* dst, const void* src, std::size_t bytes) override {
    note("copy_peer", {dst});
    if (owns(src)) note("FOREIGN copy_peer from itself");
    cpu_->copy(dst, src, bytes);
  }
  std::shared_ptr<void> record_event() override {
    const int id = ++log_->events;
    note("record e" + std::to_string(id));
    return std::make_shared<int>(id);
  }
  void wait_event(const std::shared_ptr<void>& event) override {
    if (event) note("wait e" + std::to_string(*static_cast<const int*>(event.get())));
  }
  void allow_peer(const Backend& peer) override { note("allow_peer " + peer.description()); }
  void synchronize() override { note("synchronize"); }
  bool enable_graphs() override {
    note("enable_graphs");
    return true;
  }

  void fill(const vs::kernels::FillArgs& a) override {
    note("fill", {a.dst});
    cpu_->fill(a);
  }
  void random(const vs::kernels::RandomArgs& a) override {
    note("random", {a.out});
    cpu_->random(a);
  }
  void binary(const vs::kernels::BinaryArgs& a) override {
    note("binary", {a.x, a.y, a.out});
    cpu_->binary(a);
  }
  void unary(const vs::kernels::UnaryArgs& a) override {
    note("unary", {a.x, a.out});
    cpu_->unary(a);
  }
  void matmul(const vs::kernels::MatMulArgs& a) override {
    note("matmul", {a.a, a.b, a.c});
    cpu_->matmul(a);
  }
  void reduce(const vs::kernels::ReduceArgs& a) override {
    note("reduce", {a.x, a.out});
    cpu_->reduce(a);
  }
  void apply_update(const vs::kernels::ApplyUpdateArgs& a) override {
    note("apply_update");
    cpu_->apply_update(a);
  }
  void select(const vs::kernels::SelectArgs& a) override {
    note("select");
    cpu_->select(a);
  }
  void cast(const vs::kernels::CastArgs& a) override {
    note("cast");
    cpu_->cast(a);
  }
  void arg_reduce(const vs::kernels::ArgReduceArgs& a) override {
    note("arg_reduce");
    cpu_->arg_reduce(a);
  }
  void scan(const vs::kernels::ScanArgs& a) override {
    note("scan");
    cpu_->scan(a);
  }
  void softmax(const vs::kernels::SoftmaxArgs& a) override {
    note("softmax");
    cpu_->softmax(a);
  }
  void activation_grad(const vs::kernels::ActivationGradArgs& a) override {
    note("activation_grad");
    cpu_->activation_grad(a);
  }
  void softmax_xent(const vs::kernels::SoftmaxXentArgs& a) override {
    note("softmax_xent");
    cpu_->softmax_xent(a);
  }
  void conv2d(const vs::kernels::Conv2DArgs& a) override {
    note("conv2d");
    cpu_->conv2d(a);
  }
  void pool2d(const vs::kernels::Pool2DArgs& a) override {
    note("pool2d");
    cpu_->pool2d(a);
  }
  void batch_norm(const vs::kernels::BatchNormArgs& a) override {
    note("batch_norm");
    cpu_->batch_norm(a);
  }
  void strided_copy(const vs::kernels::StridedCopyArgs& a) override {
    note("strided_copy");
    cpu_->strided_copy(a);
  }
  void gather(const vs::kernels::GatherArgs& a) override {
    note("gather");
    cpu_->gather(a);
  }
  void segment_sum(const vs::kernels::SegmentSumArgs& a) override {
    note("segment_sum");
    cpu_->segment_sum(a);
  }
  void one_hot(const vs::kernels::OneHotArgs& a) override {
    note("one_hot");
    cpu_->one_hot(a);
  }

 private:
  // Logs the call; and "FOREIGN <call>" when a pointer handed to it is not this backend's.
  void note(const std::string& call, std::initializer_list<const void*> memory = {}) {
    log_->calls.push_back(name_ + " " + call);
    for (const void* p : memory) {
      if (p != nullptr && !owns(p)) log_->calls.push_back(name_ + " FOREIGN " + call);
    }
  }

  std::string name_;
  std::shared_ptr<Log> log_;
  std::unique_ptr<vs::runtime::Backend> cpu_;
  std::map<const char*, std::size_t> owned_;  // start -> bytes
};

// `n` fake GPUs named gpu0 .. gpu<n-1> sharing `log`, and raw pointers to them.
inline std::vector<std::unique_ptr<vs::runtime::Backend>> make(int n,
                                                               const std::shared_ptr<Log>& log,
                                                               std::vector<FakeGpu*>* gpus) {
  std::vector<std::unique_ptr<vs::runtime::Backend>> backends;
  for (int i = 0; i < n; ++i) {
    auto gpu = std::make_unique<FakeGpu>("gpu" + std::to_string(i), log);
    gpus->push_back(gpu.get());
    backends.push_back(std::move(gpu));
  }
  return backends;
}

}  // namespace fake_gpus
