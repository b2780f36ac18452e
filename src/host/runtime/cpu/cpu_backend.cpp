// The CPU backend: host memory, the kernels' functors in loops over both cores; random
// initializers in cpu_random.cpp (the same Philox stream as the device kernels).
#include <cblas.h>

#include <algorithm>
#include <cstdlib>
#include <cstring>
#include <mutex>
#include <new>
#include <thread>
#include <type_traits>
#include <unordered_map>
#include <vector>

#include "host/runtime/backend.h"
#include "host/runtime/cpu/cpu_random.h"
#include "host/runtime/cpu/training.h"

namespace varscope::runtime {
namespace {

// Splits [0, n) over the cores when there is enough work to pay for a thread.
// hardware_concurrency() reads /sys on every call (microseconds): ask once.
std::int64_t cores() {
  static const std::int64_t n = std::max(1u, std::thread::hardware_concurrency());
  return n;
}

template <typename F>
void parallel_for(std::int64_t n, F&& body) {
  constexpr std::int64_t kMinPerThread = 1 << 15;
  const std::int64_t threads = std::min<std::int64_t>(cores(), n / kMinPerThread);
  if (threads <= 1) {
    body(std::int64_t{0}, n);
    return;
  }
  std::vector<std::thread> pool;
  const std::int64_t chunk = (n + threads - 1) / threads;
  for (std::int64_t t = 1; t < threads; ++t) {
    const std::int64_t begin = t * chunk;
    const std::int64_t end = std::min(n, begin + chunk);
    pool.emplace_back([&body, begin, end] { body(begin, end); });
  }
  body(std::int64_t{0}, std::min(n, chunk));
  for (auto& th : pool)
    th.join();
}

template <typename T>
void fill_as(void* dst, const void* pattern, std::int64_t count) {
  T value;
  std::memcpy(&value, pattern, sizeof(T));
  T* out = static_cast<T*>(dst);
  parallel_for(count, [&](std::int64_t b, std::int64_t e) { std::fill(out + b, out + e, value); });
}

// Integer division by zero traps on x86; TF reports it instead.
void check_no_zero_divisor(DType dtype,
                           const kernels::Broadcast& bc,
                           const void* y,
                           std::int64_t count) {
  for (std::int64_t i = 0; i < count; ++i) {
    std::int64_t xi, yi;
    bc.inputs_of(i, &xi, &yi);
    const bool zero = dtype == DType::kInt64 ? static_cast<const std::int64_t*>(y)[yi] == 0
                                             : static_cast<const std::int32_t*>(y)[yi] == 0;
    if (zero) throw InvalidArgumentError("Integer division by zero");
  }
}

template <typename T>
void binary_all(kernels::BinaryOp op,
                const kernels::Broadcast& bc,
                const void* x,
                const void* y,
                void* out,
                std::int64_t count) {
  // Row by row: the broadcast index arithmetic (a division per dimension) once per row of
  // the innermost dimension, then strided loops.
  const T* xs = static_cast<const T*>(x);
  const T* ys = static_cast<const T*>(y);
  T* o = static_cast<T*>(out);
  if (bc.rank == 0) {
    if (count > 0) o[0] = kernels::apply(op, xs[0], ys[0]);
    return;
  }
  const std::int64_t inner = bc.out_dims[bc.rank - 1];
  if (inner == 0) return;
  const std::int64_t sx = bc.x_strides[bc.rank - 1];
  const std::int64_t sy = bc.y_strides[bc.rank - 1];
  parallel_for(count / inner, [&](std::int64_t b, std::int64_t e) {
    for (std::int64_t row = b; row < e; ++row) {
      std::int64_t xi, yi;
      bc.inputs_of(row * inner, &xi, &yi);
      T* orow = o + row * inner;
      for (std::int64_t j = 0; j < inner; ++j)
        orow[j] = kernels::apply(op, xs[xi + j * sx], ys[yi + j * sy]);
    }
  });
}

// Calls f(static_cast<T*>(nullptr)) with T the C++ type of a numeric dtype.
template <typename F>
void dispatch_numeric(DType dtype, F&& f) {
  switch (dtype) {
    case DType::kFloat32:
      return f(static_cast<float*>(nullptr));
    case DType::kFloat64:
      return f(static_cast<double*>(nullptr));
    case DType::kInt32:
      return f(static_cast<std::int32_t*>(nullptr));
    case DType::kInt64:
      return f(static_cast<std::int64_t*>(nullptr));
    default:
      throw UnimplementedError("ops on " + std::string(dtype_name(dtype)));
  }
}

class CpuBackend final : public Backend {
 public:
  CpuBackend() = default;
  ~CpuBackend() override {
    for (auto& [size, blocks] : cache_) {
      for (void* p : blocks)
        std::free(p);
    }
  }

  DeviceKind kind() const override { return DeviceKind::kCpu; }
  std::string description() const override {
    return "CPU (" + std::to_string(cores()) + " threads, OpenBLAS, cuRAND host generator)";
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
    switch (element_size) {
      case 1:
        return fill_as<std::uint8_t>(dst, pattern, count);
      case 2:
        return fill_as<std::uint16_t>(dst, pattern, count);
      case 4:
        return fill_as<std::uint32_t>(dst, pattern, count);
      case 8:
        return fill_as<std::uint64_t>(dst, pattern, count);
      default:
        throw InternalError("fill: unsupported element size " + std::to_string(element_size));
    }
  }

