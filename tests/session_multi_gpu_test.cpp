// CUDA sessions of several GPUs (issue 27: device_count {"GPU": n}) without a GPU: the
// session's dispatch driven with one fake CUDA backend per GPU (fake_gpus.h). Each step runs
// on its device's backend and is handed only that backend's memory, variables live on
// their op's device, a value crossing GPUs is copied on the destination after an event of
// the source (and the source then waits for the copy), graphs fall back to plain launches,
// and towers on two GPUs train to the variables of one device, bit for bit.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "fake_gpus.h"
#include "host/runtime/session_impl.h"
#include "test_util.h"
#include "towers_model.h"
#include "varscope/dist.h"
#include "varscope/varscope.h"

namespace vs = varscope;
namespace d = varscope::detail;

namespace {

const std::string kGpu = "/job:localhost/replica:0/task:0/device:GPU:";

// A CUDA session of `n` fake GPUs, driven through SessionImpl.
class Gpus {
 public:
  Gpus(const vs::Graph& g, int n, std::map<std::string, int> device_count, bool graphs = false)
      : log(std::make_shared<fake_gpus::Log>()),
        impl(d::Access::impl(g), fake_gpus::make(n, log, &gpu), graphs, device_count) {}

  std::vector<vs::HostTensor> run(const std::vector<vs::Tensor>& fetches,
                                  const vs::FeedDict& feeds = {},
                                  const std::vector<vs::Operation>& targets = {}) {
    std::vector<d::TensorRef> refs;
    for (const vs::Tensor& t : fetches)
      refs.push_back(d::Access::ref(t));
    d::SessionImpl::Feeds feed_refs;
    for (const auto& [t, value] : feeds)
      feed_refs.emplace_back(d::Access::ref(t), value);
    std::vector<int> ids;
    for (const vs::Operation& op : targets)
      ids.push_back(op.id());
    log->calls.clear();
    return impl.run(refs, feed_refs, ids);
  }
  // The calls logged by the last run that contain `what`, in order.
  std::vector<std::string> calls(const std::string& what) const {
    std::vector<std::string> out;
    for (const std::string& c : log->calls) {
      if (c.find(what) != std::string::npos) out.push_back(c);
    }
    return out;
  }
  // Whether the call at `copy` sits between `from` recording an event that `to` waits for
  // and `to` recording one that `from` waits for.
  bool ordered_copy(std::ptrdiff_t copy, const std::string& from, const std::string& to) const {
    const auto at = [&](std::ptrdiff_t i) {
      return i >= 0 && static_cast<std::size_t>(i) < log->calls.size()
                 ? log->calls[static_cast<std::size_t>(i)]
                 : std::string();
    };
    const auto event = [](const std::string& call) { return call.substr(call.rfind(' ') + 1); };
    const std::string before = at(copy - 2), wait = at(copy - 1);
    const std::string after = at(copy + 1), back = at(copy + 2);
    return before.starts_with(from + " record ") && wait == to + " wait " + event(before) &&
           after.starts_with(to + " record ") && back == from + " wait " + event(after);
  }
  // The index of the first `call` in the log from `from` on, or -1.
  std::ptrdiff_t find(const std::string& call, std::ptrdiff_t from = 0) const {
    for (auto i = static_cast<std::size_t>(from); i < log->calls.size(); ++i) {
      if (log->calls[i] == call) return static_cast<std::ptrdiff_t>(i);
    }
    return -1;
  }

