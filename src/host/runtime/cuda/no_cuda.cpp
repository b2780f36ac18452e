// Stand-in when varscope is built without nvcc: the library links, CUDA reports absent.
#include <string>

#include "varscope/device.h"
#include "varscope/errors.h"

namespace varscope {

int cuda_device_count() {
  return 0;
}
bool cuda_available() {
  return false;
}
std::string cuda_unavailable_reason() {
  return "no usable CUDA device: varscope was built without its CUDA backend";
}
// The same message prefixes as the CUDA build's, so callers can match on them in either.
CudaDeviceInfo cuda_device_info(int ordinal) {
  std::string message = "CUDA device ";  // appended: GCC 12's -Wrestrict misfires on "" + &&
  message += std::to_string(ordinal);
  message += " is not available: ";
  message += cuda_unavailable_reason();
  throw UnavailableError(message);
}

}  // namespace varscope

#include "host/runtime/backend.h"

namespace varscope::runtime {

std::unique_ptr<Backend> make_cuda_backend(int, void*, bool) {
  throw UnavailableError("CUDA was requested but is not usable: " + cuda_unavailable_reason());
}

}  // namespace varscope::runtime
