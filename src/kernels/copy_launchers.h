// Host-callable launcher of the strided copy (copy_launchers.cu): returns the launch's
// cudaError_t as an int (cudaErrorInvalidValue for an element size it does not copy).
#pragma once

#include "kernels/copy.h"

namespace varscope::kernels {

int launch_strided_copy(const StridedCopyArgs& args, void* stream);
int launch_one_hot(const OneHotArgs& args, void* stream);
int launch_gather(const GatherArgs& args, void* stream);
// Accumulates with atomicAdd: float sums' order (so their last bits) may vary run to run.
int launch_segment_sum(const SegmentSumArgs& args, void* stream);

}  // namespace varscope::kernels