  std::shared_ptr<fake_gpus::Log> log;
  std::vector<fake_gpus::FakeGpu*> gpu;
  d::SessionImpl impl;
};

TEST(SessionMultiGpu, EachGpuOfTheCountIsADevice) {
  vs::Graph g;
  {
    Gpus two(g, 2, {{"GPU", 2}});
    EXPECT_EQ(two.impl.placer.names().size(), 3u);
    EXPECT_EQ(two.impl.placer.names()[2], kGpu + "1");
    // Direct copies are set up both ways.
    EXPECT_EQ(two.log->calls,
              (std::vector<std::string>{"gpu0 allow_peer fake gpu1", "gpu1 allow_peer fake gpu0"}));
  }
  // As TF: asking for more GPUs than there are gives those there are; an op on a missing one
  // fails placement with TF's error.
  vs::Tensor far;
  {
    auto on = g.device("/gpu:3");
    far = vs::constant(g, vs::HostTensor(1.0f), {.name = "far"});
  }
  Gpus asked_four(g, 2, {{"GPU", 4}});
  EXPECT_EQ(asked_four.impl.placer.names(),
            (std::vector<std::string>{"/job:localhost/replica:0/task:0/device:CPU:0", kGpu + "0",
                                      kGpu + "1"}));
  EXPECT_EQ(
      vs::testing::error_of<vs::InvalidArgumentError>([&] { asked_four.run({far}); }),
      "Cannot assign a device for operation far: node far was explicitly assigned to "
      "/device:GPU:3 but available devices are [ /job:localhost/replica:0/task:0/device:CPU:0, " +
          kGpu + "0, " + kGpu +
          "1 ]. Make sure the device specification refers to a valid device.\n\t [[far]]");
  // The default count is one GPU, whatever the backends.
  EXPECT_EQ(Gpus(g, 2, {}).impl.placer.names().size(), 2u);
}

TEST(SessionMultiGpu, AValueCrossingGpusIsCopiedAfterAnEventOfItsSource) {
  vs::Graph g;
  vs::Tensor a, b;
  {
    auto on = g.device("/gpu:0");
    a = vs::constant(g, vs::HostTensor(std::vector<float>{1, 2, 3}, vs::Shape{3}), {.name = "a"});
  }
  {
    auto on = g.device("/gpu:1");
    b = vs::tanh(a);
  }
  Gpus s(g, 2, {{"GPU", 2}});
  const vs::HostTensor got = s.run({b}).at(0);
  EXPECT_FLOAT_EQ(got.data<float>()[2], std::tanh(3.0f));
  EXPECT_EQ(s.calls("FOREIGN"), std::vector<std::string>{});
  // a is made on gpu0, tanh runs on gpu1, the result is read back from gpu1.
  EXPECT_EQ(s.calls("copy_from_host"), std::vector<std::string>{"gpu0 copy_from_host"});
  EXPECT_EQ(s.calls("unary"), std::vector<std::string>{"gpu1 unary"});
  EXPECT_EQ(s.calls("copy_to_host"), std::vector<std::string>{"gpu1 copy_to_host"});
  // The copy: gpu1 waits for an event of gpu0, copies, and gpu0 waits for the copy.
  const std::ptrdiff_t copy = s.find("gpu1 copy_peer");
  ASSERT_GE(copy, 2) << ::testing::PrintToString(s.log->calls);
  EXPECT_TRUE(s.ordered_copy(copy, "gpu0", "gpu1")) << ::testing::PrintToString(s.log->calls);
  EXPECT_GT(copy, s.find("gpu0 copy_from_host"));
  EXPECT_GT(s.find("gpu1 unary"), copy);
  // The run's work on gpu1 comes after gpu0's so far, and gpu0 then waits for all of it.
  EXPECT_EQ(s.log->calls.at(0), "gpu0 record e1");
  EXPECT_EQ(s.log->calls.at(1), "gpu1 wait e1");
  const std::ptrdiff_t join = s.find("gpu1 record e4");
  EXPECT_GT(join, s.find("gpu1 unary"));
  EXPECT_EQ(s.find("gpu0 wait e4"), join + 1);
  EXPECT_EQ(s.calls("copy_peer").size(), 1u);
  // No host wait orders the copy: the run synchronizes once at its end, each GPU.
  EXPECT_EQ(s.calls("synchronize"),
            (std::vector<std::string>{"gpu0 synchronize", "gpu1 synchronize"}));
}

TEST(SessionMultiGpu, VariablesLiveOnTheirOpsDevice) {
  vs::Graph g;
  vs::Variable w;
  {
    auto on = g.device("/gpu:1");
    w = g.get_variable("w", {.shape = vs::Shape{2}, .initializer = vs::ones_initializer()});
  }
  const vs::Tensor y = w * 3.0;  // no device: GPU:0
  Gpus s(g, 2, {{"GPU", 2}});
  s.run({}, {}, {g.global_variables_initializer()});
  EXPECT_TRUE(s.gpu[1]->owns(s.impl.storage(w.id()).data.get()));
  EXPECT_EQ(&s.impl.variable_backend(w.id()), s.gpu[1]);
  // The initializer runs beside its variable: nothing crosses.
  EXPECT_EQ(s.calls("copy_peer"), std::vector<std::string>{});
  EXPECT_EQ(s.calls("FOREIGN"), std::vector<std::string>{});
  EXPECT_EQ(s.run({y}).at(0).data<float>()[1], 3.0f);
  EXPECT_EQ(s.calls("copy_peer"), std::vector<std::string>{"gpu0 copy_peer"});
  EXPECT_EQ(s.calls("binary"), std::vector<std::string>{"gpu0 binary"});
  EXPECT_EQ(s.calls("FOREIGN"), std::vector<std::string>{});
}

TEST(SessionMultiGpu, FeedsGoToTheirTensorsDevice) {
  vs::Graph g;
  vs::Tensor x, y;
  {
    auto on = g.device("/gpu:1");
    x = vs::placeholder(g, vs::DType::kFloat32, vs::Shape{2}, "x");
    y = vs::tanh(x);
  }
  Gpus s(g, 2, {{"GPU", 2}});
  const vs::HostTensor value(std::vector<float>{0.5f, 1.0f}, vs::Shape{2});
  EXPECT_FLOAT_EQ(s.run({y}, {{x, value}}).at(0).data<float>()[0], std::tanh(0.5f));
  EXPECT_EQ(s.calls("copy_from_host"), std::vector<std::string>{"gpu1 copy_from_host"});
  EXPECT_EQ(s.calls("copy_peer"), std::vector<std::string>{});
  EXPECT_EQ(s.calls("FOREIGN"), std::vector<std::string>{});
}

// The caller's device buffers are stream() memory: GPU:0's. A feed of a GPU:1 tensor is
// copied there, a fetch of one copied back, each after an event, never a host wait.
TEST(SessionMultiGpu, DeviceViewsAreGpu0MemoryCopiedAcrossWithEvents) {
  vs::Graph g;
  vs::Tensor x, y;
  {
    auto on = g.device("/gpu:1");
    x = vs::placeholder(g, vs::DType::kFloat32, vs::Shape{2}, "x");
    y = vs::tanh(x);
  }
  Gpus s(g, 2, {{"GPU", 2}});
  auto* in = static_cast<float*>(s.gpu[0]->allocate(8));
  auto* out = static_cast<float*>(s.gpu[0]->allocate(8));
  in[0] = 0.25f;
  in[1] = -1.0f;
  s.log->calls.clear();
  s.impl.run_async({d::Access::ref(y)}, {{out, vs::DType::kFloat32, vs::Shape{2}}},
                   {{d::Access::ref(x), {in, vs::DType::kFloat32, vs::Shape{2}}}}, {});
  EXPECT_FLOAT_EQ(out[1], std::tanh(-1.0f));
  EXPECT_EQ(s.calls("copy_peer"), (std::vector<std::string>{"gpu1 copy_peer", "gpu0 copy_peer"}));
  EXPECT_TRUE(s.ordered_copy(s.find("gpu1 copy_peer"), "gpu0", "gpu1"))
      << ::testing::PrintToString(s.log->calls);
  EXPECT_TRUE(s.ordered_copy(s.find("gpu0 copy_peer"), "gpu1", "gpu0"))
      << ::testing::PrintToString(s.log->calls);
  EXPECT_EQ(s.calls("synchronize"), std::vector<std::string>{});
  EXPECT_EQ(s.calls("FOREIGN"), std::vector<std::string>{});
  s.gpu[0]->deallocate(in);
  s.gpu[0]->deallocate(out);
}

// Horovod's model is a process per GPU: one session's allreduces on two GPUs, fused into one
// call, are refused before anything runs (E290).
TEST(SessionMultiGpu, CollectivesOnTwoGpusAreRefused) {
  vs::Graph g;
  vs::Tensor a, b;
  {
    auto on = g.device("/gpu:0");
    a = vs::dist::allreduce(vs::constant(g, vs::HostTensor(1.0f), {.name = "a"}));
  }
  {
    auto on = g.device("/gpu:1");
    b = vs::dist::allreduce(vs::constant(g, vs::HostTensor(2.0f), {.name = "b"}));
  }
  Gpus s(g, 2, {{"GPU", 2}});
  EXPECT_EQ(vs::testing::error_of<vs::UnimplementedError>([&] {
              s.run({a, b});
            }),
            "HorovodAllreduce_b_0 on " + kGpu + "1 and HorovodAllreduce_a_0 on " + kGpu +
                "0: varscope runs a session's Horovod collectives on one GPU (Horovod's model "
                "is one process per GPU)");
  EXPECT_EQ(s.calls("gpu"), std::vector<std::string>{});  // nothing ran
}

TEST(SessionMultiGpu, CudaGraphsFallBackToPlainLaunches) {
  vs::Graph g;
  vs::Tensor y;
  {
    auto on = g.device("/gpu:1");
    y = vs::tanh(vs::constant(g, vs::HostTensor(0.5f)));
  }
  Gpus s(g, 2, {{"GPU", 2}}, /*graphs=*/true);
  EXPECT_EQ(std::count(s.log->calls.begin(), s.log->calls.end(), "gpu0 enable_graphs"), 0);
  for (int i = 0; i < 3; ++i)
    EXPECT_FLOAT_EQ(s.run({y}).at(0).data<float>()[0], std::tanh(0.5f));
  EXPECT_EQ(s.calls("gpu1 unary").size(), 1u);  // the third run launched it too
  EXPECT_EQ(s.impl.graph_launches, 0u);
  // One fake GPU: the same option records (the stand-in's enable_graphs is called).
  Gpus one(g, 1, {{"GPU", 1}}, /*graphs=*/true);
  EXPECT_EQ(one.log->calls, std::vector<std::string>{"gpu0 enable_graphs"});
}

struct Trained {
  std::vector<vs::HostTensor> values;
  float loss = 0;
};

template <class Run>
Trained train_towers(vs::Graph& g, const examples::Towers& t, Run&& run) {
  std::mt19937 rng(11);
  std::normal_distribution<float> normal;
  std::vector<float> x(16 * 8), y(16);
  for (float& v : x)
    v = normal(rng);
  for (float& v : y)
    v = normal(rng);
  const vs::FeedDict feeds{{t.x, vs::HostTensor(x, vs::Shape{16, 8})},
                           {t.y, vs::HostTensor(y, vs::Shape{16, 1})}};
  run(std::vector<vs::Tensor>{}, vs::FeedDict{},
      std::vector<vs::Operation>{g.global_variables_initializer()});
  for (int i = 0; i < 10; ++i)
    run(std::vector<vs::Tensor>{}, feeds, std::vector<vs::Operation>{t.train});
  Trained r;
  r.loss = run(std::vector<vs::Tensor>{t.loss}, feeds, std::vector<vs::Operation>{})
               .at(0)
               .template data<float>()[0];
  for (const vs::Variable& v : g.global_variables())
    r.values.push_back(
        run(std::vector<vs::Tensor>{v.op().output(0)}, vs::FeedDict{}, std::vector<vs::Operation>{})
            .at(0));
  return r;
}

// TF's cifar10_multi_gpu_train pattern on two GPUs: the same variables, bit for bit, as one
// CPU device; no kernel is handed another GPU's memory.
TEST(SessionMultiGpu, TowersOnTwoGpusTrainLikeOneDevice) {
  vs::Graph two_g;
  two_g.set_random_seed(5);
  const examples::Towers two_t = examples::build_towers(two_g, {"/gpu:0", "/gpu:1"});
  Gpus gpus(two_g, 2, {{"GPU", 2}});
  bool foreign = false;
  std::size_t copies = 0;
  const Trained two = train_towers(two_g, two_t, [&](auto fetches, auto feeds, auto targets) {
    auto out = gpus.run(fetches, feeds, targets);
    foreign = foreign || !gpus.calls("FOREIGN").empty();
    copies += gpus.calls("copy_peer").size();
    return out;
  });
  EXPECT_FALSE(foreign);
  EXPECT_GT(copies, 0u);

  vs::Graph one_g;
  one_g.set_random_seed(5);
  const examples::Towers one_t = examples::build_towers(one_g, {"/cpu:0", "/cpu:0"});
  vs::Session one_s(one_g, {.device = vs::DeviceKind::kCpu});
  const Trained one = train_towers(one_g, one_t, [&](auto fetches, auto feeds, auto targets) {
    return one_s.run(fetches, feeds, targets);
  });
  EXPECT_EQ(two.loss, one.loss);
  ASSERT_EQ(two.values.size(), one.values.size());
  for (std::size_t i = 0; i < one.values.size(); ++i) {
    ASSERT_EQ(two.values[i].nbytes(), one.values[i].nbytes());
    EXPECT_EQ(
        std::memcmp(two.values[i].raw_data(), one.values[i].raw_data(), one.values[i].nbytes()), 0)
        << i;
  }
}

}  // namespace
