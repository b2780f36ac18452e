// Where the CPU GEMM wants the rows of an untransposed B padded. oneDNN's sgemm (2.6, its AVX2
// kernels on Zen 3) runs x · B at about half speed when B's rows lie a multiple of 1 KiB apart
// (from 2 KiB: hidden sizes 512, 1024, 1536...), whatever B's alignment: [32, 512] · [512, 1024]
// took 395-427 µs, 187-205 µs with B's rows 1032-1088 floats apart; [512, 640] · [640, 1024]
// 7.5 ms, 3.6 ms padded (bench/RESULTS.md, 2026-12-07 19:20; oneDNN's maintainers advise
// against large powers of 2 as leading dimensions, uxlfoundation/oneDNN issue 1040). A transposed B (rows along k) is
// not affected, and padding it made it slower. Rows one cache line longer avoid it.
#pragma once

#include <cstddef>
#include <cstdint>

namespace varscope::runtime::cpu {

// The row stride, in elements, to store an untransposed B of `columns` columns with.
inline std::int64_t padded_b_row_stride(std::int64_t columns, std::size_t element_size) {
  const auto bytes = columns * static_cast<std::int64_t>(element_size);
  constexpr std::int64_t kCacheLine = 64;
  return bytes >= 2048 && bytes % 1024 == 0
             ? columns + kCacheLine / static_cast<std::int64_t>(element_size)
             : columns;
}

}  // namespace varscope::runtime::cpu
