// The CPU backend's training math: kernels/training.h in loops over the pool.
#include <algorithm>
#include <type_traits>

#include "host/runtime/cpu/cpu_ops.h"
#include "host/runtime/cpu/isa.h"
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

// One activation's gradient over a run of elements: the op a template argument, so that the
// loop has no branch and is vectorized for the CPU's ISA (an LSTM step's SigmoidGrad of
// 8192 floats: 5.7 -> ~1 us).
template <kernels::ActivationGrad Op, typename T>
VS_CPU_CLONES void activation_grad_run(const T* a, const T* b, T* out, std::int64_t n) {
  for (std::int64_t i = 0; i < n; ++i)
    out[i] = kernels::activation_grad(Op, a[i], b[i]);
}

template <kernels::ActivationGrad Op, typename T>
void activation_grad_as(const T* a, const T* b, T* out, std::int64_t count) {
  cpu::parallel_for(count, kMinPerThread, [&](std::int64_t begin, std::int64_t end) {
    activation_grad_run<Op>(a + begin, b + begin, out + begin, end - begin);
  });
}

}  // namespace

void activation_grad(const kernels::ActivationGradArgs& args) {
  dispatch(kernels::kFloatTypes, args.dtype, "activation gradients", [&](auto* tag) {
    using T = std::remove_pointer_t<decltype(tag)>;
    const T* a = static_cast<const T*>(args.a);
    const T* b = static_cast<const T*>(args.b);
    T* out = static_cast<T*>(args.out);
    switch (args.op) {
      case kernels::ActivationGrad::kRelu:
        return activation_grad_as<kernels::ActivationGrad::kRelu>(a, b, out, args.count);
      case kernels::ActivationGrad::kSigmoid:
        return activation_grad_as<kernels::ActivationGrad::kSigmoid>(a, b, out, args.count);
      case kernels::ActivationGrad::kTanh:
        return activation_grad_as<kernels::ActivationGrad::kTanh>(a, b, out, args.count);
    }
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
