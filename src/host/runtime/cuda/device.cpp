// Device discovery through cudart. Built only with the CUDA backend.
#include "varscope/device.h"

#include <cuda_runtime_api.h>

#include <string>

#include "host/runtime/cuda/cuda_check.h"
#include "host/runtime/cuda/device_guard.h"
#include "varscope/errors.h"

namespace varscope {
namespace {

std::string describe(const char* call, cudaError_t err) {
  return std::string(call) + ": " + cudaGetErrorString(err) + " (" + cudaGetErrorName(err) + ")";
}

// "12.4" from CUDA's 12040.
std::string version_text(int v) {
  return std::to_string(v / 1000) + "." + std::to_string(v % 1000 / 10);
}

// What a user meets first on a machine without a GPU: "no usable CUDA device", the driver
// found (none, or the CUDA version it supports against the runtime's), then CUDA's error.
// cudart's own text for a missing driver ("CUDA driver version is insufficient for CUDA
// runtime version") reads as if a driver were there.
std::string no_device(const std::string& cuda_error) {
  int driver = 0, runtime = 0;
  cudaDriverGetVersion(&driver);  // 0 when no driver is installed
  cudaRuntimeGetVersion(&runtime);
  cudaGetLastError();
  const std::string found =
      driver == 0 ? std::string("none found")
                  : "CUDA " + version_text(driver) + ", runtime CUDA " + version_text(runtime);
  return "no usable CUDA device (driver: " + found + "): " + cuda_error;
}

// cudaGetDeviceCount leaves its argument untouched on failure (e.g. no driver), so
// start from zero and trust the count only with cudaSuccess.
int query_device_count(std::string* reason) {
  int count = 0;
  cudaError_t err = cudaGetDeviceCount(&count);
  if (err != cudaSuccess) {
    cudaGetLastError();  // clear the non-sticky error so later calls start clean
    if (reason) *reason = no_device(describe("cudaGetDeviceCount", err));
    return 0;
  }
  if (count == 0 && reason) *reason = no_device("cudaGetDeviceCount: no CUDA device found");
  return count;
}

}  // namespace

int cuda_device_count() {
  return query_device_count(nullptr);
}

bool cuda_available() {
  return cuda_device_count() > 0;
}

std::string cuda_unavailable_reason() {
  std::string reason;
  query_device_count(&reason);
  return reason;
}

CudaDeviceInfo cuda_device_info(int ordinal) {
  std::string reason;
  int count = query_device_count(&reason);
  if (ordinal < 0 || ordinal >= count) {
    throw UnavailableError("CUDA device " + std::to_string(ordinal) + " is not available" +
                           (reason.empty() ? "" : ": " + reason));
  }
  cudaDeviceProp prop{};
  VARSCOPE_CHECK_CUDA(cudaGetDeviceProperties(&prop, ordinal));
  return CudaDeviceInfo{ordinal, prop.name, prop.major, prop.minor, prop.totalGlobalMem};
}

}  // namespace varscope

namespace varscope::runtime::cuda {

int usable_device(int device) {
  const int count = cuda_device_count();
  if (count == 0) {
    throw UnavailableError("CUDA was requested but is not usable: " + cuda_unavailable_reason());
  }
  if (device < 0 || device >= count) {
    throw UnavailableError("CUDA device " + std::to_string(device) + " was requested but " +
                           std::to_string(count) + " device(s) are present");
  }
  return device;
}

}  // namespace varscope::runtime::cuda
