// The CPU backend's thread count: the sizing rules as pure functions (affinity masks, cgroup
// files, the settings' order), the count a session reports, and bits that do not depend on
// it (matmul, long-row and column reductions, softmax, cross-entropy, elementwise ops at 1,
// 2, 3 and 8 threads).
#include <gtest/gtest.h>
#include <sched.h>
#include <stdlib.h>

#include <array>
#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "host/runtime/cpu/thread_count.h"
#include "test_util.h"
#include "varscope/varscope.h"

namespace vs = varscope;
namespace cpu = varscope::runtime::cpu;
using vs::testing::error_of;
using vs::testing::SameBytes;

namespace {

using varscope::testing::ScopedEnv;

cpu::ThreadInputs machine(int affinity, int quota) {
  cpu::ThreadInputs in;
  in.affinity_cpus = affinity;
  in.quota_cpus = quota;
  return in;
}

}  // namespace

TEST(CpuThreadSizing, AutomaticIsTheAffinityMaskCappedByTheQuota) {
  EXPECT_EQ(cpu::choose_cpu_threads(machine(8, 0)).threads, 8);
  EXPECT_EQ(cpu::choose_cpu_threads(machine(8, 0)).source, "the affinity mask");
  EXPECT_EQ(cpu::choose_cpu_threads(machine(8, 2)).threads, 2);
  EXPECT_EQ(cpu::choose_cpu_threads(machine(8, 2)).source, "the cgroup CPU quota");
  EXPECT_EQ(cpu::choose_cpu_threads(machine(1, 4)).threads, 1);  // taskset -c 0 in a --cpus=4
  EXPECT_EQ(cpu::choose_cpu_threads(machine(0, 0)).threads, 1);  // at least one
}

TEST(CpuThreadSizing, OptionThenVarscopeEnvThenOmpNumThreadsThenTheMachine) {
  cpu::ThreadInputs in = machine(16, 4);
  in.omp_env = "3";
  EXPECT_EQ(cpu::choose_cpu_threads(in).threads, 3);
  EXPECT_EQ(cpu::choose_cpu_threads(in).source, "OMP_NUM_THREADS");
  in.varscope_env = "5";
  EXPECT_EQ(cpu::choose_cpu_threads(in).threads, 5);
  EXPECT_EQ(cpu::choose_cpu_threads(in).source, "VARSCOPE_CPU_THREADS");
  in.option = 7;
  EXPECT_EQ(cpu::choose_cpu_threads(in).threads, 7);
  EXPECT_EQ(cpu::choose_cpu_threads(in).source, "SessionOptions.cpu_threads");
  // "0" and "" mean automatic: the next setting decides.
  in.option = 0;
  in.varscope_env = "0";
  EXPECT_EQ(cpu::choose_cpu_threads(in).threads, 3);
  in.varscope_env = "";
  EXPECT_EQ(cpu::choose_cpu_threads(in).threads, 3);
}

TEST(CpuThreadSizing, OmpNumThreadsIsReadAsOpenMpReadsIt) {
  cpu::ThreadInputs in = machine(4, 0);
  in.omp_env = "6,2";  // nested levels: the outer one
  EXPECT_EQ(cpu::choose_cpu_threads(in).threads, 6);
  in.omp_env = " 2 ";
  EXPECT_EQ(cpu::choose_cpu_threads(in).threads, 2);
  for (const char* ignored : {"", "0", "-2", "two", "2x"}) {
    in.omp_env = ignored;
    EXPECT_EQ(cpu::choose_cpu_threads(in).threads, 4) << ignored;
    EXPECT_EQ(cpu::choose_cpu_threads(in).source, "the affinity mask") << ignored;
  }
  in.omp_env = "100000";
  EXPECT_EQ(cpu::choose_cpu_threads(in).threads, cpu::kMaxCpuThreads);
}

