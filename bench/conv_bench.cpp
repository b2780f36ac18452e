// conv2d 3x3, 64 -> 64 channels, 56x56, batch 8, float32 NHWC on the CPU: through a Session
// (the op's oneDNN primitive, kept with the plan) beside the same oneDNN primitives called
// by hand, forward and forward + backward (data and filter gradients). Ratio: baseline time
// over ours. The inputs are variables, so no feed or fetch copies are timed.
// Also one training step of a small MNIST-shaped CNN (no in-binary baseline: PyTorch and TF
// run the same model in tools/peers.py).
#include <benchmark/benchmark.h>
#include <varscope/varscope.h>

#include <cmath>
#include <cstdint>
#include <dnnl.hpp>
#include <random>
#include <vector>

#include "bench_common.h"

namespace vs = varscope;

namespace {

const std::int64_t kBatch = bench::smoke() ? 1 : 8;
const std::int64_t kSide = bench::smoke() ? 8 : 56;
constexpr std::int64_t kChannels = 64;

std::vector<float> values(std::int64_t n, double phase) {
  std::vector<float> v(static_cast<std::size_t>(n));
  for (std::size_t i = 0; i < v.size(); ++i)
    v[i] = static_cast<float>(std::sin(0.37 * double(i) + phase));
  return v;
}

void set_flops(benchmark::State& state, double passes) {
  const double flops = 2.0 * double(kBatch * kSide * kSide) * kChannels * kChannels * 9 * passes;
  state.counters["GFLOP/s"] =
      benchmark::Counter(flops * 1e-9, benchmark::Counter::kIsIterationInvariantRate);
}

void BM_Cpu_Conv2D_Ours(benchmark::State& state) {
  const bool backward = state.range(0) != 0;
  vs::Graph g;
  const vs::Shape xs{kBatch, kSide, kSide, kChannels}, ws{3, 3, kChannels, kChannels};
  vs::Variable x = g.variable(vs::HostTensor(values(xs.num_elements(), 0), xs));
  vs::Variable w = g.variable(vs::HostTensor(values(ws.num_elements(), 1), ws));
  const vs::Tensor y = vs::conv2d(x.value(), w.value(), {1, 1}, "SAME");
  // The gradients of a linear op do not need its output: y is a target of its own, so that
  // forward + backward runs both as the baseline does.
  std::vector<vs::Operation> targets{y.op()};
  if (backward) {
    for (const vs::Tensor& d : vs::gradients({y}, {x.value(), w.value()}))
      targets.push_back(d.op());
  }
  vs::Session sess(g, {.device = vs::DeviceKind::kCpu});
  sess.run(g.global_variables_initializer());
  sess.run({}, {}, targets);
  for (auto _ : state)
    sess.run({}, {}, targets);
  set_flops(state, backward ? 3 : 1);
}
BENCHMARK(BM_Cpu_Conv2D_Ours)->Arg(0)->Arg(1)->Unit(benchmark::kMillisecond)->UseRealTime();

// oneDNN by hand: NHWC activations, the weights in the layout the primitive picks (reordered
// once, outside the loop: the best case for the baseline).
void BM_Cpu_Conv2D_Baseline_oneDNN(benchmark::State& state) {
  using dnnl::memory;
  const bool backward = state.range(0) != 0;
  const dnnl::engine eng(dnnl::engine::kind::cpu, 0);
  dnnl::stream stream(eng);
  const memory::dims act{kBatch, kChannels, kSide, kSide}, wd{kChannels, kChannels, 3, 3};
  const memory::desc x_md(act, memory::data_type::f32, memory::format_tag::nhwc);
  const memory::desc w_any(wd, memory::data_type::f32, memory::format_tag::any);
  const memory::desc w_user(wd, memory::data_type::f32, memory::format_tag::hwio);
  const memory::dims strides{1, 1}, dil{0, 0}, pad{1, 1};
  const dnnl::convolution_forward::primitive_desc fwd(
      dnnl::convolution_forward::desc(dnnl::prop_kind::forward_training,
                                      dnnl::algorithm::convolution_direct, x_md, w_any, x_md,
                                      strides, dil, pad, pad),
      eng);
  auto xv = values(kBatch * kSide * kSide * kChannels, 0),
       wv = values(9 * kChannels * kChannels, 1);
  std::vector<float> yv(xv.size()), dxv(xv.size()), dwv(wv.size());
  memory x(x_md, eng, xv.data()), y(x_md, eng, yv.data()), dx(x_md, eng, dxv.data());
  memory w_plain(w_user, eng, wv.data()), dw_plain(w_user, eng, dwv.data());
  memory w(fwd.weights_desc(), eng);
  dnnl::reorder(w_plain, w).execute(stream, w_plain, w);
  const dnnl::convolution_forward conv(fwd);
  const dnnl::convolution_backward_data::primitive_desc bd(
      dnnl::convolution_backward_data::desc(dnnl::algorithm::convolution_direct, x_md, w_any, x_md,
                                            strides, dil, pad, pad),
      eng, fwd);
  const dnnl::convolution_backward_weights::primitive_desc bw(
      dnnl::convolution_backward_weights::desc(dnnl::algorithm::convolution_direct, x_md, w_any,
                                               x_md, strides, dil, pad, pad),
      eng, fwd);
  memory w_bd(bd.weights_desc(), eng), dw(bw.diff_weights_desc(), eng);
  dnnl::reorder(w_plain, w_bd).execute(stream, w_plain, w_bd);
  const dnnl::convolution_backward_data conv_bd(bd);
  const dnnl::convolution_backward_weights conv_bw(bw);
  for (auto _ : state) {
    conv.execute(stream, {{DNNL_ARG_SRC, x}, {DNNL_ARG_WEIGHTS, w}, {DNNL_ARG_DST, y}});
    if (backward) {
      // y stands in for dy: the same shape, and no extra pass over memory.
      conv_bd.execute(stream,
                      {{DNNL_ARG_DIFF_DST, y}, {DNNL_ARG_WEIGHTS, w_bd}, {DNNL_ARG_DIFF_SRC, dx}});
      conv_bw.execute(stream,
                      {{DNNL_ARG_SRC, x}, {DNNL_ARG_DIFF_DST, y}, {DNNL_ARG_DIFF_WEIGHTS, dw}});
      dnnl::reorder(dw, dw_plain).execute(stream, dw, dw_plain);
    }
    stream.wait();
  }
  set_flops(state, backward ? 3 : 1);
}
BENCHMARK(BM_Cpu_Conv2D_Baseline_oneDNN)
    ->Arg(0)
    ->Arg(1)
    ->Unit(benchmark::kMillisecond)
    ->UseRealTime();

// One Adam step of conv2d(32, 3x3, same, relu) -> max_pool 2 -> conv2d(64, 3x3, same, relu)
// -> max_pool 2 -> flatten -> dense(128, relu) -> dense(10) -> mean sparse softmax
// cross-entropy, on a fed batch of 64 28x28x1 images (the feed is timed, as the peers' is).
void BM_Cpu_CnnTrainStep_Ours(benchmark::State& state) {
  namespace layers = vs::layers;
  const std::int64_t batch = bench::smoke() ? 4 : 64;
  vs::Graph g;
  g.set_random_seed(24);
  const vs::Tensor images =
      vs::placeholder(g, vs::DType::kFloat32, vs::Shape{batch, 28, 28, 1}, "images");
  const vs::Tensor labels = vs::placeholder(g, vs::DType::kInt32, vs::Shape{batch}, "labels");
  vs::Tensor net = layers::conv2d(images, 32, 3, {.padding = "same", .activation = vs::relu});
  net = layers::max_pooling2d(net, 2, 2);
  net = layers::conv2d(net, 64, 3, {.padding = "same", .activation = vs::relu});
  net = layers::max_pooling2d(net, 2, 2);
  net = layers::dense(layers::flatten(net), 128, {.activation = vs::relu});
  const vs::Tensor logits = layers::dense(net, 10);
  const vs::Tensor loss =
      vs::reduce_mean(vs::sparse_softmax_cross_entropy_with_logits(labels, logits));
  const vs::Operation train_op = vs::train::AdamOptimizer(0.001).minimize(loss);
  std::mt19937 rng(24);
  std::uniform_int_distribution<std::int32_t> digit(0, 9);
  std::vector<std::int32_t> classes(static_cast<std::size_t>(batch));
  for (std::int32_t& c : classes)
    c = digit(rng);
  const vs::FeedDict feeds{
      {images, vs::HostTensor(values(batch * 28 * 28, 2), vs::Shape{batch, 28, 28, 1})},
      {labels, vs::HostTensor(classes, vs::Shape{batch})}};
  vs::Session sess(g, {.device = vs::DeviceKind::kCpu});
  sess.run(g.global_variables_initializer());
  sess.run({}, feeds, {train_op});
  for (auto _ : state)
    sess.run({}, feeds, {train_op});
}
BENCHMARK(BM_Cpu_CnnTrainStep_Ours)->Unit(benchmark::kMillisecond)->UseRealTime();

}  // namespace
