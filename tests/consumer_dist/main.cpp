#include <varscope/dist.h>
#include <varscope/varscope.h>

#include <iostream>

namespace vs = varscope;

int main() {
  vs::dist::init();
  vs::Graph g;
  vs::Tensor x = vs::constant(g, vs::HostTensor(std::vector<float>{1, 2}, vs::Shape{2}));
  vs::Session s(g);
  const float sum = s.run(vs::dist::allreduce(x, vs::dist::ReduceOp::kSum)).data<float>()[1];
  std::cout << "rank " << vs::dist::rank() << " of " << vs::dist::size() << ": " << sum << "\n";
  const bool ok = sum == 2.0f * static_cast<float>(vs::dist::size());
  vs::dist::finalize();
  return ok ? 0 : 1;
}
