// The varscope demo: what this build can run on.
#include <iostream>
#include <varscope/varscope.h>

namespace vs = varscope;

int main() {
  std::cout << "varscope demo\n";
  if (vs::cuda_available()) {
    vs::CudaDeviceInfo info = vs::cuda_device_info(0);
    std::cout << "device: CUDA " << info.name << " (sm_" << info.compute_capability_major
              << info.compute_capability_minor << ")\n";
  } else {
    std::cout << "device: CPU backend (" << vs::cuda_unavailable_reason() << ")\n";
  }
  std::cout << "a " << vs::dtype_name(vs::DType::kFloat32) << " tensor of shape "
            << vs::Shape{2, 3} << "\n";
  return 0;
}
