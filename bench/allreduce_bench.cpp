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

// One raw call per iteration: MPI_Allreduce, or (nonblocking) MPI_Iallreduce + MPI_Wait, the
// call varscope's MPI communicator makes (it polls MPI_Test against its timeout).
double raw_mpi(std::int64_t floats, int iterations, bool nonblocking) {
  std::vector<float> buffer(static_cast<std::size_t>(floats), 1.0f);
  auto call = [&] {
    if (!nonblocking) {
      MPI_Allreduce(MPI_IN_PLACE, buffer.data(), static_cast<int>(floats), MPI_FLOAT, MPI_SUM,
                    MPI_COMM_WORLD);
      return;
    }
    MPI_Request request;
    MPI_Iallreduce(MPI_IN_PLACE, buffer.data(), static_cast<int>(floats), MPI_FLOAT, MPI_SUM,
                   MPI_COMM_WORLD, &request);
    MPI_Wait(&request, MPI_STATUS_IGNORE);
  };
  call();  // warm-up
  MPI_Barrier(MPI_COMM_WORLD);
  const double start = now();
  for (int i = 0; i < iterations; ++i)
    call();
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

// Seconds per training step (a 256-wide MLP, batch 64, Adam), plain or inside
// DistributedOptimizer: at one rank (mpirun -np 1) the difference is the wrapper's overhead.
double step_seconds(bool distributed, int iterations) {
  vs::Graph g;
  g.set_random_seed(1);
  vs::Tensor x = vs::placeholder(g, vs::DType::kFloat32, vs::Shape{64, 256}, "x");
  vs::Tensor h = x;
  for (int layer = 0; layer < 3; ++layer) {
    std::string name = "w";
    name += std::to_string(layer);
    h = vs::tanh(vs::matmul(h, g.get_variable(name, {.shape = vs::Shape{256, 256}}).value()));
  }
  vs::Tensor loss = vs::reduce_mean(vs::square(h));
  vs::train::AdamOptimizer adam(0.001);
  vs::dist::DistributedOptimizer dist(adam);
  vs::Operation train = distributed ? dist.minimize(loss) : adam.minimize(loss);
  vs::Session s(g);
  s.run(g.global_variables_initializer());
  const vs::FeedDict feed{
      {x, vs::HostTensor(std::vector<float>(64 * 256, 0.5f), vs::Shape{64, 256})}};
  s.run(train, feed);
  MPI_Barrier(MPI_COMM_WORLD);
  const double start = now();
  for (int i = 0; i < iterations; ++i)
    s.run(train, feed);
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
        "ranks: %d\n| bytes | raw MPI_Allreduce busbw | raw MPI_Iallreduce busbw | fused path "
        "busbw | ratio (MPI_Allreduce time / ours) |\n| --- | --- | --- | --- | --- |\n",
        n);
  }
  const std::vector<std::int64_t> sizes =
      smoke ? std::vector<std::int64_t>{1 << 10}
            : std::vector<std::int64_t>{1 << 18, 1 << 20, 1 << 22, 1 << 24};
  for (std::int64_t floats : sizes) {
    const int iterations = smoke ? 3 : std::max(5, static_cast<int>((1 << 26) / floats));
    const double bytes = static_cast<double>(floats) * 4;
    const double raw = raw_mpi(floats, iterations, false);
    const double raw_nb = raw_mpi(floats, iterations, true);
    const double fused = fused_path(floats, iterations);
    auto busbw = [&](double seconds) { return bytes / seconds * factor / 1e9; };
    if (vs::dist::rank() == 0) {
      std::printf(
          "| %.0f MiB | %.2f GB/s (%.3f ms) | %.2f GB/s (%.3f ms) | %.2f GB/s (%.3f ms) "
          "| %.2f |\n",
          bytes / (1 << 20), busbw(raw), raw * 1e3, busbw(raw_nb), raw_nb * 1e3, busbw(fused),
          fused * 1e3, raw / fused);
    }
  }
  const int steps = smoke ? 2 : 200;
  const double plain = step_seconds(false, steps), wrapped = step_seconds(true, steps);
  if (vs::dist::rank() == 0) {
    std::printf(
        "training step (3x256 MLP, batch 64, Adam): %.3f ms; in DistributedOptimizer at %d "
        "rank(s): %.3f ms (%+.1f%%)\n",
        plain * 1e3, n, wrapped * 1e3, (wrapped / plain - 1) * 100);
  }
  vs::dist::finalize();
  return 0;
}
