// The device side of reductions (sum, mean, max, min, product) and softmax: block-per-row
// kernels on CUB's block reductions (reduce.h's combine as the functor), a two-pass all-reduce,
// column tiles and the strided fallback (docs/kernels.md). The math is reduce.h's, shared with the
// CPU.
#include <cuda_runtime.h>

#include <cub/block/block_reduce.cuh>
#include <type_traits>

#include "kernels/launch_common.cuh"
#include "kernels/launchers.h"

namespace varscope::kernels {
namespace {

// reduce.h's combine as CUB's reduction functor.
template <typename T>
struct Combine {
  ReduceOp op;
  __device__ ReduceAcc<T> operator()(ReduceAcc<T> a, ReduceAcc<T> b) const {
    return reduce_combine<T>(op, a, b);
  }
};

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
    Acc acc = reduce_identity<T>(op);
    for (std::int64_t c = threadIdx.x; c < inner; c += kBlock)
      acc = reduce_combine<T>(op, acc, static_cast<Acc>(row[c]));
    const Acc total = BlockReduce(temp).Reduce(acc, Combine<T>{op});
    if (threadIdx.x == 0) out[r] = reduce_finish<T>(op, total, inner);
    __syncthreads();  // temp is reused by the next row
  }
}

// The all-reduce of many elements, pass 1: each block reduces its grid-stride share into
// partials[blockIdx.x]; pass 2 (one block) reduces the partials. A fixed grid: deterministic.
template <typename T>
__global__ void reduce_partials_kernel(ReduceOp op,
                                       const T* x,
                                       std::int64_t n,
                                       ReduceAcc<T>* partials) {
  using Acc = ReduceAcc<T>;
  using BlockReduce = cub::BlockReduce<Acc, kThreads>;
  __shared__ typename BlockReduce::TempStorage temp;
  const GridStride g = my_stride();
  Acc acc = reduce_identity<T>(op);
  for (std::int64_t i = g.first; i < n; i += g.step)
    acc = reduce_combine<T>(op, acc, static_cast<Acc>(x[i]));
  const Acc total = BlockReduce(temp).Reduce(acc, Combine<T>{op});
  if (threadIdx.x == 0) partials[blockIdx.x] = total;
}

template <typename T>
__global__ void reduce_final_kernel(
    ReduceOp op, const ReduceAcc<T>* partials, int count, T* out, std::int64_t n) {
  using Acc = ReduceAcc<T>;
  using BlockReduce = cub::BlockReduce<Acc, kThreads>;
  __shared__ typename BlockReduce::TempStorage temp;
  Acc acc = reduce_identity<T>(op);
  for (int i = static_cast<int>(threadIdx.x); i < count; i += kThreads)
    acc = reduce_combine<T>(op, acc, partials[i]);
  const Acc total = BlockReduce(temp).Reduce(acc, Combine<T>{op});
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
    Acc acc = reduce_identity<T>(op);
    if (c < cols) {
      for (std::int64_t j = threadIdx.y; j < inner; j += kColumnSplit)
        acc = reduce_combine<T>(op, acc, static_cast<Acc>(x[j * cols + c]));
    }
    part[threadIdx.y][threadIdx.x] = acc;
    __syncthreads();
    if (threadIdx.y == 0 && c < cols) {
      Acc total = reduce_identity<T>(op);
      for (int k = 0; k < kColumnSplit; ++k)
        total = reduce_combine<T>(op, total, part[k][threadIdx.x]);
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
__global__ void softmax_rows_kernel(
    const T* x, T* out, std::int64_t rows, std::int64_t cols, bool log) {
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
    if (log) {
      const double log_sum = ::log(sum);
      for (std::int64_t c = threadIdx.x; c < cols; c += kBlock)
        o[c] = log_softmax_value(in[c], m, log_sum);
    } else {
      for (std::int64_t c = threadIdx.x; c < cols; c += kBlock)
        o[c] = softmax_scale(o[c], sum);
    }
    __syncthreads();  // row_max, row_sum and temp are reused by the next row
  }
}

template <typename T>
void softmax_as(const SoftmaxArgs& a, cudaStream_t s) {
  const auto* in = static_cast<const T*>(a.x);
  auto* o = static_cast<T*>(a.out);
  const std::int64_t rows = a.rows, cols = a.cols;
  if (cols <= 64) {
    softmax_rows_kernel<T, 32><<<blocks_for(rows, 1), 32, 0, s>>>(in, o, rows, cols, a.log);
  } else {
    softmax_rows_kernel<T, kThreads>
        <<<blocks_for(rows, 1), kThreads, 0, s>>>(in, o, rows, cols, a.log);
  }
}

}  // namespace

std::size_t reduce_workspace_bytes() {
  return kMaxReducePartials * sizeof(double);
}

int launch_reduce(const ReduceArgs& a, void* workspace, void* stream) {
  const ReduceOp op = a.op;
  const Reduction& red = a.reduction;
  const std::int64_t out_count = a.out_count;
  if (out_count == 0) return 0;
  auto s = static_cast<cudaStream_t>(stream);
  const ReduceLayout layout = reduce_layout(red, out_count);
  const bool ok = dispatch(kNumericTypes, a.dtype, [&](auto* tag) {
    using T = std::remove_pointer_t<decltype(tag)>;
    const auto* in = static_cast<const T*>(a.x);
    auto* o = static_cast<T*>(a.out);
    const std::int64_t rows = layout.outer, inner = layout.inner;
    if (layout.kind == ReduceLayout::kRows && rows == 1 && inner > kThreads * 16) {
      const int parts = blocks_for(inner, kThreads * 16, kMaxReducePartials);
      auto* partials = static_cast<ReduceAcc<T>*>(workspace);
      reduce_partials_kernel<T><<<parts, kThreads, 0, s>>>(op, in, inner, partials);
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
  return launched(ok);
}

int launch_softmax(const SoftmaxArgs& a, void* stream) {
  if (a.rows == 0 || a.cols == 0) return 0;
  auto s = static_cast<cudaStream_t>(stream);
  const bool ok = dispatch(kFloatTypes, a.dtype, [&](auto* tag) {
    using T = std::remove_pointer_t<decltype(tag)>;
    softmax_as<T>(a, s);
  });
  return launched(ok);
}

}  // namespace varscope::kernels
