// One training step (forward, backward, Adam update) on the CPU backend (issue 18): the
// shared two-tower model at batch 64 and an MLP 784-256-256-10 at batch 128 with sparse
// softmax cross-entropy. Baseline in the same binary: the forward pass alone (the loss), so
// the ratio says what backward + update cost on top of it. An embedding step (issue 25): a
// 100000x128 table looked up by 512 ids, its IndexedSlices gradient applied sparsely (as
// TF) beside the same gradient made dense first (varscope's update before issue 25).
#include <benchmark/benchmark.h>
#include <varscope/varscope.h>

#include <functional>
#include <random>
#include <string>
#include <vector>

#include "bench_common.h"

namespace vs = varscope;

namespace {

std::vector<float> normal(std::int64_t n, unsigned seed) {
  std::mt19937 rng(seed);
  std::normal_distribution<float> d;
  std::vector<float> v(static_cast<std::size_t>(n));
  for (float& x : v)
    x = d(rng);
  return v;
}

vs::Tensor dense(
    vs::Graph& g, const vs::Tensor& x, std::int64_t units, bool relu, const char* name) {
  auto scope = g.variable_scope(name);
  const std::int64_t in = x.shape().dim(x.shape().rank() - 1);
  vs::Variable kernel = g.get_variable("kernel", {.shape = vs::Shape{in, units}});
  vs::Variable bias =
      g.get_variable("bias", {.shape = vs::Shape{units}, .initializer = vs::zeros_initializer()});
  vs::Tensor out = vs::bias_add(vs::matmul(x, kernel), bias);
  return relu ? vs::relu(out) : out;
}

struct Model {
  vs::Graph g;
  vs::Tensor loss;
  vs::Operation train_op;
  vs::FeedDict feeds;
  // TF's default gates each op's gradients (Identity + NoOp per op); kNone is the ungated
  // graph, to show what the gating costs a step.
  vs::train::Optimizer::Gate gate = vs::train::Optimizer::Gate::kOp;
};

void two_tower(Model& m) {
  const std::int64_t batch = bench::smoke() ? 8 : 64;
  vs::Graph& g = m.g;
  auto xa = vs::placeholder(g, vs::DType::kFloat32, vs::Shape{vs::kUnknownDim, 8}, "xa");
  auto xb = vs::placeholder(g, vs::DType::kFloat32, vs::Shape{vs::kUnknownDim, 8}, "xb");
  auto y = vs::placeholder(g, vs::DType::kFloat32, vs::Shape{vs::kUnknownDim, 1}, "y");
  auto tower = [&](const vs::Tensor& x) {
    auto scope = g.variable_scope("tower", {.reuse = vs::Reuse::kAuto});
    return dense(g, dense(g, x, 16, true, "dense1"), 1, false, "dense2");
  };
  m.loss = vs::reduce_mean(vs::square(tower(xa) - tower(xb) - y));
  m.train_op = vs::train::AdamOptimizer(0.01).minimize(
      m.loss, vs::train::get_or_create_global_step(g), {}, {}, m.gate);
  m.feeds = {{xa, vs::HostTensor(normal(batch * 8, 1), vs::Shape{batch, 8})},
             {xb, vs::HostTensor(normal(batch * 8, 2), vs::Shape{batch, 8})},
             {y, vs::HostTensor(normal(batch, 3), vs::Shape{batch, 1})}};
}

void mlp(Model& m) {
  const std::int64_t batch = bench::smoke() ? 8 : 128;
  vs::Graph& g = m.g;
  auto x = vs::placeholder(g, vs::DType::kFloat32, vs::Shape{vs::kUnknownDim, 784}, "x");
  auto labels = vs::placeholder(g, vs::DType::kInt32, vs::Shape{vs::kUnknownDim}, "labels");
  vs::Tensor h = dense(g, dense(g, x, 256, true, "dense1"), 256, true, "dense2");
  vs::Tensor logits = dense(g, h, 10, false, "logits");
  m.loss = vs::reduce_mean(vs::sparse_softmax_cross_entropy_with_logits(labels, logits));
  m.train_op = vs::train::AdamOptimizer(0.001).minimize(m.loss, {}, {}, {}, m.gate);
  std::vector<std::int32_t> ids(static_cast<std::size_t>(batch));
  for (std::size_t i = 0; i < ids.size(); ++i)
    ids[i] = static_cast<std::int32_t>(i % 10);
  m.feeds = {{x, vs::HostTensor(normal(batch * 784, 4), vs::Shape{batch, 784})},
             {labels, vs::HostTensor(ids, vs::Shape{batch})}};
}

void run(benchmark::State& state,
         const std::function<void(Model&)>& build,
         bool train,
         vs::train::Optimizer::Gate gate = vs::train::Optimizer::Gate::kOp) {
  Model m;
  m.gate = gate;
  build(m);
  vs::Session sess(m.g, {.device = vs::DeviceKind::kCpu});
  sess.run(m.g.global_variables_initializer());
  for (auto _ : state) {
    if (train) {
      sess.run({}, m.feeds, {m.train_op});
    } else {
      benchmark::DoNotOptimize(sess.run(m.loss, m.feeds));
    }
  }
}

void BM_TwoTowerTrainStep(benchmark::State& s) {
  run(s, two_tower, true);
}
void BM_TwoTowerTrainStepUngated(benchmark::State& s) {
  run(s, two_tower, true, vs::train::Optimizer::Gate::kNone);
}
void BM_TwoTowerForwardBaseline(benchmark::State& s) {
  run(s, two_tower, false);
}
void BM_MlpTrainStep(benchmark::State& s) {
  run(s, mlp, true);
}
void BM_MlpTrainStepUngated(benchmark::State& s) {
  run(s, mlp, true, vs::train::Optimizer::Gate::kNone);
}
void BM_MlpForwardBaseline(benchmark::State& s) {
  run(s, mlp, false);
}

// Graph construction: minimize (gradients, slots, updates) over many variables, beside
// building the forward graph alone.
vs::Tensor many_variables(vs::Graph& g, int n) {
  std::vector<vs::Tensor> terms;
  for (int i = 0; i < n; ++i) {
    std::string name = std::to_string(i);
    name.insert(name.begin(), 'v');  // not "v" + ...: GCC 12's -Wrestrict false positive
    vs::Variable v = g.get_variable(name, {.shape = vs::Shape{4}});
    terms.push_back(vs::reduce_sum(vs::square(v)));
  }
  return vs::add_n(terms);
}

void BM_Minimize1000VariablesBuild(benchmark::State& state) {
  const int n = bench::smoke() ? 10 : 1000;
  for (auto _ : state) {
    vs::Graph g;
    vs::Tensor loss = many_variables(g, n);
    vs::train::AdamOptimizer opt(0.01);
    benchmark::DoNotOptimize(opt.minimize(loss));
  }
}
void BM_Minimize1000VariablesForwardBaseline(benchmark::State& state) {
  const int n = bench::smoke() ? 10 : 1000;
  for (auto _ : state) {
    vs::Graph g;
    benchmark::DoNotOptimize(many_variables(g, n));
  }
}

// loss = sum(lookup(table, ids)^2) over `batch` ids (repeating, as a batch's do); the
// gradient applied as compute_gradients gives it (sparse) or converted to a dense tensor.
template <class Opt>
void embedding_step(benchmark::State& state, bool sparse) {
  const std::int64_t rows = bench::smoke() ? 1000 : 100000, dim = 128, batch = 512;
  vs::Graph g;
  vs::Variable table = g.get_variable("table", {.shape = vs::Shape{rows, dim}});
  std::mt19937 rng(7);
  std::uniform_int_distribution<std::int32_t> id(0, static_cast<std::int32_t>(rows / 8));
  std::vector<std::int32_t> ids(batch);
  for (std::int32_t& i : ids)
    i = id(rng);
  const vs::Tensor fed = vs::placeholder(g, vs::DType::kInt32, vs::Shape{batch}, "ids");
  const vs::Tensor loss = vs::reduce_sum(vs::square(vs::embedding_lookup(table, fed)));
  Opt opt(0.01);
  std::vector<vs::train::GradAndVar> grads = opt.compute_gradients(loss);
  if (!sparse) grads[0].first = vs::to_dense(grads[0].first.indexed_slices());
  const vs::Operation train = opt.apply_gradients(grads);
  vs::Session sess(g, {.device = vs::DeviceKind::kCpu});
  sess.run(g.global_variables_initializer());
  const vs::FeedDict feeds{{fed, vs::HostTensor(ids, vs::Shape{batch})}};
  for (auto _ : state)
    sess.run({}, feeds, {train});
}
void BM_EmbeddingSgdStepSparse(benchmark::State& s) {
  embedding_step<vs::train::GradientDescentOptimizer>(s, true);
}
void BM_EmbeddingSgdStepDense(benchmark::State& s) {
  embedding_step<vs::train::GradientDescentOptimizer>(s, false);
}
void BM_EmbeddingAdamStepSparse(benchmark::State& s) {
  embedding_step<vs::train::AdamOptimizer>(s, true);
}
void BM_EmbeddingAdamStepDense(benchmark::State& s) {
  embedding_step<vs::train::AdamOptimizer>(s, false);
}

}  // namespace

BENCHMARK(BM_EmbeddingSgdStepSparse)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_EmbeddingSgdStepDense)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_EmbeddingAdamStepSparse)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_EmbeddingAdamStepDense)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_Minimize1000VariablesBuild)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_Minimize1000VariablesForwardBaseline)->Unit(benchmark::kMillisecond);
BENCHMARK(BM_TwoTowerTrainStep)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_TwoTowerTrainStepUngated)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_TwoTowerForwardBaseline)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_MlpTrainStep)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_MlpTrainStepUngated)->Unit(benchmark::kMicrosecond);
BENCHMARK(BM_MlpForwardBaseline)->Unit(benchmark::kMicrosecond);
