// The training kernels on the device: grid-stride loops over kernels/training.h, compiled
// with -fmad=false like launchers.cu, so updates give the CPU backend's bits.
#include <cuda_runtime.h>

#include "kernels/training_launchers.h"

namespace varscope::kernels {
namespace {

constexpr int kThreads = 256;

int blocks_for(std::int64_t n) {
  const std::int64_t blocks = (n + kThreads - 1) / kThreads;
  return static_cast<int>(blocks < 65535 * 32 ? (blocks > 0 ? blocks : 1) : 65535 * 32);
}

#define VS_GRID_STRIDE(i, n)                                                          \
  for (std::int64_t i = blockIdx.x * std::int64_t(blockDim.x) + threadIdx.x; i < (n); \
       i += std::int64_t(gridDim.x) * blockDim.x)

template <typename T>
__global__ void activation_grad_kernel(
    ActivationGrad op, const T* a, const T* b, T* out, std::int64_t n) {
  VS_GRID_STRIDE(i, n) {
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
  VS_GRID_STRIDE(r, rows) {
    xent_row(logits, label_of, loss, bp, r, cols);
  }
}

template <typename T>
__global__ void update_kernel(
    UpdateRule rule, UpdateScalars s, T* var, T* slot1, T* slot2, const T* grad, std::int64_t n) {
  VS_GRID_STRIDE(i, n) {
    apply_update(rule, s, var, slot1, slot2, grad, i);
  }
}

template <typename T>
int xent_as(DType label_dtype,
            bool sparse,
            const void* logits,
            const void* labels,
            void* loss,
            void* bp,
            std::int64_t rows,
            std::int64_t cols,
            cudaStream_t s) {
  const T* x = static_cast<const T*>(logits);
  T* l = static_cast<T*>(loss);
  T* b = static_cast<T*>(bp);
  if (!sparse) {
    xent_kernel<<<blocks_for(rows), kThreads, 0, s>>>(
        x, DenseLabels<T>{static_cast<const T*>(labels), cols}, l, b, rows, cols);
  } else if (label_dtype == DType::kInt32) {
    xent_kernel<<<blocks_for(rows), kThreads, 0, s>>>(
        x, SparseLabels<T, std::int32_t>{static_cast<const std::int32_t*>(labels)}, l, b, rows,
        cols);
  } else {
    xent_kernel<<<blocks_for(rows), kThreads, 0, s>>>(
        x, SparseLabels<T, std::int64_t>{static_cast<const std::int64_t*>(labels)}, l, b, rows,
        cols);
  }
  return static_cast<int>(cudaGetLastError());
}

}  // namespace

int launch_activation_grad(ActivationGrad op,
                           DType dtype,
                           const void* a,
                           const void* b,
                           void* out,
                           std::int64_t count,
                           void* stream) {
  if (count == 0) return 0;
  auto s = static_cast<cudaStream_t>(stream);
  if (dtype == DType::kFloat32) {
    activation_grad_kernel<<<blocks_for(count), kThreads, 0, s>>>(op, static_cast<const float*>(a),
                                                                  static_cast<const float*>(b),
                                                                  static_cast<float*>(out), count);
  } else if (dtype == DType::kFloat64) {
    activation_grad_kernel<<<blocks_for(count), kThreads, 0, s>>>(op, static_cast<const double*>(a),
                                                                  static_cast<const double*>(b),
                                                                  static_cast<double*>(out), count);
  } else {
    return static_cast<int>(cudaErrorInvalidValue);
  }
  return static_cast<int>(cudaGetLastError());
}

int launch_softmax_xent(DType dtype,
                        DType label_dtype,
                        bool sparse,
                        const void* logits,
                        const void* labels,
                        void* loss,
                        void* backprop,
                        std::int64_t rows,
                        std::int64_t cols,
                        void* stream) {
  if (rows == 0 || cols == 0) return 0;
  auto s = static_cast<cudaStream_t>(stream);
  if (dtype == DType::kFloat32) {
    return xent_as<float>(label_dtype, sparse, logits, labels, loss, backprop, rows, cols, s);
  }
  if (dtype == DType::kFloat64) {
    return xent_as<double>(label_dtype, sparse, logits, labels, loss, backprop, rows, cols, s);
  }
  return static_cast<int>(cudaErrorInvalidValue);
}

int launch_apply_update(UpdateRule rule,
                        DType dtype,
                        const UpdateScalars& scalars,
                        void* var,
                        void* slot1,
                        void* slot2,
                        const void* grad,
                        std::int64_t count,
                        void* stream) {
  if (count == 0) return 0;
  auto s = static_cast<cudaStream_t>(stream);
  if (dtype == DType::kFloat32) {
    update_kernel<<<blocks_for(count), kThreads, 0, s>>>(
        rule, scalars, static_cast<float*>(var), static_cast<float*>(slot1),
        static_cast<float*>(slot2), static_cast<const float*>(grad), count);
  } else if (dtype == DType::kFloat64) {
    update_kernel<<<blocks_for(count), kThreads, 0, s>>>(
        rule, scalars, static_cast<double*>(var), static_cast<double*>(slot1),
        static_cast<double*>(slot2), static_cast<const double*>(grad), count);
  } else {
    return static_cast<int>(cudaErrorInvalidValue);
  }
  return static_cast<int>(cudaGetLastError());
}

}  // namespace varscope::kernels
