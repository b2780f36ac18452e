// The CPU backend: host memory (a cache of freed blocks); the math lives in the files
// declared by cpu/cpu_ops.h, the random initializers in cpu/cpu_random.cpp (the same Philox
// stream as the device kernels), the threads in cpu/thread_pool.h. Each call runs its loops
// on at most the session's thread count (cpu/thread_count.h: option, environment, machine).
#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <new>
#include <unordered_map>
#include <utility>
#include <vector>

#include "host/runtime/backend.h"
#include "host/runtime/cpu/copy.h"
#include "host/runtime/cpu/cpu_ops.h"
#include "host/runtime/cpu/cpu_random.h"
#include "host/runtime/cpu/thread_count.h"
#include "host/runtime/cpu/thread_pool.h"

namespace varscope::runtime {
namespace {

class CpuBackend final : public Backend {
 public:
  explicit CpuBackend(int cpu_threads) : threads_(cpu::machine_cpu_threads(cpu_threads)) {
    cpu::reserve_pool_threads(threads_.threads);
  }
  ~CpuBackend() override {
    for (auto& [size, blocks] : cache_) {
      for (void* p : blocks)
        std::free(p);
    }
  }

  DeviceKind kind() const override { return DeviceKind::kCpu; }
  std::string description() const override {
    const int n = threads_.threads;
    return "CPU (" + std::to_string(n) + (n == 1 ? " thread" : " threads") + " from " +
           threads_.source + ", " + cpu::gemm_description() + ")";
  }

  // Freed blocks are kept by size and handed out again: steady-state runs allocate the
  // same sizes, and fresh pages cost a page fault each (first touch).
  void* allocate(std::size_t bytes) override {
    const std::size_t size = ((bytes + 63) / 64) * 64 + 64;
    {
      std::lock_guard<std::mutex> lock(cache_mu_);
      auto it = cache_.find(size);
      if (it != cache_.end() && !it->second.empty()) {
        void* p = it->second.back();
        it->second.pop_back();
        cached_bytes_ -= size;
        sizes_[p] = size;
        return p;
      }
    }
    void* p = std::aligned_alloc(64, size);
    if (p == nullptr) {
      throw ResourceExhaustedError("OOM when allocating " + std::to_string(bytes) +
                                   " bytes of host memory");
    }
    std::lock_guard<std::mutex> lock(cache_mu_);
    sizes_[p] = size;
    return p;
  }
  void deallocate(void* ptr) noexcept override {
    if (ptr == nullptr) return;
    std::lock_guard<std::mutex> lock(cache_mu_);
    auto it = sizes_.find(ptr);
    const std::size_t size = it->second;
    sizes_.erase(it);
    if (cached_bytes_ + size > kMaxCachedBytes) {
      std::free(ptr);
      return;
    }
    cache_[size].push_back(ptr);
    cached_bytes_ += size;
  }

  void copy_from_host(void* dst, const void* src, std::size_t bytes) override {
    if (bytes) std::memcpy(dst, src, bytes);
  }
  void copy_to_host(void* dst, const void* src, std::size_t bytes) override {
    if (bytes) std::memcpy(dst, src, bytes);
  }
  void copy(void* dst, const void* src, std::size_t bytes) override {
    if (bytes && dst != src) std::memmove(dst, src, bytes);
  }
  // The math, each call on at most this session's threads.
  void fill(const kernels::FillArgs& a) override { limited(cpu::fill, a); }
  void random(const kernels::RandomArgs& a) override { limited(cpu::random, a); }
  void binary(const kernels::BinaryArgs& a) override { limited(cpu::binary, a); }
  void unary(const kernels::UnaryArgs& a) override { limited(cpu::unary, a); }
  void select(const kernels::SelectArgs& a) override { limited(cpu::select, a); }
  void cast(const kernels::CastArgs& a) override { limited(cpu::cast, a); }
  void reduce(const kernels::ReduceArgs& a) override { limited(cpu::reduce, a); }
  void arg_reduce(const kernels::ArgReduceArgs& a) override { limited(cpu::arg_reduce, a); }
  void scan(const kernels::ScanArgs& a) override { limited(cpu::scan, a); }
  void softmax(const kernels::SoftmaxArgs& a) override { limited(cpu::softmax, a); }
  void activation_grad(const kernels::ActivationGradArgs& a) override {
    limited(cpu::activation_grad, a);
  }
  void softmax_xent(const kernels::SoftmaxXentArgs& a) override { limited(cpu::softmax_xent, a); }
  void apply_update(const kernels::ApplyUpdateArgs& a) override { limited(cpu::apply_update, a); }
  void strided_copy(const kernels::StridedCopyArgs& a) override { cpu::strided_copy(a); }
  void one_hot(const kernels::OneHotArgs& a) override { cpu::one_hot(a); }
  void gather(const kernels::GatherArgs& a) override { cpu::gather(a); }
  void segment_sum(const kernels::SegmentSumArgs& a) override { cpu::segment_sum(a); }
  void matmul(const kernels::MatMulArgs& a) override {
    cpu::ThreadLimit limit(threads_.threads);
    cpu::matmul(a.dtype, a.shape, a.a, a.b, a.c);
  }

  void conv2d(const kernels::Conv2DArgs& a) override { limited(cpu::conv2d, a); }
  void pool2d(const kernels::Pool2DArgs& a) override { limited(cpu::pool2d, a); }
  void batch_norm(const kernels::BatchNormArgs& a) override { limited(cpu::batch_norm, a); }

  void synchronize() override {}

 private:
  template <typename Args>
  void limited(void (*op)(const Args&), const Args& args) {
    cpu::ThreadLimit limit(threads_.threads);
    op(args);
  }

  static constexpr std::size_t kMaxCachedBytes = std::size_t{1} << 30;
  const cpu::ThreadCount threads_;
  std::mutex cache_mu_;
  std::unordered_map<std::size_t, std::vector<void*>> cache_;  // free blocks by size
  std::unordered_map<void*, std::size_t> sizes_;               // live blocks
  std::size_t cached_bytes_ = 0;
};

}  // namespace

std::unique_ptr<Backend> make_cpu_backend(int cpu_threads) {
  return std::make_unique<CpuBackend>(cpu_threads);
}

}  // namespace varscope::runtime
