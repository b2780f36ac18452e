// The CPU backend's math, one file per family: elementwise.cpp (fill, binary, unary, cast),
// reductions.cpp, softmax.cpp and gemm.cpp. CpuBackend forwards to these.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>

#include "host/runtime/backend.h"

namespace varscope::runtime::cpu {

void fill(void* dst, const void* pattern, std::size_t element_size, std::int64_t count);
void binary(kernels::BinaryOp op,
            DType dtype,
            const kernels::Broadcast& bc,
            const void* x,
            const void* y,
            void* out,
            std::int64_t count);
void unary(kernels::UnaryOp op, DType dtype, const void* x, void* out, std::int64_t count);
void cast(DType from, DType to, const void* x, void* out, std::int64_t count);

void reduce(kernels::ReduceOp op,
            DType dtype,
            const kernels::Reduction& red,
            const void* x,
            void* out,
            std::int64_t out_count);
void softmax(DType dtype, const void* x, void* out, std::int64_t rows, std::int64_t cols);

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
