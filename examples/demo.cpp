// The varscope demo: the device this build runs on, then the seed's three examples.
#include <varscope/varscope.h>

#include <iostream>
#include <string>

#include "seed_examples.h"

namespace vs = varscope;

// `demo --dot`: the Graphviz DOT of seed example 2's graph (one cluster per name scope).
int print_dot() {
  vs::Graph g;
  for (const char* scope : {"V1", "V2"}) {
    auto s = g.variable_scope(scope);
    g.get_variable("a1", {.shape = vs::Shape{1}, .initializer = vs::constant_initializer(1)});
    g.variable(vs::random_normal(g, {2, 3}), {.name = "a2"});
  }
  g.global_variables_initializer();
  std::cout << g.to_dot();
  return 0;
}

int main(int argc, char** argv) {
  if (argc > 1 && std::string(argv[1]) == "--dot") return print_dot();
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
