// How many threads a CPU session uses. First set wins:
//   1. SessionOptions::cpu_threads (0: not set),
//   2. the environment variable VARSCOPE_CPU_THREADS (empty or "0": not set),
//   3. OMP_NUM_THREADS (its first entry, as OpenMP reads "4,2"; a value OpenMP would
//      ignore is ignored here too),
//   4. the machine: the CPUs in the process's affinity mask (taskset, cpusets), capped by
//      the cgroup CPU quota (v2 cpu.max, v1 cpu.cfs_quota_us / cpu.cfs_period_us, the
//      smallest along the cgroup's path), rounded up; at least 1.
// Explicit counts are used as given (more threads than CPUs is the caller's choice), up to
// kMaxCpuThreads. The library reads these, never writes them. Parsing and choosing are pure
// functions (tested with given masks and cgroup files); machine_cpu_threads() reads the
// process's real state.
#pragma once

#include <sched.h>

#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace varscope::runtime::cpu {

inline constexpr int kMaxCpuThreads = 1024;

struct ThreadInputs {
  int option = 0;                             // SessionOptions::cpu_threads
  std::optional<std::string> varscope_env{};  // VARSCOPE_CPU_THREADS
  std::optional<std::string> omp_env{};       // OMP_NUM_THREADS
  int affinity_cpus = 1;                      // CPUs in the affinity mask
  int quota_cpus = 0;                         // cgroup quota in CPUs, rounded up; 0: none
};

struct ThreadCount {
  int threads = 1;
  std::string source{};  // where the count came from, e.g. "the affinity mask"
};

// The count and its source; vs::InvalidArgumentError for an option or VARSCOPE_CPU_THREADS
// that is not a count from 0 to kMaxCpuThreads.
ThreadCount choose_cpu_threads(const ThreadInputs& in);

// CPUs in an affinity mask (at least 1).
int cpus_in_mask(const cpu_set_t& mask);

// A cgroup v2 cpu.max ("150000 100000" -> 2; "max 100000" -> 0, no limit), and a v1
// cpu.cfs_quota_us with its cpu.cfs_period_us ("-1" -> 0): CPUs rounded up, 0 for none or
// for text that does not parse.
int quota_cpus_v2(std::string_view cpu_max);
int quota_cpus_v1(std::string_view quota_us, std::string_view period_us);

// The smallest quota along the process's cgroup path and its ancestors, from the text of
// /proc/self/cgroup; read_file(path) gives a file's text, or nullopt where it is missing.
// 0: no quota.
int cgroup_quota_cpus(
    std::string_view proc_self_cgroup,
    const std::function<std::optional<std::string>(const std::string&)>& read_file);

// choose_cpu_threads with this process's environment, affinity mask and cgroup files.
ThreadCount machine_cpu_threads(int option);

}  // namespace varscope::runtime::cpu