TEST(CpuThreadSizing, BadOptionOrVarscopeEnvIsInvalidArgument) {
  cpu::ThreadInputs in = machine(4, 0);
  in.option = -1;
  EXPECT_EQ(error_of<vs::InvalidArgumentError>([&] { cpu::choose_cpu_threads(in); }),
            "SessionOptions.cpu_threads must be 0 (automatic) or a thread count from 1 to 1024, "
            "got -1");
  in.option = 1025;
  EXPECT_NE(error_of<vs::InvalidArgumentError>([&] { cpu::choose_cpu_threads(in); }), "");
  in.option = 0;
  for (const char* bad : {"-1", "two", "1025", "2.5"}) {
    in.varscope_env = bad;
    EXPECT_EQ(error_of<vs::InvalidArgumentError>([&] { cpu::choose_cpu_threads(in); }),
              std::string("VARSCOPE_CPU_THREADS must be 0 (automatic) or a thread count from 1 "
                          "to 1024, got '") +
                  bad + "'");
  }
}

TEST(CpuThreadSizing, AffinityMaskOfOneCpuIsOneThread) {
  cpu_set_t mask;
  CPU_ZERO(&mask);
  CPU_SET(0, &mask);
  EXPECT_EQ(cpu::cpus_in_mask(mask), 1);  // taskset -c 0
  CPU_SET(5, &mask);
  CPU_SET(9, &mask);
  EXPECT_EQ(cpu::cpus_in_mask(mask), 3);  // taskset -c 0,5,9
  EXPECT_EQ(cpu::choose_cpu_threads(machine(cpu::cpus_in_mask(mask), 0)).threads, 3);
}

TEST(CpuThreadSizing, QuotasRoundUp) {
  EXPECT_EQ(cpu::quota_cpus_v2("max 100000\n"), 0);
  EXPECT_EQ(cpu::quota_cpus_v2("150000 100000\n"), 2);  // --cpus=1.5
  EXPECT_EQ(cpu::quota_cpus_v2("50000 100000"), 1);     // --cpus=0.5: at least one
  EXPECT_EQ(cpu::quota_cpus_v2("400000 100000"), 4);
  EXPECT_EQ(cpu::quota_cpus_v2("garbage"), 0);
  EXPECT_EQ(cpu::quota_cpus_v1("-1\n", "100000\n"), 0);
  EXPECT_EQ(cpu::quota_cpus_v1("250000\n", "100000\n"), 3);
  EXPECT_EQ(cpu::quota_cpus_v1("100000", "0"), 0);
}

TEST(CpuThreadSizing, CgroupQuotaIsTheSmallestAlongThePath) {
  std::map<std::string, std::string> files;
  const auto read = [&files](const std::string& path) -> std::optional<std::string> {
    auto it = files.find(path);
    if (it == files.end()) return std::nullopt;
    return it->second;
  };
  // cgroup v2, the file of the process's own group and of its parent.
  files["/sys/fs/cgroup/a/b/cpu.max"] = "max 100000\n";
  files["/sys/fs/cgroup/a/cpu.max"] = "300000 100000\n";
  EXPECT_EQ(cpu::cgroup_quota_cpus("0::/a/b\n", read), 3);
  files["/sys/fs/cgroup/cpu.max"] = "200000 100000\n";  // a container's namespace root
  EXPECT_EQ(cpu::cgroup_quota_cpus("0::/a/b\n", read), 2);
  EXPECT_EQ(cpu::cgroup_quota_cpus("0::/\n", read), 2);
  EXPECT_EQ(cpu::cgroup_quota_cpus("0::/elsewhere\n", read), 2);
  // cgroup v1 (controllers named, the files in the cpu hierarchy).
  files.clear();
  const std::string v1 = "12:pids:/\n3:cpu,cpuacct:/docker/abc\n1:name=systemd:/\n";
  EXPECT_EQ(cpu::cgroup_quota_cpus(v1, read), 0);
  files["/sys/fs/cgroup/cpu,cpuacct/docker/abc/cpu.cfs_quota_us"] = "150000\n";
  files["/sys/fs/cgroup/cpu,cpuacct/docker/abc/cpu.cfs_period_us"] = "100000\n";
  EXPECT_EQ(cpu::cgroup_quota_cpus(v1, read), 2);
  files.clear();
  files["/sys/fs/cgroup/cpu/cpu.cfs_quota_us"] = "-1\n";
  files["/sys/fs/cgroup/cpu/cpu.cfs_period_us"] = "100000\n";
  EXPECT_EQ(cpu::cgroup_quota_cpus(v1, read), 0);
}

