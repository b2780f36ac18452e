// The CPU backend's training math: kernels/training.h in loops over the pool.
#include <algorithm>
#include <type_traits>

#include "host/runtime/cpu/cpu_ops.h"
#include "host/runtime/cpu/thread_pool.h"
#include "host/runtime/dtype_dispatch.h"

namespace varscope::runtime::cpu {
namespace {

// Elements (or rows) worth one more thread; the loops are elementwise, so splitting them
// changes no bits.
constexpr std::int64_t kMinPerThread = 16384;
constexpr std::int64_t kMinRowsPerThread = 64;

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

void activation_grad(const kernels::ActivationGradArgs& args) {
  dispatch(kernels::kFloatTypes, args.dtype, "activation gradients", [&](auto* tag) {
    using T = std::remove_pointer_t<decltype(tag)>;
    const kernels::ActivationGrad op = args.op;
    const T* ta = static_cast<const T*>(args.a);
    const T* tb = static_cast<const T*>(args.b);
    T* to = static_cast<T*>(args.out);
    cpu::parallel_for(args.count, kMinPerThread, [&](std::int64_t b, std::int64_t e) {
      for (std::int64_t i = b; i < e; ++i)
        to[i] = kernels::activation_grad(op, ta[i], tb[i]);
    });
  });
}

void softmax_xent(const kernels::SoftmaxXentArgs& args) {
  dispatch(kernels::kFloatTypes, args.dtype, "softmax cross-entropy", [&](auto* tag) {
    using T = std::remove_pointer_t<decltype(tag)>;
    const std::int64_t rows = args.rows, cols = args.cols;
    const T* x = static_cast<const T*>(args.logits);
    T* l = static_cast<T*>(args.loss);
    T* bp = static_cast<T*>(args.backprop);
    if (!args.sparse) {
      const T* y = static_cast<const T*>(args.labels);
      for_rows(rows, cols, [&](std::int64_t r) {
        kernels::xent_row(
            x, [&](std::int64_t row, std::int64_t c) { return y[row * cols + c]; }, l, bp, r, cols);
      });
    } else if (args.label_dtype == DType::kInt32) {
      sparse_xent(x, static_cast<const std::int32_t*>(args.labels), l, bp, rows, cols);
    } else {
      sparse_xent(x, static_cast<const std::int64_t*>(args.labels), l, bp, rows, cols);
    }
  });
}

void apply_update(const kernels::ApplyUpdateArgs& args) {
  dispatch(kernels::kFloatTypes, args.dtype, "optimizer updates", [&](auto* tag) {
    using T = std::remove_pointer_t<decltype(tag)>;
    const kernels::UpdateScalars& scalars = args.scalars;
    T* v = static_cast<T*>(args.var);
    T* s1 = static_cast<T*>(args.slot1);
    T* s2 = static_cast<T*>(args.slot2);
    const T* g = static_cast<const T*>(args.grad);
    const std::int64_t count = args.count;
    if (args.indices != nullptr) {  // TF's CPU kernel: the rows in order, one thread
      for (std::int64_t i = 0; i < count; ++i)
        kernels::sparse_apply_update(args.rule, scalars, v, s1, s2, g, args.indices,
                                     args.indices_int64, args.inner, i);
      return;
    }
    // One loop per rule, so that the rule is a constant inside it (the loop vectorizes).
    auto loop = [&](auto rule_constant) {
      cpu::parallel_for(count, kMinPerThread, [&](std::int64_t b, std::int64_t e) {
        for (std::int64_t i = b; i < e; ++i)
          kernels::apply_update(rule_constant(), scalars, v, s1, s2, g, i);
      });
    };
    switch (args.rule) {
      case kernels::UpdateRule::kGradientDescent:
        return loop([] { return kernels::UpdateRule::kGradientDescent; });
      case kernels::UpdateRule::kMomentum:
        return loop([] { return kernels::UpdateRule::kMomentum; });
      case kernels::UpdateRule::kAdam:
        return loop([] { return kernels::UpdateRule::kAdam; });
    }
  });
}

}  // namespace varscope::runtime::cpu
