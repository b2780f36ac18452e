// The CPU workloads of the peer table (scripts/bench.sh --peers, tools/peers.py): inputs
// held in variables, the op run as a target (nothing copied back), each beside a baseline
// in the same binary: raw oneDNN sgemm for matmul, a plain single-threaded loop for the
// rest (what a compiler makes of the obvious code), and memcpy as the bandwidth ceiling.
#include <benchmark/benchmark.h>
#include <dnnl.h>
#include <varscope/varscope.h>

#include <algorithm>
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <memory>
#include <random>
#include <vector>

#include "bench_common.h"

namespace vs = varscope;

namespace {

const std::int64_t kSide = bench::smoke() ? 64 : 1024;                       // the 1024 x 1024 rows
const std::int64_t kLong = bench::smoke() ? 4096 : (std::int64_t{1} << 24);  // 16M elements

std::vector<float> uniform(std::int64_t n, unsigned seed) {
  std::mt19937 rng(seed);
  std::uniform_real_distribution<float> u(-1.0f, 1.0f);
  std::vector<float> v(static_cast<std::size_t>(n));
  for (float& x : v)
    x = u(rng);
  return v;
}

// Builds op(variables...) from variables of the given shapes, initializes them and times
// Session::run of the op.
void ours(benchmark::State& state,
          const std::vector<vs::Shape>& shapes,
          const std::function<vs::Tensor(const std::vector<vs::Variable>&)>& build) {
  vs::Graph g;
  std::vector<vs::Variable> vars;
  unsigned seed = 1;
  for (const vs::Shape& s : shapes)
    vars.push_back(g.variable(vs::HostTensor(uniform(s.num_elements(), seed++), s)));
  vs::Operation op = build(vars).op();
  vs::Operation init = g.global_variables_initializer();
  vs::Session sess(g, {.device = vs::DeviceKind::kCpu});
  sess.run(init);
  sess.run(op);
  for (auto _ : state)
    sess.run(op);
}

void BM_Cpu_MatMul_Baseline_oneDNN(benchmark::State& state) {
  const std::int64_t n = state.range(0);
  const auto a = uniform(n * n, 1), b = uniform(n * n, 2);
  std::vector<float> c(a.size());
  for (auto _ : state) {
    dnnl_sgemm('N', 'N', n, n, n, 1.0f, a.data(), n, b.data(), n, 0.0f, c.data(), n);
    benchmark::DoNotOptimize(c.data());
  }
  state.counters["TFLOP/s"] = benchmark::Counter(2.0 * double(n) * double(n) * double(n) * 1e-12,
                                                 benchmark::Counter::kIsIterationInvariantRate);
}
BENCHMARK(BM_Cpu_MatMul_Baseline_oneDNN)
    ->Arg(256)
    ->Arg(512)
    ->Arg(1024)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

// ---- an RNN's per-step products: 20 products x_t · W, [32, 512] · [512, 1024], sharing W ----
// W's rows are 4 KiB apart, which oneDNN 2.6's AVX2 sgemm reads at about half speed
// (docs/kernels.md). Baselines: raw dnnl_sgemm calls on W as a tensor runtime stores it (dense,
// 64-byte aligned), and on W with rows padded by one cache line (what varscope multiplies by).

constexpr std::int64_t kSteps = 20, kBatch = 32;
const std::int64_t kInputs = bench::smoke() ? 64 : 512, kGates = bench::smoke() ? 128 : 1024;

void BM_Cpu_RecurrentProducts_Ours(benchmark::State& state) {
  vs::Graph g;
  const vs::Variable w =
      g.variable(vs::HostTensor(uniform(kInputs * kGates, 1), vs::Shape{kInputs, kGates}));
  std::vector<vs::Operation> products;
  for (std::int64_t t = 0; t < kSteps; ++t) {
    const vs::Variable x = g.variable(vs::HostTensor(
        uniform(kBatch * kInputs, static_cast<unsigned>(t + 2)), vs::Shape{kBatch, kInputs}));
    products.push_back(vs::matmul(x.value(), w.value()).op());
  }
  // The products themselves are the run's targets: unread, a group's control inputs would
  // be dropped as dead steps.
  vs::Session sess(g, {.device = vs::DeviceKind::kCpu});
  sess.run(g.global_variables_initializer());
  sess.run({}, {}, products);
  for (auto _ : state)
    sess.run({}, {}, products);
  state.counters["TFLOP/s"] =
      benchmark::Counter(2.0 * double(kSteps * kBatch * kInputs * kGates) * 1e-12,
                         benchmark::Counter::kIsIterationInvariantRate);
}

void recurrent_products_onednn(benchmark::State& state, std::int64_t w_row_stride) {
  const auto free_aligned = [](float* p) { std::free(p); };
  const auto aligned = [&](std::int64_t n) {  // 64-byte aligned, as tensor runtimes allocate
    const std::size_t bytes = (static_cast<std::size_t>(n) * sizeof(float) + 63) / 64 * 64;
    return std::unique_ptr<float, decltype(free_aligned)>(
        static_cast<float*>(std::aligned_alloc(64, bytes)), free_aligned);
  };
  const auto w = aligned(kInputs * w_row_stride), x = aligned(kSteps * kBatch * kInputs),
             c = aligned(kSteps * kBatch * kGates);
  const auto w_values = uniform(kInputs * kGates, 1),
             x_values = uniform(kSteps * kBatch * kInputs, 2);
  for (std::int64_t r = 0; r < kInputs; ++r)
    std::memcpy(w.get() + r * w_row_stride, w_values.data() + r * kGates, kGates * sizeof(float));
  std::memcpy(x.get(), x_values.data(), x_values.size() * sizeof(float));
  for (auto _ : state) {
    for (std::int64_t t = 0; t < kSteps; ++t) {
      dnnl_sgemm('N', 'N', kBatch, kGates, kInputs, 1.0f, x.get() + t * kBatch * kInputs, kInputs,
                 w.get(), w_row_stride, 0.0f, c.get() + t * kBatch * kGates, kGates);
    }
    benchmark::DoNotOptimize(c.get());
  }
  state.counters["TFLOP/s"] =
      benchmark::Counter(2.0 * double(kSteps * kBatch * kInputs * kGates) * 1e-12,
                         benchmark::Counter::kIsIterationInvariantRate);
}
void BM_Cpu_RecurrentProducts_Baseline_oneDNN(benchmark::State& state) {
  recurrent_products_onednn(state, kGates);
}
void BM_Cpu_RecurrentProducts_Baseline_oneDNNPaddedW(benchmark::State& state) {
  recurrent_products_onednn(state, kGates + 16);
}
BENCHMARK(BM_Cpu_RecurrentProducts_Ours)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_Cpu_RecurrentProducts_Baseline_oneDNN)->Unit(benchmark::kMillisecond)->UseRealTime();
BENCHMARK(BM_Cpu_RecurrentProducts_Baseline_oneDNNPaddedW)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

