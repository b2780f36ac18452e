#include "host/runtime/cpu/training.h"

#include <algorithm>
#include <string>

#include "host/runtime/cpu/thread_pool.h"
#include "varscope/errors.h"

namespace varscope::runtime::cpu_training {
namespace {

// Elements (or rows) worth one more thread; the loops are elementwise, so splitting them
// changes no bits.
constexpr std::int64_t kMinPerThread = 16384;
constexpr std::int64_t kMinRowsPerThread = 64;

// Calls f(T*) for float32 / float64; vs::UnimplementedError for any other dtype.
template <typename F>
void dispatch_float(DType dtype, const char* what, F&& f) {
  if (dtype == DType::kFloat32) return f(static_cast<float*>(nullptr));
  if (dtype == DType::kFloat64) return f(static_cast<double*>(nullptr));
  throw UnimplementedError(std::string(what) + " on " + std::string(dtype_name(dtype)));
}

// Runs row(r) for every row, rows split over the pool: each row is two exps per class, so
// a thread pays off at a few thousand classes' worth of rows. Rows are independent: no bits
// depend on the split.
template <typename Row>
void for_rows(std::int64_t rows, std::int64_t cols, Row&& row) {
  const std::int64_t min_rows = std::max<std::int64_t>(1, 4096 / std::max<std::int64_t>(1, cols));
  cpu::parallel_for(rows, min_rows, [&](std::int64_t b, std::int64_t e) {
    for (std::int64_t r = b; r < e; ++r)
      row(r);
  });
}

template <typename T, typename L>
void sparse_xent(
    const T* logits, const L* labels, T* loss, T* bp, std::int64_t rows, std::int64_t cols) {
  for_rows(rows, cols, [&](std::int64_t r) {
    kernels::xent_row(
        logits, [&](std::int64_t row, std::int64_t c) { return labels[row] == c ? T(1) : T(0); },
        loss, bp, r, cols);
  });
}

}  // namespace

void activation_grad(kernels::ActivationGrad op,
                     DType dtype,
                     const void* a,
                     const void* b,
                     void* out,
                     std::int64_t count) {
  dispatch_float(dtype, "activation gradients", [&](auto* tag) {
    using T = std::remove_pointer_t<decltype(tag)>;
    const T* ta = static_cast<const T*>(a);
    const T* tb = static_cast<const T*>(b);
    T* to = static_cast<T*>(out);
    cpu::parallel_for(count, kMinPerThread, [&](std::int64_t b, std::int64_t e) {
      for (std::int64_t i = b; i < e; ++i)
        to[i] = kernels::activation_grad(op, ta[i], tb[i]);
    });
  });
}

void softmax_xent(DType dtype,
                  DType label_dtype,
                  bool sparse,
                  const void* logits,
                  const void* labels,
                  void* loss,
                  void* backprop,
                  std::int64_t rows,
                  std::int64_t cols) {
  dispatch_float(dtype, "softmax cross-entropy", [&](auto* tag) {
    using T = std::remove_pointer_t<decltype(tag)>;
    const T* x = static_cast<const T*>(logits);
    T* l = static_cast<T*>(loss);
    T* bp = static_cast<T*>(backprop);
    if (!sparse) {
      const T* y = static_cast<const T*>(labels);
      for_rows(rows, cols, [&](std::int64_t r) {
        kernels::xent_row(
            x, [&](std::int64_t row, std::int64_t c) { return y[row * cols + c]; }, l, bp, r, cols);
      });
    } else if (label_dtype == DType::kInt32) {
      sparse_xent(x, static_cast<const std::int32_t*>(labels), l, bp, rows, cols);
    } else {
      sparse_xent(x, static_cast<const std::int64_t*>(labels), l, bp, rows, cols);
    }
  });
}

void apply_update(kernels::UpdateRule rule,
                  DType dtype,
                  const kernels::UpdateScalars& scalars,
                  void* var,
                  void* slot1,
                  void* slot2,
                  const void* grad,
                  std::int64_t count) {
  dispatch_float(dtype, "optimizer updates", [&](auto* tag) {
    using T = std::remove_pointer_t<decltype(tag)>;
    T* v = static_cast<T*>(var);
    T* s1 = static_cast<T*>(slot1);
    T* s2 = static_cast<T*>(slot2);
    const T* g = static_cast<const T*>(grad);
    // One loop per rule, so that the rule is a constant inside it (the loop vectorizes).
    auto loop = [&](auto rule_constant) {
      cpu::parallel_for(count, kMinPerThread, [&](std::int64_t b, std::int64_t e) {
        for (std::int64_t i = b; i < e; ++i)
          kernels::apply_update(rule_constant(), scalars, v, s1, s2, g, i);
      });
    };
    switch (rule) {
      case kernels::UpdateRule::kGradientDescent:
        return loop([] { return kernels::UpdateRule::kGradientDescent; });
      case kernels::UpdateRule::kMomentum:
        return loop([] { return kernels::UpdateRule::kMomentum; });
      case kernels::UpdateRule::kAdam:
        return loop([] { return kernels::UpdateRule::kAdam; });
    }
  });
}

}  // namespace varscope::runtime::cpu_training
