// main() of every benchmark binary: Google Benchmark plus the device in the JSON context
// (device name, driver and runtime versions), so a result file says where it was measured.
#include <benchmark/benchmark.h>
#include <cuda_runtime_api.h>
#include <varscope/varscope.h>

#include <string>

#include "bench_common.h"

namespace {

std::string cuda_version_string(int v) {
  return std::to_string(v / 1000) + "." + std::to_string((v % 1000) / 10);
}

void add_device_context() {
  int runtime = 0, driver = 0;
  cudaRuntimeGetVersion(&runtime);
  benchmark::AddCustomContext("cuda_runtime", cuda_version_string(runtime));
  if (cudaDriverGetVersion(&driver) == cudaSuccess && driver > 0) {
    benchmark::AddCustomContext("cuda_driver", cuda_version_string(driver));
  } else {
    benchmark::AddCustomContext("cuda_driver", "none");
  }
  if (varscope::cuda_available()) {
    const varscope::CudaDeviceInfo info = varscope::cuda_device_info(0);
    benchmark::AddCustomContext("device", info.name);
    benchmark::AddCustomContext("device_memory_bytes", std::to_string(info.total_memory_bytes));
  } else {
    benchmark::AddCustomContext("device", "none (" + varscope::cuda_unavailable_reason() + ")");
  }
  benchmark::AddCustomContext("varscope_bench_smoke", bench::smoke() ? "1" : "0");
}

}  // namespace

int main(int argc, char** argv) {
  benchmark::Initialize(&argc, argv);
  if (benchmark::ReportUnrecognizedArguments(argc, argv)) return 1;
  add_device_context();
  benchmark::RunSpecifiedBenchmarks();
  benchmark::Shutdown();
  return 0;
}