// ---- add, bias_add, softmax: 1024 x 1024 float32 ----

void BM_Cpu_Add_Ours(benchmark::State& state) {
  const std::int64_t n = state.range(0);
  ours(state, {vs::Shape{n, n}, vs::Shape{n, n}}, [](const auto& v) { return v[0] + v[1]; });
  state.SetBytesProcessed(state.iterations() * n * n * 12);
}
void BM_Cpu_Add_Baseline_PlainLoop(benchmark::State& state) {
  const std::int64_t n = state.range(0);
  const auto x = uniform(n * n, 1), y = uniform(n * n, 2);
  std::vector<float> o(x.size());
  for (auto _ : state) {
    for (std::size_t i = 0; i < o.size(); ++i)
      o[i] = x[i] + y[i];
    benchmark::DoNotOptimize(o.data());
  }
  state.SetBytesProcessed(state.iterations() * n * n * 12);
}
void BM_Cpu_Add_Baseline_Memcpy(benchmark::State& state) {  // moves 2/3 of add's bytes
  const std::int64_t n = state.range(0);
  const auto x = uniform(n * n, 1);
  std::vector<float> o(x.size());
  for (auto _ : state) {
    std::memcpy(o.data(), x.data(), x.size() * sizeof(float));
    benchmark::DoNotOptimize(o.data());
  }
  state.SetBytesProcessed(state.iterations() * n * n * 8);
}

