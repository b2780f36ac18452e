// The CPU backend's math, one file per family, each taking its operation's arguments
// (kernels/op_args.h): elementwise.cpp (fill, binary, cast), unary.cpp, reductions.cpp,
// softmax.cpp, training.cpp, cpu_random.cpp (random: cpu_random.h) and gemm.cpp. CpuBackend
// forwards to these.
#pragma once

#include <string>

#include "host/runtime/backend.h"
#include "kernels/op_args.h"

namespace varscope::runtime::cpu {

void fill(const kernels::FillArgs& args);
void binary(const kernels::BinaryArgs& args);
void unary(const kernels::UnaryArgs& args);
void select(const kernels::SelectArgs& args);  // select.cpp
void cast(const kernels::CastArgs& args);
void reduce(const kernels::ReduceArgs& args);
// ArgMax/ArgMin and Cumsum (kernels/axis_ops.h): axis_ops.cpp.
void arg_reduce(const kernels::ArgReduceArgs& args);
void scan(const kernels::ScanArgs& args);
void softmax(const kernels::SoftmaxArgs& args);

// Training (kernels/training.h in loops): training.cpp.
void activation_grad(const kernels::ActivationGradArgs& args);
void softmax_xent(const kernels::SoftmaxXentArgs& args);
void apply_update(const kernels::ApplyUpdateArgs& args);
// Convolution and pooling (conv.cpp): oneDNN for float32, kernels/conv.h loops for float64.
void conv2d(const kernels::Conv2DArgs& args);
void pool2d(const kernels::Pool2DArgs& args);
// Batch normalization (batch_norm.cpp): oneDNN, float32.
void batch_norm(const kernels::BatchNormArgs& args);

void matmul(DType dtype, const Backend::MatMulShape& s, const void* a, const void* b, void* c);
// Which library does the matrix products, for Backend::description().
std::string gemm_description();
// float64 GEMM, ours (dgemm.cpp): the widest kernels this CPU runs, or named ones (tests;
// where the CPU lacks them, or is not x86-64, the portable ones run).
enum class DgemmKernels { kAvx512, kAvx2, kPortable };
DgemmKernels dgemm_kernels_for_this_cpu();
std::string dgemm_kernels_name(DgemmKernels kernels);
void dgemm(DgemmKernels kernels,
           const Backend::MatMulShape& s,
           const double* a,
           const double* b,
           double* c);

}  // namespace varscope::runtime::cpu
