// Launch geometry of the simple kernels, as plain functions: the CUDA kernels call them with
// blockIdx/threadIdx, and a CPU test (tests/launch_geometry_test.cpp) calls them for every
// (block, thread) of a grid capped small, so that multi-pass grid-stride paths run without
// a GPU and are shown to visit each element exactly once.
#pragma once

#include <cstdint>

#include "kernels/hd.h"

namespace varscope::kernels {

inline constexpr int kThreadsPerBlock = 256;
inline constexpr std::int64_t kMaxBlocks = 65535LL * 32;

// Blocks for n items of `per_block` each, at least 1, at most `cap`.
inline int blocks_for(std::int64_t n, std::int64_t per_block, std::int64_t cap = kMaxBlocks) {
  const std::int64_t blocks = (n + per_block - 1) / per_block;
  return static_cast<int>(blocks < 1 ? 1 : (blocks > cap ? cap : blocks));
}

// A grid-stride loop: thread `thread` of block `block` visits first, first + step, ... < n.
struct GridStride {
  std::int64_t first = 0;
  std::int64_t step = 1;
};

VS_HD inline GridStride grid_stride(int block, int thread, int blocks, int threads) {
  return {std::int64_t(block) * threads + thread, std::int64_t(blocks) * threads};
}

// Calls f(i) for every index a thread of a grid-stride kernel owns.
template <typename F>
VS_HD inline void for_each_owned(
    int block, int thread, int blocks, int threads, std::int64_t n, F&& f) {
  const GridStride g = grid_stride(block, thread, blocks, threads);
  for (std::int64_t i = g.first; i < n; i += g.step)
    f(i);
}

// Rows owned by a block in a block-per-row kernel (reductions, softmax): block, block +
// blocks, ...; inside a row, thread t takes columns t, t + threads, ...
template <typename F>
VS_HD inline void for_each_owned_row(int block, int blocks, std::int64_t rows, F&& f) {
  for (std::int64_t r = block; r < rows; r += blocks)
    f(r);
}

template <typename F>
VS_HD inline void for_each_owned_column(int thread, int threads, std::int64_t cols, F&& f) {
  for (std::int64_t c = thread; c < cols; c += threads)
    f(c);
}

// Column reductions (launchers.cu): block `block` takes the tiles of `tile` adjacent columns
// starting at block * tile, stepping by blocks * tile; in a tile, thread (x, y) sums column
// tile_start + x over rows y, y + split, ...
VS_HD inline GridStride column_tiles(int block, int blocks, int tile) {
  return {std::int64_t(block) * tile, std::int64_t(blocks) * tile};
}

template <typename F>
VS_HD inline void for_each_owned_cell(int block,
                                      int blocks,
                                      int tile,
                                      int split,
                                      int x,
                                      int y,
                                      std::int64_t rows,
                                      std::int64_t cols,
                                      F&& f) {
  const GridStride t = column_tiles(block, blocks, tile);
  for (std::int64_t c0 = t.first; c0 < cols; c0 += t.step) {
    const std::int64_t c = c0 + x;
    if (c >= cols) continue;
    for (std::int64_t j = y; j < rows; j += split)
      f(j, c);
  }
}

}  // namespace varscope::kernels
