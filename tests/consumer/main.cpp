#include <varscope/varscope.h>

#include <iostream>

namespace vs = varscope;

int main() {
  vs::Shape shape{2, 3};
  std::cout << shape << " " << vs::dtype_name(vs::DType::kFloat32) << "\n";
  return shape.num_elements() == 6 ? 0 : 1;
}
