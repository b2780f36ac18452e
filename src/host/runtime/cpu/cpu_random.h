// The CPU backend's random initializers: Philox words made in small tiles on the stack and
// transformed straight into the output, in loops the compiler vectorizes, run on the widest
// SIMD this CPU has (chosen once). Bit-identical to the device kernels and to cuRAND's
// words through kernels/random.h.
#pragma once

#include <cstdint>

#include "kernels/random.h"
#include "varscope/dtype.h"

namespace varscope::runtime::cpu {

// Elements [begin, end) of an op of `count` elements of `dtype` (float32/float64 for the
// float distributions, int32/int64 for kUniformInt), `begin` even. Any split of [0, count)
// at even indices gives the same values, so callers may run pieces on several threads.
void random_range(const kernels::RandomSpec& spec,
                  DType dtype,
                  void* out,
                  std::int64_t count,
                  std::int64_t begin,
                  std::int64_t end);

// The instruction set random_range runs with ("avx512", "avx2" or "generic").
const char* random_isa();

// random_range with the variant for `isa`; false (nothing written) where this CPU or build
// lacks it. For tests: every variant must give the same bits.
bool random_range_on(const char* isa,
                     const kernels::RandomSpec& spec,
                     DType dtype,
                     void* out,
                     std::int64_t count,
                     std::int64_t begin,
                     std::int64_t end);

}  // namespace varscope::runtime::cpu