  void random(const kernels::RandomSpec& spec,
              DType dtype,
              void* out,
              std::int64_t count) override {
    // Starting a thread costs tens of microseconds: uniforms (a few ns an element) stay on
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
    if (op == kernels::BinaryOp::kDiv && (dtype == DType::kInt32 || dtype == DType::kInt64)) {
      check_no_zero_divisor(dtype, bc, y, count);
    }
    switch (dtype) {
      case DType::kFloat32:
        return binary_all<float>(op, bc, x, y, out, count);
      case DType::kFloat64:
        return binary_all<double>(op, bc, x, y, out, count);
      case DType::kInt32:
        return binary_all<std::int32_t>(op, bc, x, y, out, count);
      case DType::kInt64:
        return binary_all<std::int64_t>(op, bc, x, y, out, count);
      default:
        throw UnimplementedError("elementwise ops on " + std::string(dtype_name(dtype)));
    }
  }

  void unary(
      kernels::UnaryOp op, DType dtype, const void* x, void* out, std::int64_t count) override {
    auto run = [&](auto* typed_out, const auto* typed_x) {
      parallel_for(count, [&](std::int64_t b, std::int64_t e) {
        for (std::int64_t i = b; i < e; ++i)
          typed_out[i] = kernels::apply(op, typed_x[i]);
      });
    };
    if (dtype == DType::kFloat32)
      return run(static_cast<float*>(out), static_cast<const float*>(x));
    if (dtype == DType::kFloat64)
      return run(static_cast<double*>(out), static_cast<const double*>(x));
    throw UnimplementedError("unary ops on " + std::string(dtype_name(dtype)));
  }

  void cast(DType from, DType to, const void* x, void* out, std::int64_t count) override {
    dispatch_numeric(from, [&](auto* src_tag) {
      using From = std::remove_pointer_t<decltype(src_tag)>;
      dispatch_numeric(to, [&](auto* dst_tag) {
        using To = std::remove_pointer_t<decltype(dst_tag)>;
        const From* src = static_cast<const From*>(x);
        To* dst = static_cast<To*>(out);
        parallel_for(count, [&](std::int64_t b, std::int64_t e) {
          for (std::int64_t i = b; i < e; ++i)
            dst[i] = kernels::cast_value<From, To>(src[i]);
        });
      });
    });
  }

  void reduce(kernels::ReduceOp op,
              DType dtype,
              const kernels::Reduction& red,
              const void* x,
              void* out,
              std::int64_t out_count) override {
    dispatch_numeric(dtype, [&](auto* tag) {
      using T = std::remove_pointer_t<decltype(tag)>;
      parallel_for(out_count, [&](std::int64_t b, std::int64_t e) {
        for (std::int64_t i = b; i < e; ++i) {
          kernels::reduce_element(op, red, static_cast<const T*>(x), static_cast<T*>(out), i);
        }
      });
    });
  }

  void softmax(
      DType dtype, const void* x, void* out, std::int64_t rows, std::int64_t cols) override {
    auto run = [&](const auto* typed_x, auto* typed_out) {
      parallel_for(rows, [&](std::int64_t b, std::int64_t e) {
        for (std::int64_t r = b; r < e; ++r)
          kernels::softmax_row(typed_x, typed_out, r, cols);
      });
    };
    if (dtype == DType::kFloat32)
      return run(static_cast<const float*>(x), static_cast<float*>(out));
    if (dtype == DType::kFloat64)
      return run(static_cast<const double*>(x), static_cast<double*>(out));
    throw UnimplementedError("softmax on " + std::string(dtype_name(dtype)));
  }

  void activation_grad(kernels::ActivationGrad op,
                       DType dtype,
                       const void* a,
                       const void* b,
                       void* out,
                       std::int64_t count) override {
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
    cpu_training::apply_update(rule, dtype, scalars, var, slot1, slot2, grad, count);
  }

  void matmul(DType dtype, const MatMulShape& s, const void* a, const void* b, void* c) override {
    if (s.m == 0 || s.n == 0) return;
    const auto ta = s.transpose_a ? CblasTrans : CblasNoTrans;
    const auto tb = s.transpose_b ? CblasTrans : CblasNoTrans;
    const auto lda = static_cast<blasint>(s.transpose_a ? s.m : s.k);
    const auto ldb = static_cast<blasint>(s.transpose_b ? s.k : s.n);
    const auto m = static_cast<blasint>(s.m), n = static_cast<blasint>(s.n),
               k = static_cast<blasint>(s.k);
    for (std::int64_t i = 0; i < s.batch; ++i) {
      if (dtype == DType::kFloat32) {
        cblas_sgemm(CblasRowMajor, ta, tb, m, n, k, 1.0f,
                    static_cast<const float*>(a) + i * s.stride_a, lda,
                    static_cast<const float*>(b) + i * s.stride_b, ldb, 0.0f,
                    static_cast<float*>(c) + i * s.stride_c, n);
      } else if (dtype == DType::kFloat64) {
        cblas_dgemm(CblasRowMajor, ta, tb, m, n, k, 1.0,
                    static_cast<const double*>(a) + i * s.stride_a, lda,
                    static_cast<const double*>(b) + i * s.stride_b, ldb, 0.0,
                    static_cast<double*>(c) + i * s.stride_c, n);
      } else {
        throw UnimplementedError("MatMul on " + std::string(dtype_name(dtype)));
      }
    }
  }

  void synchronize() override {}

 private:
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