// The integration check: a thread pinned to one CPU (as `taskset -c 0` pins a process)
// makes a one-thread CPU session, which says so.
TEST(CpuThreads, OneCpuInTheAffinityMaskGivesAOneThreadBackend) {
  ScopedEnv no_varscope("VARSCOPE_CPU_THREADS", nullptr), no_omp("OMP_NUM_THREADS", nullptr);
  std::string description;
  std::vector<float> result;
  std::thread pinned([&] {
    cpu_set_t mask;
    CPU_ZERO(&mask);
    ASSERT_EQ(sched_getaffinity(0, sizeof mask, &mask), 0);
    int first = 0;
    while (!CPU_ISSET(first, &mask))
      ++first;
    CPU_ZERO(&mask);
    CPU_SET(first, &mask);
    ASSERT_EQ(sched_setaffinity(0, sizeof mask, &mask), 0);  // this thread only
    vs::Graph g;
    vs::Tensor x = vs::random_normal(g, vs::Shape{300, 400}, {.seed = 3});
    vs::Session sess(g, {.device = vs::DeviceKind::kCpu});
    description = sess.device_description();
    result = vs::testing::values(sess.run(vs::reduce_sum(x, {.axes = std::vector<int>{1}})));
  });
  pinned.join();
  EXPECT_TRUE(vs::testing::StartsWith(description, "CPU (1 thread from the affinity mask, "))
      << description;
  EXPECT_EQ(result.size(), 300u);
}

TEST(CpuThreads, SettingsAreReadAndReported) {
  vs::Graph g;
  vs::placeholder(g, vs::DType::kFloat32, vs::Shape{1});
  {
    ScopedEnv env("VARSCOPE_CPU_THREADS", "3");
    vs::Session sess(g, {.device = vs::DeviceKind::kCpu});
    EXPECT_TRUE(vs::testing::StartsWith(sess.device_description(),
                                        "CPU (3 threads from VARSCOPE_CPU_THREADS, "));
    vs::Session explicit_count(g, {.device = vs::DeviceKind::kCpu, .cpu_threads = 2});
    EXPECT_TRUE(vs::testing::StartsWith(explicit_count.device_description(),
                                        "CPU (2 threads from SessionOptions.cpu_threads, "));
  }
  {
    ScopedEnv no_varscope("VARSCOPE_CPU_THREADS", nullptr), omp("OMP_NUM_THREADS", "1");
    vs::Session sess(g, {.device = vs::DeviceKind::kCpu});
    EXPECT_TRUE(
        vs::testing::StartsWith(sess.device_description(), "CPU (1 thread from OMP_NUM_THREADS, "));
    EXPECT_STREQ(std::getenv("OMP_NUM_THREADS"), "1");  // read, never written
  }
  {
    ScopedEnv bad("VARSCOPE_CPU_THREADS", "many");
    EXPECT_EQ(error_of<vs::InvalidArgumentError>(
                  [&] { vs::Session sess(g, {.device = vs::DeviceKind::kCpu}); }),
              "VARSCOPE_CPU_THREADS must be 0 (automatic) or a thread count from 1 to 1024, got "
              "'many'");
  }
  EXPECT_EQ(
      error_of<vs::InvalidArgumentError>([&] { vs::Session sess(g, {.cpu_threads = -2}); }),
      "SessionOptions.cpu_threads must be 0 (automatic) or a thread count from 1 to 1024, got -2");
}

