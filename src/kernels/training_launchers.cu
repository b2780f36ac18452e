// The training kernels on the device: grid-stride loops over kernels/training.h (launch
// geometry: launch_common.cuh, as launchers.cu), compiled
// with -fmad=false like launchers.cu, so updates give the CPU backend's bits.
#include <cuda_runtime.h>

#include <type_traits>

#include "kernels/launch_common.cuh"
#include "kernels/training_launchers.h"

namespace varscope::kernels {
namespace {

template <typename T>
__global__ void activation_grad_kernel(
    ActivationGrad op, const T* a, const T* b, T* out, std::int64_t n) {
  const GridStride g = my_stride();
  for (std::int64_t i = g.first; i < n; i += g.step) {
    out[i] = activation_grad(op, a[i], b[i]);
  }
}

template <typename T>
struct DenseLabels {
  const T* labels;
  std::int64_t cols;
  __device__ T operator()(std::int64_t row, std::int64_t c) const { return labels[row * cols + c]; }
};

template <typename T, typename L>
struct SparseLabels {
  const L* labels;
  __device__ T operator()(std::int64_t row, std::int64_t c) const {
    return labels[row] == c ? T(1) : T(0);
  }
};

template <typename T, typename LabelOf>
__global__ void xent_kernel(
    const T* logits, LabelOf label_of, T* loss, T* bp, std::int64_t rows, std::int64_t cols) {
  const GridStride g = my_stride();
  for (std::int64_t r = g.first; r < rows; r += g.step) {
    xent_row(logits, label_of, loss, bp, r, cols);
  }
}

template <typename T>
__global__ void update_kernel(
    UpdateRule rule, UpdateScalars s, T* var, T* slot1, T* slot2, const T* grad, std::int64_t n) {
  const GridStride g = my_stride();
  for (std::int64_t i = g.first; i < n; i += g.step) {
    apply_update(rule, s, var, slot1, slot2, grad, i);
  }
}

template <typename T>
__global__ void sparse_update_kernel(UpdateRule rule,
                                     UpdateScalars s,
                                     T* var,
                                     T* slot1,
                                     T* slot2,
                                     const T* grad,
                                     const void* indices,
                                     bool indices_int64,
                                     std::int64_t inner,
                                     std::int64_t n) {
  const GridStride g = my_stride();
  for (std::int64_t i = g.first; i < n; i += g.step) {
    sparse_apply_update(rule, s, var, slot1, slot2, grad, indices, indices_int64, inner, i);
  }
}

template <typename T>
void xent_as(const SoftmaxXentArgs& a, cudaStream_t s) {
  const std::int64_t rows = a.rows, cols = a.cols;
  const T* x = static_cast<const T*>(a.logits);
  T* l = static_cast<T*>(a.loss);
  T* b = static_cast<T*>(a.backprop);
  if (!a.sparse) {
    xent_kernel<<<blocks_for(rows, kThreads), kThreads, 0, s>>>(
        x, DenseLabels<T>{static_cast<const T*>(a.labels), cols}, l, b, rows, cols);
  } else if (a.label_dtype == DType::kInt32) {
    xent_kernel<<<blocks_for(rows, kThreads), kThreads, 0, s>>>(
        x, SparseLabels<T, std::int32_t>{static_cast<const std::int32_t*>(a.labels)}, l, b, rows,
        cols);
  } else {
    xent_kernel<<<blocks_for(rows, kThreads), kThreads, 0, s>>>(
        x, SparseLabels<T, std::int64_t>{static_cast<const std::int64_t*>(a.labels)}, l, b, rows,
        cols);
  }
}

}  // namespace

int launch_activation_grad(const ActivationGradArgs& a, void* stream) {
  if (a.count == 0) return 0;
  auto s = static_cast<cudaStream_t>(stream);
  const bool ok = dispatch(kFloatTypes, a.dtype, [&](auto* tag) {
    using T = std::remove_pointer_t<decltype(tag)>;
    activation_grad_kernel<<<blocks_for(a.count, kThreads), kThreads, 0, s>>>(
        a.op, static_cast<const T*>(a.a), static_cast<const T*>(a.b), static_cast<T*>(a.out),
        a.count);
  });
  return launched(ok);
}

int launch_softmax_xent(const SoftmaxXentArgs& a, void* stream) {
  if (a.rows == 0 || a.cols == 0) return 0;
  auto s = static_cast<cudaStream_t>(stream);
  const bool ok = dispatch(kFloatTypes, a.dtype, [&](auto* tag) {
    using T = std::remove_pointer_t<decltype(tag)>;
    xent_as<T>(a, s);
  });
  return launched(ok);
}

int launch_apply_update(const ApplyUpdateArgs& a, void* stream) {
  if (a.count == 0) return 0;
  auto s = static_cast<cudaStream_t>(stream);
  const bool ok = dispatch(kFloatTypes, a.dtype, [&](auto* tag) {
    using T = std::remove_pointer_t<decltype(tag)>;
    if (a.indices != nullptr) {
      sparse_update_kernel<<<blocks_for(a.count, kThreads), kThreads, 0, s>>>(
          a.rule, a.scalars, static_cast<T*>(a.var), static_cast<T*>(a.slot1),
          static_cast<T*>(a.slot2), static_cast<const T*>(a.grad), a.indices, a.indices_int64,
          a.inner, a.count);
      return;
    }
    update_kernel<<<blocks_for(a.count, kThreads), kThreads, 0, s>>>(
        a.rule, a.scalars, static_cast<T*>(a.var), static_cast<T*>(a.slot1),
        static_cast<T*>(a.slot2), static_cast<const T*>(a.grad), a.count);
  });
  return launched(ok);
}

}  // namespace varscope::kernels
