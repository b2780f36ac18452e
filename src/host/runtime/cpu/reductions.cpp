// Sum, mean, max, min and product on the CPU. A reduction whose reduced axes are one contiguous
// block is an (outer, reduced, inner) walk: inner == 1 sums contiguous rows, inner > 1 adds whole
// rows into a row of accumulators (both vectorized, both split over the pool). Other axis sets use
// the shared per-element kernel. float32 sums in float vector lanes over short stretches (4096
// elements, 64 adds per lane) and adds those partial sums in double: as fast as a float-only sum,
// which is what the peers do, and still exact for integers below 4096 in magnitude (each partial
// sum stays below 2^24). float64 accumulates in double, integers in int64, as kernels/reduce.h. The
// summation order differs from the GPU's within the tolerance (docs/kernels.md). Max, min and
// product fold kernels/reduce.h's combine over rows (or rows of accumulators), in the input's
// order.
#include <algorithm>
#include <cmath>
#include <type_traits>
#include <vector>

#include "host/runtime/cpu/cpu_ops.h"
#include "host/runtime/cpu/float_lanes.h"
#include "host/runtime/cpu/isa.h"
#include "host/runtime/cpu/thread_pool.h"
#include "host/runtime/dtype_dispatch.h"

namespace varscope::runtime::cpu {
namespace {

template <typename T>
using Acc = std::conditional_t<std::is_integral_v<T>, std::int64_t, double>;

// Accumulators of the float64 and integer loops.
constexpr int kLanes = 16;

// Rows per float partial sum in a column reduction.
constexpr std::int64_t kFloatRowChunk = 64;

// Sum of m <= kFloatBlock contiguous floats, in float.
VS_CPU_INLINE float float_block_sum(const float* x, std::int64_t m) {
  F32Lanes a0 = {}, a1 = {}, a2 = {}, a3 = {};
  std::int64_t j = 0;
  for (; j + 4 * kFloatLanes <= m; j += 4 * kFloatLanes) {
    add_lanes(a0, x + j);
    add_lanes(a1, x + j + kFloatLanes);
    add_lanes(a2, x + j + 2 * kFloatLanes);
    add_lanes(a3, x + j + 3 * kFloatLanes);
  }
  for (; j + kFloatLanes <= m; j += kFloatLanes)
    add_lanes(a0, x + j);
  const F32Lanes total = (a0 + a1) + (a2 + a3);
  float s = lane_total(total);
  for (; j < m; ++j)
    s += x[j];
  return s;
}

VS_CPU_CLONES double float_sum_run(const float* x, std::int64_t n) {
  double acc = 0.0;
  for (std::int64_t i = 0; i < n; i += kFloatBlock)
    acc += static_cast<double>(float_block_sum(x + i, std::min(kFloatBlock, n - i)));
  return acc;
}

// sums[k] = the float sum of block k of x (n elements), for blocks [first, end).
VS_CPU_CLONES void float_block_sums(
    const float* x, std::int64_t n, std::int64_t first, std::int64_t end, float* sums) {
  for (std::int64_t k = first; k < end; ++k) {
    const std::int64_t begin = k * kFloatBlock;
    sums[k] = float_block_sum(x + begin, std::min(kFloatBlock, n - begin));
  }
}

// A long float row over the threads: its block sums in parallel, then added in double in
// block order, exactly as float_sum_run does on one thread, whatever the thread count.
double float_sum_threaded(const float* x, std::int64_t n) {
  const std::int64_t blocks = (n + kFloatBlock - 1) / kFloatBlock;
  std::vector<float> sums(static_cast<std::size_t>(blocks));
  parallel_for(blocks, 2,
               [&](std::int64_t b, std::int64_t e) { float_block_sums(x, n, b, e, sums.data()); });
  double acc = 0.0;
  for (const float s : sums)
    acc += static_cast<double>(s);
  return acc;
}

// acc[j] += x[r * stride + j] for r < rows, j < width: strips of 64 columns summed in
// registers over kFloatRowChunk rows at a time, then added into the double accumulators.
VS_CPU_CLONES void float_add_rows(
    const float* x, std::int64_t rows, std::int64_t stride, std::int64_t width, double* acc) {
  for (std::int64_t r0 = 0; r0 < rows; r0 += kFloatRowChunk) {
    const std::int64_t chunk = std::min(kFloatRowChunk, rows - r0);
    const float* base = x + r0 * stride;
    std::int64_t j = 0;
    for (; j + 4 * kFloatLanes <= width; j += 4 * kFloatLanes) {
      F32Lanes a0 = {}, a1 = {}, a2 = {}, a3 = {};
      for (std::int64_t r = 0; r < chunk; ++r) {
        const float* p = base + r * stride + j;
        add_lanes(a0, p);
        add_lanes(a1, p + kFloatLanes);
        add_lanes(a2, p + 2 * kFloatLanes);
        add_lanes(a3, p + 3 * kFloatLanes);
      }
      float sums[4 * kFloatLanes];
      store_lanes(sums, a0);
      store_lanes(sums + kFloatLanes, a1);
      store_lanes(sums + 2 * kFloatLanes, a2);
      store_lanes(sums + 3 * kFloatLanes, a3);
      for (int l = 0; l < 4 * kFloatLanes; ++l)
        acc[j + l] += static_cast<double>(sums[l]);
    }
    for (; j + kFloatLanes <= width; j += kFloatLanes) {
      F32Lanes a = {};
      for (std::int64_t r = 0; r < chunk; ++r)
        add_lanes(a, base + r * stride + j);
      float sums[kFloatLanes];
      store_lanes(sums, a);
      for (int l = 0; l < kFloatLanes; ++l)
        acc[j + l] += static_cast<double>(sums[l]);
    }
    for (; j < width; ++j) {
      float s = 0.0f;
      for (std::int64_t r = 0; r < chunk; ++r)
        s += base[r * stride + j];
      acc[j] += static_cast<double>(s);
    }
  }
}

// Sum of n contiguous elements in kLanes independent accumulators (vectorizable without
// reassociating a single chain).
template <typename T>
VS_CPU_CLONES Acc<T> sum_run(const T* x, std::int64_t n) {
  if constexpr (std::is_same_v<T, float>) return float_sum_run(x, n);
  Acc<T> lanes[kLanes] = {};
  std::int64_t i = 0;
  for (; i + kLanes <= n; i += kLanes) {
    for (int l = 0; l < kLanes; ++l)
      lanes[l] += static_cast<Acc<T>>(x[i + l]);
  }
  Acc<T> acc = 0;
  for (; i < n; ++i)
    acc += static_cast<Acc<T>>(x[i]);
  for (int l = 0; l < kLanes; ++l)
    acc += lanes[l];
  return acc;
}

// acc[j] += x[r * stride + j] for r < rows, j < width.
template <typename T>
VS_CPU_CLONES void add_rows(
    const T* x, std::int64_t rows, std::int64_t stride, std::int64_t width, Acc<T>* acc) {
  if constexpr (std::is_same_v<T, float>) return float_add_rows(x, rows, stride, width, acc);
  for (std::int64_t r = 0; r < rows; ++r) {
    const T* row = x + r * stride;
    for (std::int64_t j = 0; j < width; ++j)
      acc[j] += static_cast<Acc<T>>(row[j]);
  }
}

template <typename T>
T finish(kernels::ReduceOp op, Acc<T> acc, std::int64_t count) {
  if (op == kernels::ReduceOp::kMean) {
    if constexpr (std::is_integral_v<T>) {
      acc /= count;  // integer mean, as TF's
    } else {
      acc /= static_cast<double>(count);
    }
  } else if constexpr (!std::is_integral_v<T>) {
    if (op == kernels::ReduceOp::kHalfSum) acc *= 0.5;
  }
  return static_cast<T>(acc);
}

// The reduction as (outer, reduced, inner) over a contiguous input, when its reduced axes
// are one contiguous block; false otherwise.
bool as_block(const kernels::Reduction& red,
              std::int64_t* outer,
              std::int64_t* reduced,
              std::int64_t* inner) {
  if (red.reduced_rank == 0 || red.reduced_count == 0) return false;
  // The reduced axes must be adjacent: each stride is the next one times its extent.
  for (int d = 0; d + 1 < red.reduced_rank; ++d) {
    if (red.reduced_strides[d] != red.reduced_strides[d + 1] * red.reduced_dims[d + 1])
      return false;
  }
  const std::int64_t block_inner = red.reduced_strides[red.reduced_rank - 1];
  const std::int64_t block_end = red.reduced_strides[0] * red.reduced_dims[0];
  // Kept axes after the block walk [0, block_inner) contiguously, those before it multiples
  // of block_end, in row-major order.
  std::int64_t in = 1, out = 1, expect_in = 1, expect_out = block_end;
  for (int d = red.kept_rank - 1; d >= 0; --d) {
    const std::int64_t s = red.kept_strides[d], n = red.kept_dims[d];
    if (s < block_inner) {
      if (s != expect_in || out != 1) return false;
      expect_in *= n;
      in *= n;
    } else {
      if (s != expect_out) return false;
      expect_out *= n;
      out *= n;
    }
  }
  if (in != block_inner) return false;
  *outer = out;
  *reduced = red.reduced_count;
  *inner = in;
  return true;
}

// Elements per piece of a float64 or integer row: a row's sum is its pieces' sums added in
// piece order, on one thread or many, so it does not depend on the thread count.
constexpr std::int64_t kRowPiece = std::int64_t{1} << 14;

template <typename T>
Acc<T> row_sum(const T* x, std::int64_t n) {
  if constexpr (std::is_same_v<T, float>) {
    return float_sum_run(x, n);  // float_sum_threaded's order
  } else {
    Acc<T> acc = 0;
    for (std::int64_t i = 0; i < n; i += kRowPiece)
      acc += sum_run(x + i, std::min(kRowPiece, n - i));
    return acc;
  }
}

template <typename T>
void reduce_rows(kernels::ReduceOp op, const T* x, T* o, std::int64_t outer, std::int64_t n) {
  const int threads = pool_threads();
  if (outer >= threads || n < 2 * kMinElementsPerThread) {
    const std::int64_t min_rows = std::max<std::int64_t>(1, kMinElementsPerThread / n);
    parallel_for(outer, min_rows, [&](std::int64_t b, std::int64_t e) {
      for (std::int64_t r = b; r < e; ++r)
        o[r] = finish<T>(op, row_sum(x + r * n, n), n);
    });
    return;
  }
  if constexpr (std::is_same_v<T, float>) {
    for (std::int64_t r = 0; r < outer; ++r)
      o[r] = finish<T>(op, float_sum_threaded(x + r * n, n), n);
    return;
  }
  // Few long rows: each row's pieces over the threads, their sums added in piece order.
  const std::int64_t pieces = (n + kRowPiece - 1) / kRowPiece;
  for (std::int64_t r = 0; r < outer; ++r) {
    std::vector<Acc<T>> partial(static_cast<std::size_t>(pieces), Acc<T>(0));
    parallel_for(pieces, 1, [&](std::int64_t b, std::int64_t e) {
      for (std::int64_t t = b; t < e; ++t) {
        const std::int64_t begin = t * kRowPiece, end = std::min(n, begin + kRowPiece);
        partial[static_cast<std::size_t>(t)] = sum_run(x + r * n + begin, end - begin);
      }
    });
    Acc<T> acc = 0;
    for (const Acc<T>& p : partial)
      acc += p;
    o[r] = finish<T>(op, acc, n);
  }
}

template <typename T>
void reduce_columns(kernels::ReduceOp op,
                    const T* x,
                    T* o,
                    std::int64_t outer,
                    std::int64_t reduced,
                    std::int64_t inner) {
  // Tiles of (outer index, a block of columns); each keeps its accumulators on the stack.
  constexpr std::int64_t kMaxBlock = 1024;
  const std::int64_t threads = pool_threads();
  std::int64_t block = (inner + threads - 1) / threads;
  block = std::clamp<std::int64_t>((block + 15) / 16 * 16, 64, kMaxBlock);
  const std::int64_t blocks = (inner + block - 1) / block;
  const std::int64_t tile_elements = reduced * std::min(block, inner);
  const std::int64_t min_tiles =
      std::max<std::int64_t>(1, kMinElementsPerThread / std::max<std::int64_t>(1, tile_elements));
  parallel_for(outer * blocks, min_tiles, [&](std::int64_t b, std::int64_t e) {
    Acc<T> acc[kMaxBlock];
    for (std::int64_t t = b; t < e; ++t) {
      const std::int64_t o_index = t / blocks;
      const std::int64_t j0 = (t % blocks) * block;
      const std::int64_t width = std::min(block, inner - j0);
      std::fill(acc, acc + width, Acc<T>(0));
      add_rows(x + o_index * reduced * inner + j0, reduced, inner, width, acc);
      for (std::int64_t j = 0; j < width; ++j)
        o[o_index * inner + j0 + j] = finish<T>(op, acc[j], reduced);
    }
  });
}

// Max, min, product: one accumulator per output, folded over the reduced elements in order.
// A contiguous block of reduced axes is walked as tiles of (outer index, up to 1024 adjacent
// outputs), each reduced row added into the tile's accumulators (a row sum when inner == 1).
template <typename T>
void reduce_folding(
    kernels::ReduceOp op, const kernels::Reduction& red, const T* x, T* o, std::int64_t out_count) {
  using A = kernels::ReduceAcc<T>;
  std::int64_t outer = 0, reduced = 0, inner = 0;
  if (out_count > 0 && as_block(red, &outer, &reduced, &inner)) {
    constexpr std::int64_t kTile = 1024;
    const std::int64_t tiles = (inner + kTile - 1) / kTile;
    const std::int64_t per_tile = std::max<std::int64_t>(1, reduced * std::min(inner, kTile));
    parallel_for(outer * tiles, std::max<std::int64_t>(1, kMinElementsPerThread / per_tile),
                 [&](std::int64_t b, std::int64_t e) {
                   A acc[kTile];
                   for (std::int64_t t = b; t < e; ++t) {
                     const std::int64_t k = t / tiles, j0 = (t % tiles) * kTile;
                     const std::int64_t width = std::min(kTile, inner - j0);
                     std::fill(acc, acc + width, kernels::reduce_identity<T>(op));
                     for (std::int64_t r = 0; r < reduced; ++r) {
                       const T* row = x + (k * reduced + r) * inner + j0;
                       for (std::int64_t j = 0; j < width; ++j)
                         acc[j] = kernels::reduce_combine<T>(op, acc[j], static_cast<A>(row[j]));
                     }
                     for (std::int64_t j = 0; j < width; ++j)
                       o[k * inner + j0 + j] = static_cast<T>(acc[j]);
                   }
                 });
    return;
  }
  const std::int64_t per_output = std::max<std::int64_t>(1, red.reduced_count);
  parallel_for(out_count, std::max<std::int64_t>(1, kMinElementsPerThread / per_output),
               [&](std::int64_t b, std::int64_t e) {
                 for (std::int64_t i = b; i < e; ++i)
                   kernels::reduce_element(op, red, x, o, i);
               });
}

}  // namespace

void reduce(const kernels::ReduceArgs& a) {
  const kernels::ReduceOp op = a.op;
  const kernels::Reduction& red = a.reduction;
  const std::int64_t out_count = a.out_count;
  dispatch(kernels::kNumericTypes, a.dtype, "ops", [&](auto* tag) {
    using T = std::remove_pointer_t<decltype(tag)>;
    const T* xs = static_cast<const T*>(a.x);
    T* o = static_cast<T*>(a.out);
    if (kernels::reduce_folds(op)) {
      return reduce_folding(op, red, xs, o, out_count);
    }
    std::int64_t outer = 0, reduced = 0, inner = 0;
    if (out_count > 0 && as_block(red, &outer, &reduced, &inner)) {
      if (inner == 1) return reduce_rows(op, xs, o, outer, reduced);
      return reduce_columns(op, xs, o, outer, reduced, inner);
    }
    const std::int64_t per_output = std::max<std::int64_t>(1, red.reduced_count);
    const std::int64_t min_outputs = std::max<std::int64_t>(1, kMinElementsPerThread / per_output);
    parallel_for(out_count, min_outputs, [&](std::int64_t b, std::int64_t e) {
      for (std::int64_t i = b; i < e; ++i)
        kernels::reduce_element(op, red, xs, o, i);
    });
  });
}

}  // namespace varscope::runtime::cpu
