// The device side of ArgMax/ArgMin and Cumsum/Cumprod (kernels/axis_ops.h). Lines along the last
// axis (inner == 1) get a block each: CUB's BlockReduce over (index, value) pairs with
// axis_ops.h's combine, or CUB's BlockScan (reduce.h's sum or product) over tiles of the line
// with a running prefix.
// Lines of an inner axis step by `inner`: one thread per line, adjacent threads reading
// adjacent elements (coalesced), the CPU's line function.
#include <cuda_runtime.h>

#include <cub/block/block_reduce.cuh>
#include <cub/block/block_scan.cuh>
#include <cub/util_type.cuh>
#include <type_traits>

#include "kernels/launch_common.cuh"
#include "kernels/launchers.h"

namespace varscope::kernels {
namespace {

template <typename T>
using Pair = cub::KeyValuePair<std::int64_t, T>;

// arg_combine as CUB's reduction functor over (index, value) pairs.
template <typename T>
struct ArgCombine {
  ArgReduceOp op;
  __device__ Pair<T> operator()(const Pair<T>& a, const Pair<T>& b) const {
    const ArgBest<T> r = arg_combine(op, ArgBest<T>{a.value, a.key}, ArgBest<T>{b.value, b.key});
    return Pair<T>(r.index, r.value);
  }
};

template <typename T, typename I>
__global__ void arg_lines_kernel(
    ArgReduceOp op, const T* x, I* out, std::int64_t lines, std::int64_t n, std::int64_t inner) {
  const GridStride g = my_stride();
  for (std::int64_t line = g.first; line < lines; line += g.step)
    arg_reduce_line(op, x, out, line, n, inner);
}

template <typename T, typename I>
__global__ void arg_rows_kernel(
    ArgReduceOp op, const T* x, I* out, std::int64_t rows, std::int64_t n) {
  using BlockReduce = cub::BlockReduce<Pair<T>, kThreads>;
  __shared__ typename BlockReduce::TempStorage temp;
  for (std::int64_t r = blockIdx.x; r < rows; r += gridDim.x) {
    const T* row = x + r * n;
    const ArgBest<T> start = arg_identity<T>(op);
    Pair<T> best(start.index, start.value);
    const ArgCombine<T> combine{op};
    for (std::int64_t k = threadIdx.x; k < n; k += kThreads)
      best = combine(best, Pair<T>(k, row[k]));
    const Pair<T> total = BlockReduce(temp).Reduce(best, combine);
    if (threadIdx.x == 0) out[r] = static_cast<I>(total.key);
    __syncthreads();  // temp is reused by the next row
  }
}

template <typename T>
__global__ void scan_lines_kernel(ReduceOp op,
                                  const T* x,
                                  T* out,
                                  std::int64_t lines,
                                  std::int64_t n,
                                  std::int64_t inner,
                                  bool exclusive,
                                  bool reverse) {
  const GridStride g = my_stride();
  for (std::int64_t line = g.first; line < lines; line += g.step)
    scan_line(op, x, out, line, n, inner, exclusive, reverse);
}

// reduce.h's sum or product as CUB's scan functor.
template <typename T>
struct ScanCombine {
  ReduceOp op;
  __device__ ReduceAcc<T> operator()(ReduceAcc<T> a, ReduceAcc<T> b) const {
    return reduce_combine<T>(op, a, b);
  }
};

// BlockScan's prefix callback: the line's earlier tiles combined, run by the first warp.
template <typename T>
struct RunningPrefix {
  ReduceOp op;
  ReduceAcc<T> total;
  __device__ ReduceAcc<T> operator()(ReduceAcc<T> tile_total) {
    const ReduceAcc<T> before = total;
    total = reduce_combine<T>(op, total, tile_total);
    return before;
  }
};

template <typename T>
__global__ void scan_rows_kernel(ReduceOp op,
                                 const T* x,
                                 T* out,
                                 std::int64_t rows,
                                 std::int64_t n,
                                 bool exclusive,
                                 bool reverse) {
  using Acc = ReduceAcc<T>;
  using BlockScan = cub::BlockScan<Acc, kThreads>;
  __shared__ typename BlockScan::TempStorage temp;
  for (std::int64_t r = blockIdx.x; r < rows; r += gridDim.x) {
    RunningPrefix<T> prefix{op, reduce_identity<T>(op)};
    const ScanCombine<T> combine{op};
    for (std::int64_t k0 = 0; k0 < n; k0 += kThreads) {
      const std::int64_t k = k0 + threadIdx.x;
      const std::int64_t at = r * n + scan_position(k, n, reverse);
      const Acc v = k < n ? static_cast<Acc>(x[at]) : reduce_identity<T>(op);
      Acc result = reduce_identity<T>(op);
      if (exclusive) {
        BlockScan(temp).ExclusiveScan(v, result, combine, prefix);
      } else {
        BlockScan(temp).InclusiveScan(v, result, combine, prefix);
      }
      if (k < n) out[at] = static_cast<T>(result);
      __syncthreads();  // temp is reused by the next tile
    }
  }
}

}  // namespace

int launch_arg_reduce(const ArgReduceArgs& a, void* stream) {
  const std::int64_t lines = a.outer * a.inner;
  if (lines == 0 || a.n == 0) return 0;
  auto s = static_cast<cudaStream_t>(stream);
  bool ok = false;
  dispatch(kNumericTypes, a.dtype, [&](auto* tag) {
    using T = std::remove_pointer_t<decltype(tag)>;
    ok = dispatch(kIntegerTypes, a.index_dtype, [&](auto* index_tag) {
      using I = std::remove_pointer_t<decltype(index_tag)>;
      const auto* x = static_cast<const T*>(a.x);
      auto* out = static_cast<I*>(a.out);
      if (a.inner == 1 && a.n > 64) {
        arg_rows_kernel<T, I><<<blocks_for(lines, 1), kThreads, 0, s>>>(a.op, x, out, lines, a.n);
      } else {
        arg_lines_kernel<T, I>
            <<<blocks_for(lines, kThreads), kThreads, 0, s>>>(a.op, x, out, lines, a.n, a.inner);
      }
    });
  });
  return launched(ok);
}

int launch_scan(const ScanArgs& a, void* stream) {
  const std::int64_t lines = a.outer * a.inner;
  if (lines == 0 || a.n == 0) return 0;
  auto s = static_cast<cudaStream_t>(stream);
  const bool ok = dispatch(kNumericTypes, a.dtype, [&](auto* tag) {
    using T = std::remove_pointer_t<decltype(tag)>;
    const auto* x = static_cast<const T*>(a.x);
    auto* out = static_cast<T*>(a.out);
    if (a.inner == 1 && a.n > 64) {
      scan_rows_kernel<T><<<blocks_for(lines, 1), kThreads, 0, s>>>(a.op, x, out, lines, a.n,
                                                                    a.exclusive, a.reverse);
    } else {
      scan_lines_kernel<T><<<blocks_for(lines, kThreads), kThreads, 0, s>>>(
          a.op, x, out, lines, a.n, a.inner, a.exclusive, a.reverse);
    }
  });
  return launched(ok);
}

}  // namespace varscope::kernels
