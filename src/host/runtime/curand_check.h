// cuRAND status -> vs::InternalError naming the call. Used by both backends: the CPU
// backend draws its words from cuRAND's host generator. VARSCOPE_CHECK_CURAND names the call
// by stringifying it, like VARSCOPE_CHECK_CUDA (cuda/cuda_check.h).
#pragma once

#include <curand.h>

#include <cstddef>
#include <cstdint>
#include <string>

#include "varscope/errors.h"

#define VARSCOPE_CHECK_CURAND(call) ::varscope::runtime::check_curand((call), #call)

namespace varscope::runtime {

inline const char* curand_status_name(curandStatus_t s) {
  switch (s) {
    case CURAND_STATUS_SUCCESS:
      return "CURAND_STATUS_SUCCESS";
    case CURAND_STATUS_VERSION_MISMATCH:
      return "CURAND_STATUS_VERSION_MISMATCH";
    case CURAND_STATUS_NOT_INITIALIZED:
      return "CURAND_STATUS_NOT_INITIALIZED";
    case CURAND_STATUS_ALLOCATION_FAILED:
      return "CURAND_STATUS_ALLOCATION_FAILED";
    case CURAND_STATUS_TYPE_ERROR:
      return "CURAND_STATUS_TYPE_ERROR";
    case CURAND_STATUS_OUT_OF_RANGE:
      return "CURAND_STATUS_OUT_OF_RANGE";
    case CURAND_STATUS_LENGTH_NOT_MULTIPLE:
      return "CURAND_STATUS_LENGTH_NOT_MULTIPLE";
    case CURAND_STATUS_DOUBLE_PRECISION_REQUIRED:
      return "CURAND_STATUS_DOUBLE_PRECISION_REQUIRED";
    case CURAND_STATUS_LAUNCH_FAILURE:
      return "CURAND_STATUS_LAUNCH_FAILURE";
    case CURAND_STATUS_PREEXISTING_FAILURE:
      return "CURAND_STATUS_PREEXISTING_FAILURE";
    case CURAND_STATUS_INITIALIZATION_FAILED:
      return "CURAND_STATUS_INITIALIZATION_FAILED";
    case CURAND_STATUS_ARCH_MISMATCH:
      return "CURAND_STATUS_ARCH_MISMATCH";
    case CURAND_STATUS_INTERNAL_ERROR:
      return "CURAND_STATUS_INTERNAL_ERROR";
  }
  return "CURAND_STATUS_UNKNOWN";
}

inline void check_curand(curandStatus_t status, const char* call) {
  if (status != CURAND_STATUS_SUCCESS) {
    throw InternalError(std::string(call) + " failed: " + curand_status_name(status));
  }
}

// A Philox4_32_10 generator in cuRAND's legacy ordering, which cuRAND keeps the same in
// every release, so host and device generators give one sequence.
inline void configure_philox(curandGenerator_t gen) {
  VARSCOPE_CHECK_CURAND(curandSetGeneratorOrdering(gen, CURAND_ORDERING_PSEUDO_LEGACY));
}

inline void generate_words(curandGenerator_t gen,
                           std::uint32_t* dst,
                           std::size_t count,
                           std::uint64_t seed,
                           std::uint64_t offset) {
  VARSCOPE_CHECK_CURAND(curandSetPseudoRandomGeneratorSeed(gen, seed));
  VARSCOPE_CHECK_CURAND(curandSetGeneratorOffset(gen, offset));
  VARSCOPE_CHECK_CURAND(curandGenerate(gen, dst, count));
}

}  // namespace varscope::runtime