void BM_Cpu_BiasAdd_Ours(benchmark::State& state) {
  const std::int64_t n = state.range(0);
  ours(state, {vs::Shape{n, n}, vs::Shape{n}},
       [](const auto& v) { return vs::bias_add(v[0], v[1]); });
  state.SetBytesProcessed(state.iterations() * n * n * 8);
}
void BM_Cpu_BiasAdd_Baseline_PlainLoop(benchmark::State& state) {
  const std::int64_t n = state.range(0);
  const auto x = uniform(n * n, 1), b = uniform(n, 2);
  std::vector<float> o(x.size());
  for (auto _ : state) {
    for (std::int64_t r = 0; r < n; ++r) {
      for (std::int64_t c = 0; c < n; ++c)
        o[static_cast<std::size_t>(r * n + c)] =
            x[static_cast<std::size_t>(r * n + c)] + b[static_cast<std::size_t>(c)];
    }
    benchmark::DoNotOptimize(o.data());
  }
  state.SetBytesProcessed(state.iterations() * n * n * 8);
}

void BM_Cpu_Softmax_Ours(benchmark::State& state) {
  const std::int64_t n = state.range(0);
  ours(state, {vs::Shape{n, n}}, [](const auto& v) { return vs::softmax(v[0]); });
}
void BM_Cpu_Softmax_Baseline_PlainLoop(benchmark::State& state) {
  const std::int64_t n = state.range(0);
  const auto x = uniform(n * n, 1);
  std::vector<float> o(x.size());
  for (auto _ : state) {
    for (std::int64_t r = 0; r < n; ++r) {
      const float* in = x.data() + r * n;
      float* out = o.data() + r * n;
      const float m = *std::max_element(in, in + n);
      float sum = 0.0f;
      for (std::int64_t c = 0; c < n; ++c)
        sum += out[c] = std::exp(in[c] - m);
      for (std::int64_t c = 0; c < n; ++c)
        out[c] /= sum;
    }
    benchmark::DoNotOptimize(o.data());
  }
}

// ---- tanh and sigmoid: 1024 x 1024 float32 ----

void BM_Cpu_Tanh_Ours(benchmark::State& state) {
  const std::int64_t n = state.range(0);
  ours(state, {vs::Shape{n, n}}, [](const auto& v) { return vs::tanh(v[0]); });
}
void BM_Cpu_Tanh_Baseline_PlainLoop(benchmark::State& state) {
  const std::int64_t n = state.range(0);
  const auto x = uniform(n * n, 1);
  std::vector<float> o(x.size());
  for (auto _ : state) {
    for (std::size_t i = 0; i < x.size(); ++i)
      o[i] = std::tanh(x[i]);
    benchmark::DoNotOptimize(o.data());
  }
}
void BM_Cpu_Sigmoid_Ours(benchmark::State& state) {
  const std::int64_t n = state.range(0);
  ours(state, {vs::Shape{n, n}}, [](const auto& v) { return vs::sigmoid(v[0]); });
}

// ---- reduce_sum: axis 0 and axis 1 of 1024 x 1024, all of 16M ----

void BM_Cpu_ReduceSumAxis0_Ours(benchmark::State& state) {
  const std::int64_t n = state.range(0);
  ours(state, {vs::Shape{n, n}},
       [](const auto& v) { return vs::reduce_sum(v[0], {.axes = std::vector<int>{0}}); });
  state.SetBytesProcessed(state.iterations() * n * n * 4);
}
void BM_Cpu_ReduceSumAxis0_Baseline_PlainLoop(benchmark::State& state) {
  const std::int64_t n = state.range(0);
  const auto x = uniform(n * n, 1);
  std::vector<float> o(static_cast<std::size_t>(n));
  for (auto _ : state) {
    std::fill(o.begin(), o.end(), 0.0f);
    for (std::int64_t r = 0; r < n; ++r) {
      for (std::int64_t c = 0; c < n; ++c)
        o[static_cast<std::size_t>(c)] += x[static_cast<std::size_t>(r * n + c)];
    }
    benchmark::DoNotOptimize(o.data());
  }
  state.SetBytesProcessed(state.iterations() * n * n * 4);
}

