// The CPU backend's thread count (see thread_count.h for the order of the settings).
#include "host/runtime/cpu/thread_count.h"

#include <algorithm>
#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <thread>
#include <vector>

#include "varscope/errors.h"

namespace varscope::runtime::cpu {
namespace {

std::string_view trim(std::string_view s) {
  const auto space = [](char c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; };
  while (!s.empty() && space(s.front()))
    s.remove_prefix(1);
  while (!s.empty() && space(s.back()))
    s.remove_suffix(1);
  return s;
}

// A whole number of at most 18 digits (no sign), else nullopt.
std::optional<std::int64_t> parse_count(std::string_view s) {
  s = trim(s);
  if (s.empty() || s.size() > 18) return std::nullopt;
  std::int64_t v = 0;
  for (const char c : s) {
    if (c < '0' || c > '9') return std::nullopt;
    v = v * 10 + (c - '0');
  }
  return v;
}

std::string quoted(const std::string& s) {
  return "'" + s + "'";
}

}  // namespace

ThreadCount choose_cpu_threads(const ThreadInputs& in) {
  if (in.option < 0 || in.option > kMaxCpuThreads) {
    throw InvalidArgumentError(
        "SessionOptions.cpu_threads must be 0 (automatic) or a thread count from 1 to " +
        std::to_string(kMaxCpuThreads) + ", got " + std::to_string(in.option));
  }
  if (in.option > 0) return {in.option, "SessionOptions.cpu_threads"};
  if (in.varscope_env && !trim(*in.varscope_env).empty()) {
    const auto v = parse_count(*in.varscope_env);
    if (!v || *v > kMaxCpuThreads) {
      throw InvalidArgumentError(
          "VARSCOPE_CPU_THREADS must be 0 (automatic) or a thread count from 1 to " +
          std::to_string(kMaxCpuThreads) + ", got " + quoted(*in.varscope_env));
    }
    if (*v > 0) return {static_cast<int>(*v), "VARSCOPE_CPU_THREADS"};
  }
  if (in.omp_env) {
    // OpenMP's list form "4,2": the first entry is the outer level's.
    const std::string_view s(*in.omp_env);
    const auto v = parse_count(s.substr(0, s.find(',')));
    if (v && *v > 0) {
      return {static_cast<int>(std::min<std::int64_t>(*v, kMaxCpuThreads)), "OMP_NUM_THREADS"};
    }
  }
  const int affinity = std::max(1, in.affinity_cpus);
  if (in.quota_cpus > 0 && in.quota_cpus < affinity) {
    return {in.quota_cpus, "the cgroup CPU quota"};
  }
  return {std::min(affinity, kMaxCpuThreads), "the affinity mask"};
}

int cpus_in_mask(const cpu_set_t& mask) {
  return std::max(1, CPU_COUNT(&mask));
}

int quota_cpus_v1(std::string_view quota_us, std::string_view period_us) {
  const auto quota = parse_count(quota_us), period = parse_count(period_us);
  if (!quota || !period || *quota <= 0 || *period <= 0) return 0;  // "-1": no limit
  const std::int64_t cpus = (*quota + *period - 1) / *period;
  return static_cast<int>(std::clamp<std::int64_t>(cpus, 1, kMaxCpuThreads));
}

int quota_cpus_v2(std::string_view cpu_max) {
  cpu_max = trim(cpu_max);
  const std::size_t space = cpu_max.find(' ');
  if (space == std::string_view::npos) return 0;
  return quota_cpus_v1(cpu_max.substr(0, space), cpu_max.substr(space + 1));
}

int cgroup_quota_cpus(
    std::string_view proc_self_cgroup,
    const std::function<std::optional<std::string>(const std::string&)>& read_file) {
  int best = 0;
  const auto take = [&best](int cpus) {
    if (cpus > 0 && (best == 0 || cpus < best)) best = cpus;
  };
  // Each of `dir` and its ancestors up to `root`.
  const auto walk = [](const std::string& root, std::string path, const auto& visit) {
    for (;;) {
      visit(root + path);
      if (path.empty() || path == "/") return;
      const std::size_t slash = path.find_last_of('/');
      path = slash == std::string::npos || slash == 0 ? std::string() : path.substr(0, slash);
    }
  };
  std::istringstream lines{std::string(proc_self_cgroup)};
  for (std::string line; std::getline(lines, line);) {
    // "hierarchy-ID:controller-list:path"
    const std::size_t c1 = line.find(':');
    const std::size_t c2 = c1 == std::string::npos ? c1 : line.find(':', c1 + 1);
    if (c2 == std::string::npos) continue;
    const std::string controllers = line.substr(c1 + 1, c2 - c1 - 1);
    std::string path = line.substr(c2 + 1);
    if (!path.empty() && path.back() == '/') path.pop_back();
    if (line.compare(0, c1, "0") == 0 && controllers.empty()) {  // cgroup v2
      walk("/sys/fs/cgroup", path, [&](const std::string& dir) {
        if (const auto text = read_file(dir + "/cpu.max")) take(quota_cpus_v2(*text));
      });
      continue;
    }
    std::vector<std::string> names;
    std::istringstream list(controllers);
    for (std::string name; std::getline(list, name, ',');)
      names.push_back(name);
    if (std::find(names.begin(), names.end(), "cpu") == names.end()) continue;
    for (const std::string& mount :
         {"/sys/fs/cgroup/" + controllers, std::string("/sys/fs/cgroup/cpu")}) {
      walk(mount, path, [&](const std::string& dir) {
        const auto quota = read_file(dir + "/cpu.cfs_quota_us");
        const auto period = read_file(dir + "/cpu.cfs_period_us");
        if (quota && period) take(quota_cpus_v1(*quota, *period));
      });
    }
  }
  return best;
}

ThreadCount machine_cpu_threads(int option) {
  ThreadInputs in;
  in.option = option;
  if (const char* v = std::getenv("VARSCOPE_CPU_THREADS")) in.varscope_env = v;
  if (const char* v = std::getenv("OMP_NUM_THREADS")) in.omp_env = v;
  cpu_set_t mask;
  CPU_ZERO(&mask);
  if (sched_getaffinity(0, sizeof mask, &mask) == 0) {
    in.affinity_cpus = cpus_in_mask(mask);
  } else {  // more than CPU_SETSIZE CPUs: the count the C++ library sees
    in.affinity_cpus = static_cast<int>(std::max(1u, std::thread::hardware_concurrency()));
  }
  const auto read_file = [](const std::string& path) -> std::optional<std::string> {
    std::ifstream f(path);
    if (!f) return std::nullopt;
    std::ostringstream text;
    text << f.rdbuf();
    return text.str();
  };
  if (const auto cgroup = read_file("/proc/self/cgroup")) {
    in.quota_cpus = cgroup_quota_cpus(*cgroup, read_file);
  }
  return choose_cpu_threads(in);
}

}  // namespace varscope::runtime::cpu
