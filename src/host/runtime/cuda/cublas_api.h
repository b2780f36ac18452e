// cuBLAS, opened when the first CUDA session starts rather than when the program loads:
// linked directly, libcublas and libcublasLt (~220 MB resident, ~0.15 s) would be mapped
// into every process that links varscope, CPU-only ones included. The entry points are the
// few the CUDA backend calls, typed from cuBLAS's own header.
#pragma once

#include <cublas_v2.h>

namespace varscope::runtime::cuda {

struct CublasApi {
  decltype(&cublasCreate) create;
  decltype(&cublasDestroy) destroy;
  decltype(&cublasSetStream) set_stream;
  decltype(&cublasSetMathMode) set_math_mode;
  decltype(&cublasSetWorkspace) set_workspace;
  decltype(&cublasSgemmStridedBatched_64) sgemm_strided_batched;
  decltype(&cublasDgemmStridedBatched_64) dgemm_strided_batched;
  decltype(&cublasGetStatusName) status_name;
  decltype(&cublasGetStatusString) status_string;
};

// libcublas.so.<the headers' major version>, opened once (thread-safe) and kept for the
// process's life. vs::UnavailableError naming the loader's error where it cannot be opened
// or lacks an entry point; asked again, it tries again.
const CublasApi& cublas();

}  // namespace varscope::runtime::cuda
