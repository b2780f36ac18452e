// What a CPU-only process pays for linking varscope: no CUDA math library is mapped, and a
// CPU session's process stays small (issue 22: every process started at 226 MB when cuBLAS
// was linked). Its own binary, linked to nothing but varscope and GoogleTest, so that the
// figure is varscope's.
#include <gtest/gtest.h>

#include <fstream>
#include <string>
#include <vector>

#include "varscope/varscope.h"

namespace vs = varscope;

namespace {

// The stated figure (README, "CPU or GPU"): oneDNN, OpenBLAS, the pool and a small graph.
constexpr double kCpuProcessResidentLimitMb = 50.0;

double resident_mb() {
  std::ifstream status("/proc/self/status");
  std::string key;
  while (status >> key) {
    if (key == "VmRSS:") {
      double kb = 0;
      status >> kb;
      return kb / 1024.0;
    }
    status.ignore(4096, '\n');
  }
  ADD_FAILURE() << "no VmRSS in /proc/self/status";
  return 0;
}

// The shared objects mapped into this process whose file name contains `part`.
std::vector<std::string> mapped_libraries(const std::string& part) {
  std::ifstream maps("/proc/self/maps");
  std::vector<std::string> found;
  for (std::string line; std::getline(maps, line);) {
    const auto slash = line.rfind('/');
    if (slash == std::string::npos) continue;
    const std::string file = line.substr(slash + 1);
    if (file.find(part) != std::string::npos && (found.empty() || found.back() != file))
      found.push_back(file);
  }
  return found;
}

void run_a_small_cpu_session() {
  vs::Graph g;
  g.set_random_seed(1);
  const vs::Tensor x = vs::placeholder(g, vs::DType::kFloat32, vs::Shape{4, 64}, "x");
  const vs::Variable w = g.get_variable("w", {.shape = vs::Shape{64, 64}});
  const vs::Tensor y = vs::reduce_sum(vs::softmax(vs::matmul(x, w)));
  vs::Session sess(g, {.device = vs::DeviceKind::kCpu});
  sess.run(g.global_variables_initializer());
  const vs::HostTensor out =
      sess.run(y, {{x, vs::HostTensor(std::vector<float>(4 * 64, 0.5f), vs::Shape{4, 64})}});
  EXPECT_NEAR(out.data<float>()[0], 4.0f, 1e-4f);  // each softmax row sums to one
}

}  // namespace

TEST(Footprint, NoCudaMathLibraryIsMappedByACpuSession) {
  run_a_small_cpu_session();
  EXPECT_EQ(mapped_libraries("libcublas"), std::vector<std::string>{});
  EXPECT_EQ(mapped_libraries("libcurand"), std::vector<std::string>{});
}

TEST(Footprint, ACpuSessionProcessStaysUnderTheStatedResidentFigure) {
#if defined(__SANITIZE_ADDRESS__)
  GTEST_SKIP() << "AddressSanitizer's shadow memory and quarantine are resident by design";
#endif
  run_a_small_cpu_session();
  const double mb = resident_mb();
  RecordProperty("resident_mb", std::to_string(mb));
  EXPECT_LT(mb, kCpuProcessResidentLimitMb) << "resident " << mb << " MB";
}