// Every op family whose CPU loops are split over threads, on shapes large enough to be
// split (long rows, many rows, columns, odd matmul row counts), at 1, 2, 3 and 8 threads.
TEST(CpuThreads, ResultsAreBitIdenticalAtAnyThreadCount) {
  vs::Graph g;
  const auto normal = [&g](vs::Shape shape, int seed) {
    return vs::random_normal(g, shape, {.seed = seed});
  };
  std::vector<vs::Tensor> fetches;
  // matmul: float32 (oneDNN in row blocks) with row counts that leave odd last blocks,
  // batched, transposed; float64 (OpenBLAS).
  for (auto [m, k, n] : std::vector<std::array<std::int64_t, 3>>{
           {1025, 777, 300}, {97, 513, 1}, {300, 200, 129}, {2050, 64, 256}}) {
    fetches.push_back(vs::matmul(normal({m, k}, 1), normal({k, n}, 2)));
  }
  // One row block, cut into column blocks (an RNN step's products), B plain and transposed.
  fetches.push_back(vs::matmul(normal({32, 512}, 17), normal({512, 1000}, 18)));
  fetches.push_back(
      vs::matmul(normal({20, 1024}, 19), normal({300, 1024}, 20), {.transpose_b = true}));
  fetches.push_back(
      vs::matmul(normal({3, 200, 130}, 4), normal({3, 150, 130}, 5), {.transpose_b = true}));
  fetches.push_back(vs::matmul(vs::cast(normal({513, 300}, 6), vs::DType::kFloat64),
                               vs::cast(normal({300, 70}, 7), vs::DType::kFloat64)));
  // Reductions: one and a few long rows, many short rows, columns, all of it; each dtype.
  const vs::Tensor long_row = normal({2, 1 << 19}, 8);
  const vs::Tensor columns = normal({4096, 300}, 9);
  for (vs::DType dtype : {vs::DType::kFloat32, vs::DType::kFloat64, vs::DType::kInt32}) {
    const auto as = [&](vs::Tensor t) {
      return dtype == vs::DType::kInt32 ? vs::cast(t * 1000.0f, dtype) : vs::cast(t, dtype);
    };
    fetches.push_back(vs::reduce_sum(as(long_row), {.axes = std::vector<int>{1}}));
    fetches.push_back(vs::reduce_mean(as(long_row)));
    fetches.push_back(vs::reduce_sum(as(columns), {.axes = std::vector<int>{0}}));
    fetches.push_back(vs::reduce_mean(as(columns), {.axes = std::vector<int>{1}}));
  }
  fetches.push_back(vs::reduce_sum(normal({64, 3000, 5}, 10), {.axes = std::vector<int>{0, 2}}));
  // Softmax, the two cross-entropies, elementwise and unary ops.
  const vs::Tensor logits = normal({3000, 100}, 11);
  fetches.push_back(vs::softmax(logits));
  fetches.push_back(
      vs::softmax_cross_entropy_with_logits(vs::softmax(normal({3000, 100}, 12)), logits));
  fetches.push_back(vs::sparse_softmax_cross_entropy_with_logits(
      vs::random_uniform(g, vs::Shape{3000},
                         {.minval = 0.0, .maxval = 100.0, .dtype = vs::DType::kInt32, .seed = 13}),
      logits));
  const vs::Tensor big = normal({1000, 700}, 14);
  fetches.push_back(vs::tanh(big) + vs::sigmoid(big) * vs::relu(big));
  fetches.push_back(vs::exp(big) / (vs::square(big) + 1.0f) - vs::log(vs::exp(big) + 1.0f));
  fetches.push_back(vs::bias_add(big, normal({700}, 15)));
  fetches.push_back(vs::add(big, normal({1000, 1}, 16)));

  std::vector<vs::HostTensor> reference;
  for (int threads : {1, 2, 3, 8}) {
    vs::Session sess(g, {.device = vs::DeviceKind::kCpu, .cpu_threads = threads});
    ASSERT_TRUE(vs::testing::StartsWith(sess.device_description(),
                                        "CPU (" + std::to_string(threads) + " thread"));
    std::vector<vs::HostTensor> out = sess.run(fetches);
    if (reference.empty()) {
      reference = std::move(out);
      continue;
    }
    for (std::size_t i = 0; i < out.size(); ++i) {
      EXPECT_TRUE(SameBytes(reference[i], out[i]))
          << threads << " threads, fetch " << i << " (" << fetches[i].name() << ")";
    }
  }
}
