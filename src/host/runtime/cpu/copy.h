// The CPU backend's strided copy (copy.cpp): kernels/copy.h in a loop.
#pragma once

#include "kernels/copy.h"

namespace varscope::runtime::cpu {

void strided_copy(const kernels::StridedCopyArgs& args);
void one_hot(const kernels::OneHotArgs& args);
void gather(const kernels::GatherArgs& args);
void segment_sum(const kernels::SegmentSumArgs& args);

}  // namespace varscope::runtime::cpu
