// The kinds of device a session runs on, and which CUDA devices this process can use.
#pragma once
// The public API: exported from a library built with hidden visibility.
#pragma GCC visibility push(default)

#include <cstddef>
#include <string>

namespace varscope {

// kAuto: CUDA when a device is usable, else the CPU backend (see SessionOptions::device).
enum class DeviceKind { kAuto, kCpu, kCuda };

struct CudaDeviceInfo {
  int ordinal = 0;
  std::string name;
  int compute_capability_major = 0;
  int compute_capability_minor = 0;
  std::size_t total_memory_bytes = 0;
};

// True when varscope was built with its CUDA backend and a CUDA device is usable now.
bool cuda_available();
// Number of usable CUDA devices; 0 without a driver, a device or the CUDA backend.
int cuda_device_count();
// Why cuda_available() is false, e.g. "cudaGetDeviceCount: CUDA driver version is
// insufficient for CUDA runtime version (cudaErrorInsufficientDriver)"; empty when available.
std::string cuda_unavailable_reason();
// Properties of one device; throws vs::UnavailableError when it is not usable.
CudaDeviceInfo cuda_device_info(int ordinal = 0);

}  // namespace varscope

#pragma GCC visibility pop
