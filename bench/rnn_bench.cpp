// Issue 25: a 2-layer LSTM (BasicLSTMCell, 256 units, 256 input features, batch 32, 20 time
// steps, static_rnn, a dense layer to 10 classes) trained by Adam: one training step on fed
// inputs, and building that graph with its optimizer. No in-binary baseline: PyTorch
// (nn.LSTM) and TF (BasicLSTMCell, static_rnn) run the same model in tools/peers.py.
#include <benchmark/benchmark.h>
#include <varscope/varscope.h>

#include <cstdint>
#include <memory>
#include <random>
#include <vector>

#include "bench_common.h"

namespace vs = varscope;
namespace rnn = vs::nn::rnn_cell;

namespace {

const std::int64_t kUnits = bench::smoke() ? 8 : 256;
const std::int64_t kBatch = bench::smoke() ? 2 : 32;
const int kSteps = bench::smoke() ? 3 : 20;
constexpr std::int64_t kClasses = 10;

struct LstmModel {
  std::vector<vs::Tensor> inputs;
  vs::Tensor labels;
  vs::Operation train_op;
};

LstmModel build_lstm(vs::Graph& g) {
  LstmModel m;
  for (int t = 0; t < kSteps; ++t)
    m.inputs.push_back(vs::placeholder(g, vs::DType::kFloat32, vs::Shape{kBatch, kUnits}));
  m.labels = vs::placeholder(g, vs::DType::kInt32, vs::Shape{kBatch});
  rnn::MultiRNNCell cell(
      {std::make_shared<rnn::BasicLSTMCell>(kUnits), std::make_shared<rnn::BasicLSTMCell>(kUnits)});
  const vs::nn::RnnOutputs out = vs::nn::static_rnn(cell, m.inputs, {.dtype = vs::DType::kFloat32});
  const vs::Tensor logits = vs::layers::dense(out.outputs.back(), kClasses);
  const vs::Tensor loss =
      vs::reduce_mean(vs::sparse_softmax_cross_entropy_with_logits(m.labels, logits));
  m.train_op = vs::train::AdamOptimizer(0.001).minimize(loss);
  return m;
}

void BM_Cpu_LstmTrainStep_Ours(benchmark::State& state) {
  vs::Graph g;
  g.set_random_seed(25);
  const LstmModel m = build_lstm(g);
  std::mt19937 rng(25);
  std::uniform_real_distribution<float> feature(0.0f, 1.0f);
  std::uniform_int_distribution<std::int32_t> label(0, kClasses - 1);
  vs::FeedDict feeds;
  for (const vs::Tensor& x : m.inputs) {
    std::vector<float> v(static_cast<std::size_t>(kBatch * kUnits));
    for (float& f : v)
      f = feature(rng);
    feeds.emplace_back(x, vs::HostTensor(v, vs::Shape{kBatch, kUnits}));
  }
  std::vector<std::int32_t> classes(static_cast<std::size_t>(kBatch));
  for (std::int32_t& c : classes)
    c = label(rng);
  feeds.emplace_back(m.labels, vs::HostTensor(classes, vs::Shape{kBatch}));
  vs::Session sess(g, {.device = vs::DeviceKind::kCpu});
  sess.run(g.global_variables_initializer());
  sess.run({}, feeds, {m.train_op});
  for (auto _ : state)
    sess.run({}, feeds, {m.train_op});
}
BENCHMARK(BM_Cpu_LstmTrainStep_Ours)->Unit(benchmark::kMillisecond)->UseRealTime();

// The graph and its gradient and Adam nodes, from an empty graph (TF: a new tf.Graph).
void BM_Cpu_LstmBuildGraph_Ours(benchmark::State& state) {
  for (auto _ : state) {
    vs::Graph g;
    benchmark::DoNotOptimize(build_lstm(g).train_op);
  }
}
BENCHMARK(BM_Cpu_LstmBuildGraph_Ours)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
