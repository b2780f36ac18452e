// The NCCL path on a GPU machine (scripts/nccl-check.sh, a step of scripts/gpu-check.sh).
// NEVER RUN YET: this repository's CI has no GPU; it is compiled and linked there only.
//   dist_nccl_check one-rank       one process: HorovodAllreduce (sum, average) and
//                                  HorovodBroadcast of device memory on a CUDA session's
//                                  stream through NCCL; prints "nccl one rank: ok" or why not.
//   dist_nccl_check duplicate-gpu  under mpirun -np 2, both ranks on GPU 0: NCCL refuses
//                                  ("Duplicate GPU detected" in NCCL_DEBUG=WARN's log), which
//                                  each rank reports as "rank <r>: UNAVAILABLE: <E248 text>".
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "varscope/dist.h"
#include "varscope/varscope.h"

namespace vs = varscope;

namespace {

std::string values(const vs::HostTensor& t) {
  std::ostringstream out;
  for (std::int64_t i = 0; i < t.num_elements(); ++i)
    out << (i > 0 ? " " : "") << t.element_as_double(i);
  return out.str();
}

int one_rank() {
  vs::Graph g;
  const vs::HostTensor value(std::vector<float>{1, 2, 3}, vs::Shape{3});
  vs::Tensor x = vs::constant(g, value, {.name = "x"});
  const std::vector<vs::Tensor> outs = {vs::dist::allreduce(x, vs::dist::ReduceOp::kSum),
                                        vs::dist::allreduce(x, vs::dist::ReduceOp::kAverage),
                                        vs::dist::broadcast(x, 0)};
  vs::Session s(g, {.device = vs::DeviceKind::kCuda});
  const auto got = s.run(outs);
  const std::string expected = values(value);
  bool ok = vs::dist::communicator()->name() == "NCCL";
  for (const vs::HostTensor& t : got) {
    std::cout << "got: " << values(t) << "\n";
    ok = ok && values(t) == expected;  // a world of one: the sum, the mean, the root's
  }
  std::cout << "nccl one rank: " << (ok ? "ok" : "WRONG") << " (" << s.device_description() << ")"
            << std::endl;
  return ok ? 0 : 1;
}

int duplicate_gpu() {
  vs::Graph g;
  vs::Tensor x = vs::constant(g, vs::HostTensor(std::vector<float>{1, 2}, vs::Shape{2}));
  vs::Tensor r = vs::dist::allreduce(x);
  // Both ranks on GPU 0, which NCCL refuses.
  vs::Session s(g, {.device = vs::DeviceKind::kCuda, .cuda_device = 0});
  try {
    s.run(r);
    std::cout << "rank " << vs::dist::rank() << ": no error" << std::endl;
  } catch (const vs::Error& e) {
    std::cout << "rank " << vs::dist::rank() << ": " << vs::status_code_name(e.code()) << ": "
              << e.what() << std::endl;
  }
  return 0;
}

}  // namespace

int main(int argc, char** argv) {
  const std::string mode = argc > 1 ? argv[1] : "";
  try {
    vs::dist::init();
    if (mode == "one-rank") return one_rank();
    if (mode == "duplicate-gpu") return duplicate_gpu();
    std::cerr << "usage: dist_nccl_check one-rank|duplicate-gpu\n";
    return 64;
  } catch (const vs::Error& e) {
    std::cout << "error: " << vs::status_code_name(e.code()) << ": " << e.what() << std::endl;
    return 1;
  }
}
