// Checkpoints (issue 26): saving and restoring a TensorFlow checkpoint (tensor bundle V2) of
// 1,000 float32 variables totalling 1 GiB (VARSCOPE_BENCH_CKPT_MIB to change; 1 MiB in smoke
// runs), beside a cp-like baseline: the same bytes read and written with plain syscalls
// (read/write/fsync, as the save does) between two files in the same directory, and the `cp`
// command on the same bytes (then `sync` of the copy). Files go to $TMPDIR (default /tmp);
// run it by hand, the page cache warm.
#include <benchmark/benchmark.h>
#include <fcntl.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "bench_common.h"
#include "varscope/varscope.h"

namespace vs = varscope;
namespace fs = std::filesystem;

namespace {

constexpr int kVariables = 1000;

std::int64_t total_bytes() {
  if (bench::smoke()) return 1 << 20;
  const char* mib = std::getenv("VARSCOPE_BENCH_CKPT_MIB");
  return (mib ? std::atoll(mib) : 1024) << 20;
}

struct Fixture {
  fs::path dir;
  vs::Graph g;
  std::vector<vs::Variable> vars;
  std::unique_ptr<vs::Session> sess;
  std::string prefix;
  Fixture() {
    dir = fs::temp_directory_path() / ("varscope_ckpt_bench_" + std::to_string(::getpid()));
    fs::create_directories(dir);
    const std::int64_t per = total_bytes() / 4 / kVariables;
    for (int i = 0; i < kVariables; ++i)
      vars.push_back(
          g.get_variable("layer" + std::to_string(i / 10) + "/v" + std::to_string(i),
                         {.shape = vs::Shape{per}, .initializer = vs::ones_initializer()}));
    sess = std::make_unique<vs::Session>(g, vs::SessionOptions{.device = vs::DeviceKind::kCpu});
    sess->run(g.global_variables_initializer());
    prefix = (dir / "model.ckpt").string();
    vs::Saver(g).save(*sess, prefix, {.write_state = false});
  }
  ~Fixture() {
    std::error_code ignored;
    fs::remove_all(dir, ignored);
  }
};

Fixture& fixture() {
  static Fixture f;
  return f;
}

void BM_Cpu_SaveCheckpoint_Ours(benchmark::State& state) {
  Fixture& f = fixture();
  const vs::Saver saver(f.g);
  for (auto _ : state)
    saver.save(*f.sess, f.prefix, {.write_state = false});
  state.SetBytesProcessed(state.iterations() * total_bytes());
}
BENCHMARK(BM_Cpu_SaveCheckpoint_Ours)->Unit(benchmark::kMillisecond)->UseRealTime();

void BM_Cpu_RestoreCheckpoint_Ours(benchmark::State& state) {
  Fixture& f = fixture();
  const vs::Saver saver(f.g);
  for (auto _ : state)
    saver.restore(*f.sess, f.prefix);
  state.SetBytesProcessed(state.iterations() * total_bytes());
}
BENCHMARK(BM_Cpu_RestoreCheckpoint_Ours)->Unit(benchmark::kMillisecond)->UseRealTime();

// cp: read the data file and write its bytes to a new file (then fsync and rename it over
// the copy of the last round, as the save's atomic write does).
void BM_Cpu_SaveCheckpoint_Baseline_CopyFile(benchmark::State& state) {
  Fixture& f = fixture();
  const std::string from = f.prefix + ".data-00000-of-00001";
  const std::string tmp = (f.dir / "copy.tmp").string(), to = (f.dir / "copy").string();
  std::vector<char> buf(8 << 20);
  for (auto _ : state) {
    const int in = ::open(from.c_str(), O_RDONLY | O_CLOEXEC);
    const int out = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    for (ssize_t n; (n = ::read(in, buf.data(), buf.size())) > 0;) {
      if (::write(out, buf.data(), static_cast<std::size_t>(n)) != n) state.SkipWithError("write");
    }
    ::fsync(out);
    ::close(out);
    ::close(in);
    ::rename(tmp.c_str(), to.c_str());
  }
  state.SetBytesProcessed(state.iterations() * total_bytes());
}
BENCHMARK(BM_Cpu_SaveCheckpoint_Baseline_CopyFile)->Unit(benchmark::kMillisecond)->UseRealTime();

// The `cp` command itself on the data file (coreutils picks its own copy path), then `sync`
// of the copy (an fsync, as the save makes): the baseline the speed row names.
void BM_Cpu_Checkpoint_Baseline_CpCommand(benchmark::State& state) {
  Fixture& f = fixture();
  const std::string from = f.prefix + ".data-00000-of-00001";
  const std::string to = (f.dir / "cp_copy").string();
  const std::string command = "cp '" + from + "' '" + to + "' && sync '" + to + "'";
  for (auto _ : state) {
    if (std::system(command.c_str()) != 0) state.SkipWithError("cp failed");
  }
  state.SetBytesProcessed(state.iterations() * total_bytes());
}
BENCHMARK(BM_Cpu_Checkpoint_Baseline_CpCommand)->Unit(benchmark::kMillisecond)->UseRealTime();

// The restore's floor: the data file read (pread) into one buffer per variable.
void BM_Cpu_RestoreCheckpoint_Baseline_ReadFile(benchmark::State& state) {
  Fixture& f = fixture();
  const std::string from = f.prefix + ".data-00000-of-00001";
  const std::size_t per = static_cast<std::size_t>(total_bytes() / kVariables) / 4 * 4;
  std::vector<std::vector<char>> bufs(kVariables);
  for (auto _ : state) {
    const int in = ::open(from.c_str(), O_RDONLY | O_CLOEXEC);
    for (int i = 0; i < kVariables; ++i) {
      auto& b = bufs[static_cast<std::size_t>(i)];
      b.resize(per);  // allocated once; later rounds reuse it
      if (::pread(in, b.data(), per, static_cast<off_t>(per) * i) != static_cast<ssize_t>(per))
        state.SkipWithError("pread");
    }
    ::close(in);
    benchmark::DoNotOptimize(bufs.data());
  }
  state.SetBytesProcessed(state.iterations() * total_bytes());
}
BENCHMARK(BM_Cpu_RestoreCheckpoint_Baseline_ReadFile)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
