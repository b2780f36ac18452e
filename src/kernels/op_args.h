// The arguments of each backend compute operation, one struct per operation, said once:
// runtime::Backend's methods (host/runtime/backend.h), the CPU backend's loops
// (host/runtime/cpu/) and the CUDA launchers (launchers.h, training_launchers.h) all take
// these. Pointers are to the backend's memory unless said otherwise; counts are elements.
// Each struct holds its values, so a recording (a CUDA Graph, a stand-in) may keep a copy;
// BinaryArgs and ReduceArgs carry their index maps (a few hundred bytes), so the run loop
// fills those in place rather than copying one in per call. Host and device neutral: no
// CUDA headers.
#pragma once

#include <cstddef>
#include <cstdint>
#include <memory>

#include "kernels/axis_ops.h"
#include "kernels/conv.h"
#include "kernels/elementwise.h"
#include "kernels/random.h"
#include "kernels/reduce.h"
#include "kernels/select.h"
#include "kernels/training.h"
#include "kernels/unary.h"
#include "varscope/dtype.h"

namespace varscope::kernels {

// `count` elements of `element_size` bytes (1, 2, 4 or 8), each a copy of `pattern`.
struct FillArgs {
  void* dst = nullptr;
  const void* pattern = nullptr;  // host memory, element_size bytes, read before the call returns
  std::size_t element_size = 0;
  std::int64_t count = 0;
};

// One random op in one pass: elements [0, count) of `out` from the Philox words
// spec.offset, spec.offset + 1, ... of the stream spec.seed, as cuRAND's generator makes
// them (kernels/philox.h), transformed per kernels/random.h. Float distributions fill
// float32/float64, kUniformInt int32/int64; exactly `count` elements are written.
struct RandomArgs {
  RandomSpec spec;
  DType dtype{};
  void* out = nullptr;
  std::int64_t count = 0;
};

// out = x op y with NumPy broadcasting (the element types of the op's line in
// VS_BINARY_OPS); an integer division by zero is vs::InvalidArgumentError (docs/kernels.md,
// "Integer division").
struct BinaryArgs {
  BinaryOp op{};
  DType dtype{};
  Broadcast broadcast;  // the output's dims and each input's strides (0: broadcast)
  const void* x = nullptr;
  const void* y = nullptr;
  void* out = nullptr;     // of the functor's result type: bool for comparisons
  std::int64_t count = 0;  // output elements
  double alpha = 0;        // the op's float attribute (LeakyReluGrad's alpha)
};

// out = op(x), elementwise (the element types of the op's line in VS_UNARY_OPS).
struct UnaryArgs {
  UnaryOp op{};
  DType dtype{};
  const void* x = nullptr;
  void* out = nullptr;
  std::int64_t count = 0;
  double alpha = 0;  // the op's float attribute (LeakyRelu's alpha)
};

// out = condition ? t : e, elementwise through the three inputs' strides (Select,
// SelectV2; float32, float64, int32, int64, bool).
struct SelectArgs {
  DType dtype{};  // of t, e and out
  SelectBroadcast broadcast;
  const bool* condition = nullptr;
  const void* t = nullptr;
  const void* e = nullptr;
  void* out = nullptr;
  std::int64_t count = 0;  // output elements
};

// out = x converted from `from` to `to` (kernels::cast_value; float32, float64, int32, int64;
// `from` also bool, for the gradients' indicator casts).
struct CastArgs {
  DType from{};
  DType to{};
  const void* x = nullptr;
  void* out = nullptr;
  std::int64_t count = 0;
};

// Sum, mean, max, min or product of x over the reduced axes (float32, float64, int32, int64).
struct ReduceArgs {
  ReduceOp op{};
  DType dtype{};
  Reduction reduction;  // the kept and the reduced axes of x, with their strides
  const void* x = nullptr;
  void* out = nullptr;
  std::int64_t out_count = 0;  // output elements: the kept axes' product
};

// ArgMax/ArgMin along the middle axis of x as [outer, n, inner] (float32, float64, int32,
// int64): out [outer, inner] of index_dtype (int32 or int64); n > 0.
struct ArgReduceArgs {
  ArgReduceOp op{};
  DType dtype{};
  DType index_dtype{};
  const void* x = nullptr;
  void* out = nullptr;
  std::int64_t outer = 0, n = 0, inner = 0;
};

// Cumsum (op kSum) or Cumprod (kProd) along the middle axis of x as [outer, n, inner]
// (float32, float64, int32, int64); out has x's shape.
struct ScanArgs {
  ReduceOp op = ReduceOp::kSum;
  DType dtype{};
  bool exclusive = false;
  bool reverse = false;
  const void* x = nullptr;
  void* out = nullptr;
  std::int64_t outer = 0, n = 0, inner = 0;
};

// Softmax (or LogSoftmax) over the last axis of a rows x cols x (float32, float64).
struct SoftmaxArgs {
  DType dtype{};
  const void* x = nullptr;
  void* out = nullptr;
  std::int64_t rows = 0;
  std::int64_t cols = 0;
  bool log = false;  // LogSoftmax: (x - max) - log(sum(exp(x - max)))
};

// ReluGrad, SigmoidGrad, TanhGrad of two same-shape inputs (kernels/training.h; float32,
// float64).
struct ActivationGradArgs {
  ActivationGrad op{};
  DType dtype{};
  const void* a = nullptr;  // the op's first input
  const void* b = nullptr;  // its second
  void* out = nullptr;
  std::int64_t count = 0;
};

// Softmax cross-entropy of rows x cols logits (float32, float64): loss [rows], backprop
// [rows, cols].
struct SoftmaxXentArgs {
  DType dtype{};
  DType label_dtype{};  // dense: the logits' dtype; sparse: int32 or int64
  bool sparse = false;  // labels are class ids, which the caller checked to lie in [0, cols)
  const void* logits = nullptr;
  const void* labels = nullptr;
  void* loss = nullptr;
  void* backprop = nullptr;
  std::int64_t rows = 0;
  std::int64_t cols = 0;
};

// One optimizer step in one pass over the variable, its slots and the gradient (float32,
// float64).
struct ApplyUpdateArgs {
  UpdateRule rule{};
  DType dtype{};
  UpdateScalars scalars;  // the step's hyperparameters, read from the host
  void* var = nullptr;
  void* slot1 = nullptr;  // Momentum's accumulator, Adam's m; null where the rule has none
  void* slot2 = nullptr;  // Adam's v; null otherwise
  const void* grad = nullptr;
  std::int64_t count = 0;  // the gradient's elements
  // SparseApply*: grad's rows of `inner` elements update var's rows `indices` (null: dense).
  // Repeated indices are applied in order on the CPU, racing on the GPU: the optimizers
  // deduplicate them first (Unique), as TF's do.
  const void* indices = nullptr;
  bool indices_int64 = false;
  std::int64_t inner = 0;
};

// Row-major C[b] = op(A[b]) x op(B[b]) for b < batch, with op(A) m x k and op(B) k x n.
// A stride of 0 reuses one matrix for every batch element (broadcast).
struct MatMulShape {
  std::int64_t batch = 1, m = 0, n = 0, k = 0;
  bool transpose_a = false, transpose_b = false;
  std::int64_t stride_a = 0, stride_b = 0, stride_c = 0;  // in elements
  // B's row stride in elements where its rows are padded (cpu/gemm_layout.h); 0: dense.
  std::int64_t ldb = 0;
  std::int64_t b_row_stride() const { return ldb > 0 ? ldb : (transpose_b ? k : n); }
};

// A (batched) matrix product (float32, float64).
struct MatMulArgs {
  DType dtype{};
  MatMulShape shape;
  const void* a = nullptr;
  const void* b = nullptr;
  void* c = nullptr;
};

// A backend's prepared work for one step (oneDNN primitives, cuDNN descriptors), kept in the
// plan's step between runs: the backend stores what it built here and rebuilds it when the
// arguments it was built for change (a new feed shape). Null: nothing is kept.
using PreparedSlot = std::shared_ptr<void>;

enum class ConvPass : std::uint8_t { kForward, kBackwardData, kBackwardFilter };

// A 2-D convolution pass over NHWC tensors, filter [kh, kw, c, out_c] (float32, float64).
struct Conv2DArgs {
  ConvPass pass{};
  DType dtype{};
  WindowGeometry geometry;
  const void* x = nullptr;       // kForward, kBackwardFilter: the input [n, h, w, c]
  const void* filter = nullptr;  // kForward, kBackwardData
  const void* dy = nullptr;      // the backward passes: the output's gradient
  void* out = nullptr;           // y, dx or dfilter
  PreparedSlot* prepared = nullptr;
};

enum class PoolOp : std::uint8_t { kMax, kAvg };

// A 2-D pool over NHWC (float32, float64): forward out = pool(x); backward out = dx from dy
// (max: x and the forward's y say where each window's maximum was).
struct Pool2DArgs {
  PoolOp op{};
  bool backward = false;
  DType dtype{};
  WindowGeometry geometry;  // out_c == c
  const void* x = nullptr;  // forward; max backward
  const void* y = nullptr;  // max backward: the forward output
  const void* dy = nullptr;
  void* out = nullptr;
  PreparedSlot* prepared = nullptr;
};

// FusedBatchNormV3 (kForward) and FusedBatchNormGradV3 (kBackward) over NHWC float32, seen as
// [rows, channels] (rows = n * h * w). Forward, training: y from the batch's statistics;
// batch_mean, batch_variance = the mean and its n/(n-1) (Bessel) variance; saved_mean,
// saved_variance = the mean and the biased variance (TF's CPU reserve_space_1/2). Forward,
// inference: y from the given mean/variance, which the four statistic outputs copy.
// Backward: dx (in y), dscale, doffset from dy, x, scale and mean/variance (the saved ones
// when training; the population ones, then constants, otherwise).
enum class BatchNormPass : std::uint8_t { kForward, kBackward };
struct BatchNormArgs {
  BatchNormPass pass{};
  bool training = true;
  std::int64_t rows = 0;
  std::int64_t channels = 0;
  float epsilon = 0.001f;
  const void* x = nullptr;
  const void* scale = nullptr;
  const void* offset = nullptr;    // kForward
  const void* mean = nullptr;      // see above
  const void* variance = nullptr;  // see above
  const void* dy = nullptr;        // kBackward
  void* y = nullptr;               // kForward: y; kBackward: dx
  void* batch_mean = nullptr;      // kForward
  void* batch_variance = nullptr;  // kForward
  void* saved_mean = nullptr;      // kForward
  void* saved_variance = nullptr;  // kForward
  void* dscale = nullptr;          // kBackward
  void* doffset = nullptr;         // kBackward
  PreparedSlot* prepared = nullptr;
};

}  // namespace varscope::kernels
