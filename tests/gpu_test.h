// For tests that need a CUDA device. Where none is usable they skip, saying why; with
// VARSCOPE_REQUIRE_GPU=1 (a GPU machine's check: scripts/gpu-check.sh) they fail instead,
// saying why, so a machine whose driver cannot run this build is never a green `ctest -L gpu`
// of skipped tests.
#pragma once

#include <gtest/gtest.h>

#include <cstdlib>
#include <string>
#include <string_view>

#include "varscope/device.h"

#if VARSCOPE_TEST_HAS_CUDA
#include <cuda_runtime_api.h>
#endif

namespace varscope::testing {

inline bool gpu_required() {
  const char* value = std::getenv("VARSCOPE_REQUIRE_GPU");
  return value != nullptr && std::string_view(value) != "" && std::string_view(value) != "0";
}

namespace detail {

#if VARSCOPE_TEST_HAS_CUDA
inline std::string cuda_version_text(int version) {
  return std::to_string(version / 1000) + "." + std::to_string(version % 1000 / 10);
}

// Which CUDA the driver supports beside the one this build's runtime needs: a driver older
// than the toolkit is the usual reason a machine with a GPU has no usable device.
inline std::string cuda_versions() {
  int driver = 0, runtime = 0;
  cudaDriverGetVersion(&driver);  // 0 when no driver is installed
  cudaRuntimeGetVersion(&runtime);
  cudaGetLastError();
  return "driver " +
         (driver == 0 ? std::string("not found") : "for CUDA " + cuda_version_text(driver)) +
         ", runtime CUDA " + cuda_version_text(runtime);
}

// Empty when device 0 can be used: a device is present and its context starts (where a
// device is listed but unusable, e.g. taken by another process in exclusive mode, it fails).
// The caller's current device is left as it was.
inline std::string probe_gpu() {
  if (!cuda_available()) return cuda_unavailable_reason() + " (" + cuda_versions() + ")";
  int previous = 0;
  cudaError_t err = cudaGetDevice(&previous);
  if (err == cudaSuccess) err = cudaSetDevice(0);
  if (err == cudaSuccess) err = cudaFree(nullptr);  // starts the context if nothing did yet
  cudaSetDevice(previous);
  cudaGetLastError();
  if (err != cudaSuccess) {
    return std::string("CUDA device 0 cannot be used: ") + cudaGetErrorString(err) + " (" +
           cudaGetErrorName(err) + "; " + cuda_versions() + ")";
  }
  return "";
}
#else
inline std::string probe_gpu() {
  return cuda_unavailable_reason() + " (tests built without the CUDA toolkit)";
}
#endif

}  // namespace detail

// Why no CUDA device is usable; empty when one is. Probed once per process.
inline const std::string& gpu_unusable_reason() {
  static const std::string reason = detail::probe_gpu();
  return reason;
}

}  // namespace varscope::testing

// In SetUp (or a test body) of every test that needs a GPU: skips without one, or fails when
// VARSCOPE_REQUIRE_GPU is set; either way saying why.
#define VARSCOPE_SKIP_WITHOUT_GPU()                                                   \
  do {                                                                                \
    const std::string& varscope_no_gpu_ = ::varscope::testing::gpu_unusable_reason(); \
    if (!varscope_no_gpu_.empty()) {                                                  \
      if (::varscope::testing::gpu_required()) {                                      \
        FAIL() << "VARSCOPE_REQUIRE_GPU is set but no CUDA device is usable: "        \
               << varscope_no_gpu_;                                                   \
      }                                                                               \
      GTEST_SKIP() << varscope_no_gpu_;                                               \
    }                                                                                 \
  } while (false)

namespace varscope::testing {

class GpuTest : public ::testing::Test {
 protected:
  void SetUp() override { VARSCOPE_SKIP_WITHOUT_GPU(); }
};

}  // namespace varscope::testing