void BM_Cpu_ReduceSumAxis1_Ours(benchmark::State& state) {
  const std::int64_t n = state.range(0);
  ours(state, {vs::Shape{n, n}},
       [](const auto& v) { return vs::reduce_sum(v[0], {.axes = std::vector<int>{1}}); });
  state.SetBytesProcessed(state.iterations() * n * n * 4);
}
void BM_Cpu_ReduceSumAxis1_Baseline_PlainLoop(benchmark::State& state) {
  const std::int64_t n = state.range(0);
  const auto x = uniform(n * n, 1);
  std::vector<float> o(static_cast<std::size_t>(n));
  for (auto _ : state) {
    for (std::int64_t r = 0; r < n; ++r) {
      float s = 0.0f;
      for (std::int64_t c = 0; c < n; ++c)
        s += x[static_cast<std::size_t>(r * n + c)];
      o[static_cast<std::size_t>(r)] = s;
    }
    benchmark::DoNotOptimize(o.data());
  }
  state.SetBytesProcessed(state.iterations() * n * n * 4);
}

void BM_Cpu_ReduceSumAll_Ours(benchmark::State& state) {
  const std::int64_t n = state.range(0);
  ours(state, {vs::Shape{n}}, [](const auto& v) { return vs::reduce_sum(v[0]); });
  state.SetBytesProcessed(state.iterations() * n * 4);
}
void BM_Cpu_ReduceSumAll_Baseline_PlainLoop(benchmark::State& state) {
  const std::int64_t n = state.range(0);
  const auto x = uniform(n, 1);
  for (auto _ : state) {
    double s = 0.0;
    for (float v : x)
      s += v;
    benchmark::DoNotOptimize(s);
  }
  state.SetBytesProcessed(state.iterations() * n * 4);
}

#define VS_CPU_ROW(fn, arg) BENCHMARK(fn)->Arg(arg)->Unit(benchmark::kMillisecond)->UseRealTime()
VS_CPU_ROW(BM_Cpu_Add_Ours, kSide);
VS_CPU_ROW(BM_Cpu_Add_Baseline_PlainLoop, kSide);
VS_CPU_ROW(BM_Cpu_Add_Baseline_Memcpy, kSide);
VS_CPU_ROW(BM_Cpu_BiasAdd_Ours, kSide);
VS_CPU_ROW(BM_Cpu_BiasAdd_Baseline_PlainLoop, kSide);
VS_CPU_ROW(BM_Cpu_Softmax_Ours, kSide);
VS_CPU_ROW(BM_Cpu_Softmax_Baseline_PlainLoop, kSide);
VS_CPU_ROW(BM_Cpu_Tanh_Ours, kSide);
VS_CPU_ROW(BM_Cpu_Tanh_Baseline_PlainLoop, kSide);
VS_CPU_ROW(BM_Cpu_Sigmoid_Ours, kSide);
VS_CPU_ROW(BM_Cpu_ReduceSumAxis0_Ours, kSide);
VS_CPU_ROW(BM_Cpu_ReduceSumAxis0_Baseline_PlainLoop, kSide);
VS_CPU_ROW(BM_Cpu_ReduceSumAxis1_Ours, kSide);
VS_CPU_ROW(BM_Cpu_ReduceSumAxis1_Baseline_PlainLoop, kSide);
VS_CPU_ROW(BM_Cpu_ReduceSumAll_Ours, kLong);
VS_CPU_ROW(BM_Cpu_ReduceSumAll_Baseline_PlainLoop, kLong);

}  // namespace
