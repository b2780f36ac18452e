// The device side: grid-stride kernels over the shared __host__ __device__ functors, and
// block-per-row reductions and softmax on CUB's block reductions (docs/kernels.md).
// Compiled with -fmad=false so that no multiply-add is fused behind our back: the CPU
// backend (compiled with -ffp-contract=off) computes the same bits.
#include <cuda_runtime.h>

#include <cstring>
#include <cub/block/block_reduce.cuh>
#include <type_traits>

#include "kernels/launch_geometry.h"
#include "kernels/launchers.h"

namespace varscope::kernels {
namespace {

constexpr int kThreads = kThreadsPerBlock;

// This thread's grid-stride loop (launch_geometry.h: what the CPU tests run).
__device__ GridStride my_stride() {
  return grid_stride(static_cast<int>(blockIdx.x), static_cast<int>(threadIdx.x),
                     static_cast<int>(gridDim.x), static_cast<int>(blockDim.x));
}

template <typename T>
__global__ void fill_kernel(T* dst, T value, std::int64_t n) {
  const GridStride g = my_stride();
  for (std::int64_t i = g.first; i < n; i += g.step) {
    dst[i] = value;
  }
}

// One pass: thread-quad q computes the Philox block(s) of the op's words [4q, 4q + 4) and
// writes their elements; consecutive threads write consecutive 16 bytes.
template <typename T>
__global__ void random_kernel(RandomSpec spec, T* out, std::int64_t count, std::int64_t quads) {
  const GridStride g = my_stride();
  for (std::int64_t q = g.first; q < quads; q += g.step) {
    random_quad(spec, out, count, q);
  }
}

template <typename T>
void launch_random_as(const RandomSpec& spec, void* out, std::int64_t count, cudaStream_t s) {
  const auto quads = static_cast<std::int64_t>((random_stream_words(count, sizeof(T)) + 3) / 4);
  random_kernel<<<blocks_for(quads, kThreads), kThreads, 0, s>>>(spec, static_cast<T*>(out), count,
                                                                 quads);
}

// One output element per step of the grid-stride loop; the broadcast's index maths comes
// from the host (make_fast_broadcast), with the contiguous and scalar cases as their own
// instantiations. An integer division by zero raises *zero_divisor (the backend reports
// it at the run's end) and writes 0.
template <typename T, FastBroadcast::Kind kKind>
__global__ void binary_kernel(BinaryOp op,
                              FastBroadcast bc,
                              const T* x,
                              const T* y,
                              T* out,
                              std::int64_t n,
                              int* zero_divisor) {
  const GridStride g = my_stride();
  for (std::int64_t i = g.first; i < n; i += g.step) {
    T a, b;
    if constexpr (kKind == FastBroadcast::kSame) {
      a = x[i];
      b = y[i];
    } else if constexpr (kKind == FastBroadcast::kScalarX) {
      a = x[0];
      b = y[i];
    } else if constexpr (kKind == FastBroadcast::kScalarY) {
      a = x[i];
      b = y[0];
    } else {
      std::int64_t xi, yi;
      bc.inputs_of(i, &xi, &yi);
      a = x[xi];
      b = y[yi];
    }
    if constexpr (std::is_integral_v<T>) {
      if (op == BinaryOp::kDiv && b == T(0)) *zero_divisor = 1;
    }
    out[i] = apply(op, a, b);
  }
}

template <typename T>
int fill_as(void* dst, const void* pattern, std::int64_t count, cudaStream_t s) {
  T value;
  std::memcpy(&value, pattern, sizeof(T));
  fill_kernel<<<blocks_for(count, kThreads), kThreads, 0, s>>>(static_cast<T*>(dst), value, count);
  return static_cast<int>(cudaGetLastError());
}

template <typename T>
int binary_as(BinaryOp op,
              const Broadcast& broadcast,
              const void* x,
              const void* y,
              void* out,
              std::int64_t n,
              int* zero_divisor,
              cudaStream_t s) {
  const FastBroadcast bc = make_fast_broadcast(broadcast, n);
  const auto* xs = static_cast<const T*>(x);
  const auto* ys = static_cast<const T*>(y);
  auto* o = static_cast<T*>(out);
  switch (bc.kind) {
    case FastBroadcast::kSame:
      binary_kernel<T, FastBroadcast::kSame>
          <<<blocks_for(n, kThreads), kThreads, 0, s>>>(op, bc, xs, ys, o, n, zero_divisor);
      break;
    case FastBroadcast::kScalarX:
      binary_kernel<T, FastBroadcast::kScalarX>
          <<<blocks_for(n, kThreads), kThreads, 0, s>>>(op, bc, xs, ys, o, n, zero_divisor);
      break;
    case FastBroadcast::kScalarY:
      binary_kernel<T, FastBroadcast::kScalarY>
          <<<blocks_for(n, kThreads), kThreads, 0, s>>>(op, bc, xs, ys, o, n, zero_divisor);
      break;
    default:  // kGeneral and kGeneral64: inputs_of picks by bc.kind
      binary_kernel<T, FastBroadcast::kGeneral>
          <<<blocks_for(n, kThreads), kThreads, 0, s>>>(op, bc, xs, ys, o, n, zero_divisor);
      break;
  }
  return static_cast<int>(cudaGetLastError());
}

template <typename T>
__global__ void unary_kernel(UnaryOp op, const T* x, T* out, std::int64_t n) {
  const GridStride g = my_stride();
  for (std::int64_t i = g.first; i < n; i += g.step) {
    out[i] = apply(op, x[i]);
  }
}

template <typename From, typename To>
__global__ void cast_kernel(const From* x, To* out, std::int64_t n) {
  const GridStride g = my_stride();
  for (std::int64_t i = g.first; i < n; i += g.step) {
    out[i] = cast_value<From, To>(x[i]);
  }
}

// The strided fallback: one thread per output.
template <typename T>
__global__ void reduce_kernel(ReduceOp op, Reduction red, const T* x, T* out, std::int64_t n) {
  const GridStride g = my_stride();
  for (std::int64_t i = g.first; i < n; i += g.step)
    reduce_element(op, red, x, out, i);
}

// Row reductions: one block per row (rows grid-stride over blocks), the block's threads
// stride over the row's contiguous elements and CUB combines them.
template <typename T, int kBlock>
__global__ void reduce_rows_kernel(
    ReduceOp op, const T* x, T* out, std::int64_t rows, std::int64_t inner) {
  using Acc = ReduceAcc<T>;
  using BlockReduce = cub::BlockReduce<Acc, kBlock>;
  __shared__ typename BlockReduce::TempStorage temp;
  for (std::int64_t r = blockIdx.x; r < rows; r += gridDim.x) {
    const T* row = x + r * inner;
    Acc acc = 0;
    for (std::int64_t c = threadIdx.x; c < inner; c += kBlock)
      acc += static_cast<Acc>(row[c]);
    const Acc total = BlockReduce(temp).Sum(acc);
    if (threadIdx.x == 0) out[r] = reduce_finish<T>(op, total, inner);
    __syncthreads();  // temp is reused by the next row
  }
}

// The all-reduce of many elements, pass 1: each block sums its grid-stride share into
// partials[blockIdx.x]; pass 2 (one block) sums the partials. A fixed grid: deterministic.
template <typename T>
__global__ void reduce_partials_kernel(const T* x, std::int64_t n, ReduceAcc<T>* partials) {
  using Acc = ReduceAcc<T>;
  using BlockReduce = cub::BlockReduce<Acc, kThreads>;
  __shared__ typename BlockReduce::TempStorage temp;
  const GridStride g = my_stride();
  Acc acc = 0;
  for (std::int64_t i = g.first; i < n; i += g.step)
    acc += static_cast<Acc>(x[i]);
  const Acc total = BlockReduce(temp).Sum(acc);
  if (threadIdx.x == 0) partials[blockIdx.x] = total;
}

template <typename T>
__global__ void reduce_final_kernel(
    ReduceOp op, const ReduceAcc<T>* partials, int count, T* out, std::int64_t n) {
  using Acc = ReduceAcc<T>;
  using BlockReduce = cub::BlockReduce<Acc, kThreads>;
  __shared__ typename BlockReduce::TempStorage temp;
  Acc acc = 0;
  for (int i = static_cast<int>(threadIdx.x); i < count; i += kThreads)
    acc += partials[i];
  const Acc total = BlockReduce(temp).Sum(acc);
  if (threadIdx.x == 0) out[0] = reduce_finish<T>(op, total, n);
}

// Column reductions (the leading axes reduced, outputs contiguous): a block takes 32
// adjacent columns (coalesced reads), its 8 thread rows split the summed rows, and the 8
// partial sums combine in shared memory in a fixed order.
constexpr int kColumnTile = 32;
constexpr int kColumnSplit = 8;

template <typename T>
__global__ void reduce_columns_kernel(
    ReduceOp op, const T* x, T* out, std::int64_t cols, std::int64_t inner) {
  using Acc = ReduceAcc<T>;
  __shared__ Acc part[kColumnSplit][kColumnTile + 1];
  // The mapping of for_each_owned_cell (launch_geometry.h), with the combine inside.
  const GridStride tiles =
      column_tiles(static_cast<int>(blockIdx.x), static_cast<int>(gridDim.x), kColumnTile);
  for (std::int64_t c0 = tiles.first; c0 < cols; c0 += tiles.step) {
    const std::int64_t c = c0 + threadIdx.x;
    Acc acc = 0;
    if (c < cols) {
      for (std::int64_t j = threadIdx.y; j < inner; j += kColumnSplit)
        acc += static_cast<Acc>(x[j * cols + c]);
    }
    part[threadIdx.y][threadIdx.x] = acc;
    __syncthreads();
    if (threadIdx.y == 0 && c < cols) {
      Acc total = 0;
      for (int k = 0; k < kColumnSplit; ++k)
        total += part[k][threadIdx.x];
      out[c] = reduce_finish<T>(op, total, inner);
    }
    __syncthreads();
  }
}

template <typename T>
struct SoftmaxMax {
  __device__ T operator()(T a, T b) const { return softmax_max(a, b); }
};

// Softmax: one block per row (a warp for short rows), two passes over the row: the
// block's max, then exp(x - max) written out and summed (in double), then scaled.
template <typename T, int kBlock>
__global__ void softmax_rows_kernel(const T* x, T* out, std::int64_t rows, std::int64_t cols) {
  using MaxReduce = cub::BlockReduce<T, kBlock>;
  using SumReduce = cub::BlockReduce<double, kBlock>;
  __shared__ union {
    typename MaxReduce::TempStorage max;
    typename SumReduce::TempStorage sum;
  } temp;
  __shared__ T row_max;
  __shared__ double row_sum;
  for (std::int64_t r = blockIdx.x; r < rows; r += gridDim.x) {
    const T* in = x + r * cols;
    T* o = out + r * cols;
    T m = in[0];
    for (std::int64_t c = threadIdx.x; c < cols; c += kBlock)
      m = softmax_max(m, in[c]);
    const T block_max = MaxReduce(temp.max).Reduce(m, SoftmaxMax<T>());
    if (threadIdx.x == 0) row_max = block_max;
    __syncthreads();
    m = row_max;
    double sum = 0.0;
    for (std::int64_t c = threadIdx.x; c < cols; c += kBlock) {
      const T e = softmax_exp(in[c], m);
      o[c] = e;
      sum += static_cast<double>(e);
    }
    const double block_sum = SumReduce(temp.sum).Sum(sum);
    if (threadIdx.x == 0) row_sum = block_sum;
    __syncthreads();
    sum = row_sum;
    for (std::int64_t c = threadIdx.x; c < cols; c += kBlock)
      o[c] = softmax_scale(o[c], sum);
    __syncthreads();  // row_max, row_sum and temp are reused by the next row
  }
}

template <typename T>
void softmax_as(const void* x, void* out, std::int64_t rows, std::int64_t cols, cudaStream_t s) {
  const auto* in = static_cast<const T*>(x);
  auto* o = static_cast<T*>(out);
  if (cols <= 64) {
    softmax_rows_kernel<T, 32><<<blocks_for(rows, 1), 32, 0, s>>>(in, o, rows, cols);
  } else {
    softmax_rows_kernel<T, kThreads><<<blocks_for(rows, 1), kThreads, 0, s>>>(in, o, rows, cols);
  }
}

// Calls f(static_cast<T*>(nullptr)) with T the C++ type of a numeric dtype; false if none.
template <typename F>
bool dispatch_numeric(DType dtype, F&& f) {
  switch (dtype) {
    case DType::kFloat32:
      f(static_cast<float*>(nullptr));
      return true;
    case DType::kFloat64:
      f(static_cast<double*>(nullptr));
      return true;
    case DType::kInt32:
      f(static_cast<std::int32_t*>(nullptr));
      return true;
    case DType::kInt64:
      f(static_cast<std::int64_t*>(nullptr));
      return true;
    default:
      return false;
  }
}

}  // namespace

int launch_unary(
    UnaryOp op, DType dtype, const void* x, void* out, std::int64_t count, void* stream) {
  if (count == 0) return 0;
  auto s = static_cast<cudaStream_t>(stream);
  if (dtype == DType::kFloat32) {
    unary_kernel<<<blocks_for(count, kThreads), kThreads, 0, s>>>(op, static_cast<const float*>(x),
                                                                  static_cast<float*>(out), count);
  } else if (dtype == DType::kFloat64) {
    unary_kernel<<<blocks_for(count, kThreads), kThreads, 0, s>>>(op, static_cast<const double*>(x),
                                                                  static_cast<double*>(out), count);
  } else {
    return static_cast<int>(cudaErrorInvalidValue);
  }
  return static_cast<int>(cudaGetLastError());
}

int launch_cast(DType from, DType to, const void* x, void* out, std::int64_t count, void* stream) {
  if (count == 0) return 0;
  auto s = static_cast<cudaStream_t>(stream);
  bool ok = false;
  dispatch_numeric(from, [&](auto* src_tag) {
    using From = std::remove_pointer_t<decltype(src_tag)>;
    ok = dispatch_numeric(to, [&](auto* dst_tag) {
      using To = std::remove_pointer_t<decltype(dst_tag)>;
      cast_kernel<<<blocks_for(count, kThreads), kThreads, 0, s>>>(static_cast<const From*>(x),
                                                                   static_cast<To*>(out), count);
    });
  });
  return ok ? static_cast<int>(cudaGetLastError()) : static_cast<int>(cudaErrorInvalidValue);
}

std::size_t reduce_workspace_bytes() {
  return kMaxReducePartials * sizeof(double);
}

int launch_reduce(ReduceOp op,
                  DType dtype,
                  const Reduction& red,
                  const void* x,
                  void* out,
                  std::int64_t out_count,
                  void* workspace,
                  void* stream) {
  if (out_count == 0) return 0;
  auto s = static_cast<cudaStream_t>(stream);
  const ReduceLayout layout = reduce_layout(red, out_count);
  const bool ok = dispatch_numeric(dtype, [&](auto* tag) {
    using T = std::remove_pointer_t<decltype(tag)>;
    const auto* in = static_cast<const T*>(x);
    auto* o = static_cast<T*>(out);
    const std::int64_t rows = layout.outer, inner = layout.inner;
    if (layout.kind == ReduceLayout::kRows && rows == 1 && inner > kThreads * 16) {
      const int parts = blocks_for(inner, kThreads * 16, kMaxReducePartials);
      auto* partials = static_cast<ReduceAcc<T>*>(workspace);
      reduce_partials_kernel<T><<<parts, kThreads, 0, s>>>(in, inner, partials);
      reduce_final_kernel<T><<<1, kThreads, 0, s>>>(op, partials, parts, o, inner);
    } else if (layout.kind == ReduceLayout::kRows && inner <= 64) {
      reduce_rows_kernel<T, 32><<<blocks_for(rows, 1), 32, 0, s>>>(op, in, o, rows, inner);
    } else if (layout.kind == ReduceLayout::kRows) {
      reduce_rows_kernel<T, kThreads>
          <<<blocks_for(rows, 1), kThreads, 0, s>>>(op, in, o, rows, inner);
    } else if (layout.kind == ReduceLayout::kColumns) {
      reduce_columns_kernel<T>
          <<<blocks_for(rows, kColumnTile), dim3(kColumnTile, kColumnSplit), 0, s>>>(op, in, o,
                                                                                     rows, inner);
    } else {
      reduce_kernel<<<blocks_for(out_count, kThreads), kThreads, 0, s>>>(op, red, in, o, out_count);
    }
  });
  return ok ? static_cast<int>(cudaGetLastError()) : static_cast<int>(cudaErrorInvalidValue);
}

int launch_softmax(
    DType dtype, const void* x, void* out, std::int64_t rows, std::int64_t cols, void* stream) {
  if (rows == 0 || cols == 0) return 0;
  auto s = static_cast<cudaStream_t>(stream);
  if (dtype == DType::kFloat32) {
    softmax_as<float>(x, out, rows, cols, s);
  } else if (dtype == DType::kFloat64) {
    softmax_as<double>(x, out, rows, cols, s);
  } else {
    return static_cast<int>(cudaErrorInvalidValue);
  }
  return static_cast<int>(cudaGetLastError());
}

int launch_fill(
    void* dst, const void* pattern, std::size_t element_size, std::int64_t count, void* stream) {
  if (count == 0) return 0;
  auto s = static_cast<cudaStream_t>(stream);
  switch (element_size) {
    case 1:
      return fill_as<std::uint8_t>(dst, pattern, count, s);
    case 2:
      return fill_as<std::uint16_t>(dst, pattern, count, s);
    case 4:
      return fill_as<std::uint32_t>(dst, pattern, count, s);
    case 8:
      return fill_as<std::uint64_t>(dst, pattern, count, s);
    default:
      return static_cast<int>(cudaErrorInvalidValue);
  }
}

int launch_random(
    const RandomSpec& spec, DType dtype, void* out, std::int64_t count, void* stream) {
  if (count == 0) return 0;
  auto s = static_cast<cudaStream_t>(stream);
  const bool ints = spec.dist == RandomDistribution::kUniformInt;
  if (dtype == DType::kFloat32 && !ints) {
    launch_random_as<float>(spec, out, count, s);
  } else if (dtype == DType::kFloat64 && !ints) {
    launch_random_as<double>(spec, out, count, s);
  } else if (dtype == DType::kInt32 && ints) {
    launch_random_as<std::int32_t>(spec, out, count, s);
  } else if (dtype == DType::kInt64 && ints) {
    launch_random_as<std::int64_t>(spec, out, count, s);
  } else {
    return static_cast<int>(cudaErrorInvalidValue);
  }
  return static_cast<int>(cudaGetLastError());
}

int launch_binary(BinaryOp op,
                  DType dtype,
                  const Broadcast& bc,
                  const void* x,
                  const void* y,
                  void* out,
                  std::int64_t count,
                  int* zero_divisor,
                  void* stream) {
  if (count == 0) return 0;
  auto s = static_cast<cudaStream_t>(stream);
  switch (dtype) {
    case DType::kFloat32:
      return binary_as<float>(op, bc, x, y, out, count, zero_divisor, s);
    case DType::kFloat64:
      return binary_as<double>(op, bc, x, y, out, count, zero_divisor, s);
    case DType::kInt32:
      return binary_as<std::int32_t>(op, bc, x, y, out, count, zero_divisor, s);
    case DType::kInt64:
      return binary_as<std::int64_t>(op, bc, x, y, out, count, zero_divisor, s);
    default:
      return static_cast<int>(cudaErrorInvalidValue);
  }
}

}  // namespace varscope::kernels
