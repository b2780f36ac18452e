// The CPU backend: host memory (a cache of freed blocks), cuRAND's host generator for the
// random words (the same Philox stream as the device generator); the math lives in the
// files declared by cpu/cpu_ops.h, the threads in cpu/thread_pool.h.
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
#include "host/runtime/cpu/thread_pool.h"
#include "host/runtime/curand_check.h"

namespace varscope::runtime {
namespace {

// The loops of the random methods below: the pool, split when each thread gets 2^15 items.
template <typename F>
void parallel_for(std::int64_t n, F&& body) {
  cpu::parallel_for(n, cpu::kMinElementsPerThread, std::forward<F>(body));
}

template <typename T>
void transform_all(kernels::RandomDistribution dist,
                   const kernels::Affine& affine,
                   T* data,
                   std::int64_t count) {
  if (dist == kernels::RandomDistribution::kNormal) {
    // Pairs: each even element writes itself and its partner.
    parallel_for((count + 1) / 2, [&](std::int64_t b, std::int64_t e) {
      for (std::int64_t p = b; p < e; ++p)
        kernels::random_transform(dist, affine, data, 2 * p, count);
    });
  } else {
    parallel_for(count, [&](std::int64_t b, std::int64_t e) {
      for (std::int64_t i = b; i < e; ++i)
        kernels::random_transform(dist, affine, data, i, count);
    });
  }
}

class CpuBackend final : public Backend {
 public:
  CpuBackend() {
    check_curand(curandCreateGeneratorHost(&gen_, CURAND_RNG_PSEUDO_PHILOX4_32_10),
                 "curandCreateGeneratorHost");
    configure_philox(gen_);
  }
  ~CpuBackend() override {
    curandDestroyGenerator(gen_);
    for (auto& [size, blocks] : cache_) {
      for (void* p : blocks)
        std::free(p);
    }
  }

  DeviceKind kind() const override { return DeviceKind::kCpu; }
  std::string description() const override {
    return "CPU (" + std::to_string(cpu::pool_threads()) + " threads, " + cpu::gemm_description() +
           ", cuRAND host generator)";
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
    cpu::fill(dst, pattern, element_size, count);
  }

  void random_words(std::uint32_t* dst,
                    std::size_t count,
                    std::uint64_t seed,
                    std::uint64_t offset) override {
    if (count == 0) return;
    std::lock_guard<std::mutex> lock(gen_mu_);
    generate_words(gen_, dst, count, seed, offset);
  }

  void random_transform(kernels::RandomDistribution dist,
                        const kernels::Affine& affine,
                        DType dtype,
                        void* data,
                        std::int64_t count) override {
    if (dtype == DType::kFloat32) {
      transform_all(dist, affine, static_cast<float*>(data), count);
    } else if (dtype == DType::kFloat64) {
      transform_all(dist, affine, static_cast<double*>(data), count);
    } else {
      throw UnimplementedError("random values of dtype " + std::string(dtype_name(dtype)));
    }
  }

  void random_int_transform(DType dtype,
                            void* data,
                            std::int64_t count,
                            std::int64_t minval,
                            std::int64_t maxval) override {
    parallel_for(count, [&](std::int64_t b, std::int64_t e) {
      for (std::int64_t i = b; i < e; ++i) {
        if (dtype == DType::kInt64) {
          kernels::random_int_transform(static_cast<std::int64_t*>(data), i, minval, maxval);
        } else {
          kernels::random_int_transform(static_cast<std::int32_t*>(data), i,
                                        static_cast<std::int32_t>(minval),
                                        static_cast<std::int32_t>(maxval));
        }
      }
    });
  }

  void binary(kernels::BinaryOp op,
              DType dtype,
              const kernels::Broadcast& bc,
              const void* x,
              const void* y,
              void* out,
              std::int64_t count) override {
    cpu::binary(op, dtype, bc, x, y, out, count);
  }
  void unary(
      kernels::UnaryOp op, DType dtype, const void* x, void* out, std::int64_t count) override {
    cpu::unary(op, dtype, x, out, count);
  }
  void cast(DType from, DType to, const void* x, void* out, std::int64_t count) override {
    cpu::cast(from, to, x, out, count);
  }
  void reduce(kernels::ReduceOp op,
              DType dtype,
              const kernels::Reduction& red,
              const void* x,
              void* out,
              std::int64_t out_count) override {
    cpu::reduce(op, dtype, red, x, out, out_count);
  }
  void softmax(
      DType dtype, const void* x, void* out, std::int64_t rows, std::int64_t cols) override {
    cpu::softmax(dtype, x, out, rows, cols);
  }
  void matmul(DType dtype, const MatMulShape& s, const void* a, const void* b, void* c) override {
    cpu::matmul(dtype, s, a, b, c);
  }

  void synchronize() override {}

 private:
  curandGenerator_t gen_ = nullptr;
  std::mutex gen_mu_;

  static constexpr std::size_t kMaxCachedBytes = std::size_t{1} << 30;
  std::mutex cache_mu_;
  std::unordered_map<std::size_t, std::vector<void*>> cache_;  // free blocks by size
  std::unordered_map<void*, std::size_t> sizes_;               // live blocks
  std::size_t cached_bytes_ = 0;
};

}  // namespace

std::unique_ptr<Backend> make_cpu_backend() {
  return std::make_unique<CpuBackend>();
}

}  // namespace varscope::runtime
