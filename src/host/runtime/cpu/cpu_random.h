// The CPU backend's random initializers: Philox words made in small tiles on the stack and
// transformed straight into the output, in loops the compiler vectorizes, run on the widest
// SIMD this CPU has (chosen once). Bit-identical to the device kernels and to cuRAND's
// words through kernels/random.h.
#pragma once

#include <cstdint>

#include "kernels/op_args.h"

namespace varscope::runtime::cpu {

// Backend::random: the op's elements over the pool (small uniform ops on the calling thread).
void random(const kernels::RandomArgs& args);

// Elements [begin, end) of the op, `begin` even. Any split of [0, args.count) at even
// indices gives the same values, so callers may run pieces on several threads.
void random_range(const kernels::RandomArgs& args, std::int64_t begin, std::int64_t end);

// The instruction set random_range runs with ("avx512", "avx2" or "generic").
const char* random_isa();

// random_range with the variant for `isa`; false (nothing written) where this CPU or build
// lacks it. For tests: every variant must give the same bits.
bool random_range_on(const char* isa,
                     const kernels::RandomArgs& args,
                     std::int64_t begin,
                     std::int64_t end);

}  // namespace varscope::runtime::cpu
