// Issue 27: allreduce bus bandwidth as nccl-tests defines it (busbw = bytes / time * 2(n-1)/n),
// varscope's fused collective path (8 tensors in one bucket, through Session::run) beside one
// raw MPI_Allreduce of the same bytes. Run under mpirun (every rank runs the same fixed number
// of iterations: no adaptive timing, which would leave ranks in different collectives):
//   mpirun -np 2 build/release/bench/allreduce_bench
// VARSCOPE_BENCH_SMOKE=1: tiny sizes, a few iterations (the test suite's run).
#include <mpi.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "varscope/dist.h"
#include "varscope/varscope.h"

namespace vs = varscope;

namespace {

double now() {
  return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
}

// The slowest rank's seconds per call.
double slowest(double seconds) {
  double out = 0;
  MPI_Allreduce(&seconds, &out, 1, MPI_DOUBLE, MPI_MAX, MPI_COMM_WORLD);
  return out;
}

double raw_mpi(std::int64_t floats, int iterations) {
  std::vector<float> buffer(static_cast<std::size_t>(floats), 1.0f);
  MPI_Allreduce(MPI_IN_PLACE, buffer.data(), static_cast<int>(floats), MPI_FLOAT, MPI_SUM,
                MPI_COMM_WORLD);  // warm-up
  MPI_Barrier(MPI_COMM_WORLD);
  const double start = now();
  for (int i = 0; i < iterations; ++i)
    MPI_Allreduce(MPI_IN_PLACE, buffer.data(), static_cast<int>(floats), MPI_FLOAT, MPI_SUM,
                  MPI_COMM_WORLD);
  return slowest((now() - start) / iterations);
}

double fused_path(std::int64_t floats, int iterations) {
  constexpr int kTensors = 8;
  vs::Graph g;
  std::vector<vs::Tensor> reduced;
  for (int t = 0; t < kTensors; ++t) {
    std::string name = "v";  // (not "v" + to_string: GCC 12's -Wrestrict false positive)
    name += std::to_string(t);
    vs::Variable v = g.get_variable(
        name, {.shape = vs::Shape{floats / kTensors}, .initializer = vs::ones_initializer()});
    reduced.push_back(vs::dist::allreduce(v.value(), vs::dist::ReduceOp::kSum));
  }
  std::vector<vs::Operation> ops;
  for (const vs::Tensor& r : reduced)
    ops.push_back(r.op());
  vs::Operation all = vs::group(ops);
  vs::Session s(g);
  s.run(g.global_variables_initializer());
  s.run(all);  // warm-up: the plan, its fingerprint exchange
  MPI_Barrier(MPI_COMM_WORLD);
  const double start = now();
  for (int i = 0; i < iterations; ++i)
    s.run(all);
  return slowest((now() - start) / iterations);
}

}  // namespace

int main() {
  vs::dist::init();
  const bool smoke = std::getenv("VARSCOPE_BENCH_SMOKE") != nullptr;
  const int n = vs::dist::size();
  const double factor = 2.0 * (n - 1) / n;
  if (vs::dist::rank() == 0) {
    std::printf(
        "ranks: %d\n| bytes | raw MPI_Allreduce busbw | fused path busbw | ratio |\n"
        "| --- | --- | --- | --- |\n",
        n);
  }
  const std::vector<std::int64_t> sizes =
      smoke ? std::vector<std::int64_t>{1 << 10}
            : std::vector<std::int64_t>{1 << 18, 1 << 20, 1 << 22, 1 << 24};
  for (std::int64_t floats : sizes) {
    const int iterations = smoke ? 3 : std::max(5, static_cast<int>((1 << 26) / floats));
    const double bytes = static_cast<double>(floats) * 4;
    const double raw = raw_mpi(floats, iterations);
    const double fused = fused_path(floats, iterations);
    if (vs::dist::rank() == 0) {
      std::printf("| %.0f MiB | %.2f GB/s (%.3f ms) | %.2f GB/s (%.3f ms) | %.2f |\n",
                  bytes / (1 << 20), bytes / raw * factor / 1e9, raw * 1e3,
                  bytes / fused * factor / 1e9, fused * 1e3, raw / fused);
    }
  }
  vs::dist::finalize();
  return 0;
}
