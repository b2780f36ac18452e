// Host-callable launchers of the device kernels (launchers.cu, reduce_launchers.cu). Each
// takes its operation's arguments (kernels/op_args.h) and the stream as an opaque pointer,
// and returns the launch's cudaError_t as an int (cudaErrorInvalidValue for a dtype it does
// not compute), so that callers need no CUDA headers and check every launch.
#pragma once

#include <cstddef>

#include "kernels/op_args.h"

namespace varscope::kernels {

int launch_fill(const FillArgs& args, void* stream);
int launch_random(const RandomArgs& args, void* stream);
// An integer division by zero sets *zero_divisor (device-visible memory) to 1.
int launch_binary(const BinaryArgs& args, int* zero_divisor, void* stream);
int launch_unary(const UnaryArgs& args, void* stream);
int launch_select(const SelectArgs& args, void* stream);  // select_launchers.cu
int launch_cast(const CastArgs& args, void* stream);
// `workspace`: reduce_workspace_bytes() of device memory for an all-reduce's partial sums.
inline constexpr int kMaxReducePartials = 1024;
std::size_t reduce_workspace_bytes();
int launch_reduce(const ReduceArgs& args, void* workspace, void* stream);
int launch_softmax(const SoftmaxArgs& args, void* stream);
// axis_launchers.cu
int launch_arg_reduce(const ArgReduceArgs& args, void* stream);
int launch_scan(const ScanArgs& args, void* stream);

}  // namespace varscope::kernels
