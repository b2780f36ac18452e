// The varscope demo: the device this build runs on, then the seed's three examples.
#include <varscope/varscope.h>

#include <iostream>

#include "seed_examples.h"

namespace vs = varscope;

int main() {
  if (vs::cuda_available()) {
    vs::CudaDeviceInfo info = vs::cuda_device_info(0);
    std::cout << "device: CUDA " << info.name << " (sm_" << info.compute_capability_major
              << info.compute_capability_minor << ")\n";
  } else {
    std::cout << "device: CPU backend (" << vs::cuda_unavailable_reason() << ")\n";
  }
  std::cout << "\n# Example 1: variable_scope + reuse share one variable\n";
  examples::sharing_with_reuse(std::cout);
  std::cout << "\n# Example 2: variable_scope prefixes get_variable and Variable\n";
  examples::variable_scope_prefixes_both(std::cout);
  std::cout << "\n# Example 3: name_scope does not prefix get_variable\n";
  examples::name_scope_ignored_by_get_variable(std::cout);
  return 0;
}
