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
#include "host/runtime/cpu/cpu_ops.h"
#include "host/runtime/cpu/cpu_random.h"
#include "host/runtime/cpu/thread_count.h"
#include "host/runtime/cpu/thread_pool.h"
#include "host/runtime/cpu/training.h"

namespace varscope::runtime {
namespace {

// The loop of the random method below: the pool, split when each thread gets 2^15 items.
template <typename F>
void parallel_for(std::int64_t n, F&& body) {
  cpu::parallel_for(n, cpu::kMinElementsPerThread, std::forward<F>(body));
}

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
  void fill(void* dst, const void* pattern, std::size_t element_size, std::int64_t count) override {
    cpu::ThreadLimit limit(threads_.threads);
    cpu::fill(dst, pattern, element_size, count);
  }

  void random(const kernels::RandomSpec& spec,
              DType dtype,
              void* out,
              std::int64_t count) override {
    cpu::ThreadLimit limit(threads_.threads);
    // Waking a pool worker costs microseconds: uniforms (a few ns an element) stay on
    // one core below 2^18 elements, the normals (4x the work) follow parallel_for's rule.
    const bool cheap = spec.dist == kernels::RandomDistribution::kUniform ||
                       spec.dist == kernels::RandomDistribution::kUniformInt;
    if (cheap && count < (std::int64_t{1} << 18)) {
      cpu::random_range(spec, dtype, out, count, 0, count);
      return;
    }
    // Pieces split at even elements (normal pairs stay whole); cpu_random.cpp does the rest.
    const auto even = [count](std::int64_t i) { return std::min(count, i + (i & 1)); };
    parallel_for(count, [&](std::int64_t b, std::int64_t e) {
      cpu::random_range(spec, dtype, out, count, even(b), even(e));
    });
  }

  void binary(kernels::BinaryOp op,
              DType dtype,
              const kernels::Broadcast& bc,
              const void* x,
              const void* y,
              void* out,
              std::int64_t count) override {
    cpu::ThreadLimit limit(threads_.threads);
    cpu::binary(op, dtype, bc, x, y, out, count);
  }
  void unary(
      kernels::UnaryOp op, DType dtype, const void* x, void* out, std::int64_t count) override {
    cpu::ThreadLimit limit(threads_.threads);
    cpu::unary(op, dtype, x, out, count);
  }
  void cast(DType from, DType to, const void* x, void* out, std::int64_t count) override {
    cpu::ThreadLimit limit(threads_.threads);
    cpu::cast(from, to, x, out, count);
  }
  void reduce(kernels::ReduceOp op,
              DType dtype,
              const kernels::Reduction& red,
              const void* x,
              void* out,
              std::int64_t out_count) override {
    cpu::ThreadLimit limit(threads_.threads);
    cpu::reduce(op, dtype, red, x, out, out_count);
  }
  void softmax(
      DType dtype, const void* x, void* out, std::int64_t rows, std::int64_t cols) override {
    cpu::ThreadLimit limit(threads_.threads);
    cpu::softmax(dtype, x, out, rows, cols);
  }
  void activation_grad(kernels::ActivationGrad op,
                       DType dtype,
                       const void* a,
                       const void* b,
                       void* out,
                       std::int64_t count) override {
    cpu::ThreadLimit limit(threads_.threads);
    cpu_training::activation_grad(op, dtype, a, b, out, count);
  }
  void softmax_xent(DType dtype,
                    DType label_dtype,
                    bool sparse,
                    const void* logits,
                    const void* labels,
                    void* loss,
                    void* backprop,
                    std::int64_t rows,
                    std::int64_t cols) override {
    cpu::ThreadLimit limit(threads_.threads);
    cpu_training::softmax_xent(dtype, label_dtype, sparse, logits, labels, loss, backprop, rows,
                               cols);
  }
  void apply_update(kernels::UpdateRule rule,
                    DType dtype,
                    const kernels::UpdateScalars& scalars,
                    void* var,
                    void* slot1,
                    void* slot2,
                    const void* grad,
                    std::int64_t count) override {
    cpu::ThreadLimit limit(threads_.threads);
    cpu_training::apply_update(rule, dtype, scalars, var, slot1, slot2, grad, count);
  }

  void matmul(DType dtype, const MatMulShape& s, const void* a, const void* b, void* c) override {
    cpu::ThreadLimit limit(threads_.threads);
    cpu::matmul(dtype, s, a, b, c);
  }

  void synchronize() override {}

 private:
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
