// Stand-in when varscope is built without nvcc: the library links, CUDA reports absent.
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
  return "varscope was built without its CUDA backend";
}
CudaDeviceInfo cuda_device_info(int) {
  throw UnavailableError("varscope was built without its CUDA backend");
}

}  // namespace varscope

#include "host/runtime/backend.h"

namespace varscope::runtime {

std::unique_ptr<Backend> make_cuda_backend(int, void*, bool) {
  throw UnavailableError("CUDA was requested but varscope was built without its CUDA backend");
}

}  // namespace varscope::runtime
