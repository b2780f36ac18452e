// CUDA sessions of several GPUs on real GPUs (issue 27; label gpu: never run in varscope's
// CI, which has no GPU). One GPU suffices for the count's clamp; the rest needs two.
#include <gtest/gtest.h>

#include <cmath>
#include <string>
#include <vector>

#include "gpu_test.h"
#include "varscope/varscope.h"

namespace vs = varscope;

namespace {

class GpuMultiGpu : public vs::testing::GpuTest {};

#define VARSCOPE_SKIP_WITHOUT_TWO_GPUS()                                       \
  do {                                                                         \
    if (vs::cuda_device_count() < 2) GTEST_SKIP() << "needs two CUDA devices"; \
  } while (false)

// As TF: no more GPU devices than there are.
TEST_F(GpuMultiGpu, AskingForMoreGpusThanThereAreGivesThoseThereAre) {
  vs::Graph g;
  const int present = vs::cuda_device_count();
  vs::Session s(g, {.device = vs::DeviceKind::kCuda, .device_count = {{"GPU", present + 1}}});
  EXPECT_EQ(s.list_devices().size(), static_cast<std::size_t>(present) + 1);  // + CPU:0
  EXPECT_EQ(s.list_devices().back(),
            "/job:localhost/replica:0/task:0/device:GPU:" + std::to_string(present - 1));
}

// A value made on GPU:0 read on GPU:1 and back, a variable of GPU:1 assigned and read:
// the values the CPU computes, run after run (the events order the copies).
TEST_F(GpuMultiGpu, ValuesCrossGpusAsOnTheCpu) {
  VARSCOPE_SKIP_WITHOUT_TWO_GPUS();
  vs::Graph g;
  vs::Tensor x, y, z;
  vs::Variable w;
  {
    auto on = g.device("/gpu:0");
    x = vs::placeholder(g, vs::DType::kFloat32, vs::Shape{1024}, "x");
  }
  {
    auto on = g.device("/gpu:1");
    w = g.get_variable("w", {.shape = vs::Shape{1024}, .initializer = vs::ones_initializer()});
    y = vs::tanh(x) * w.value();
  }
  {
    auto on = g.device("/gpu:0");
    z = y + 1.0f;
  }
  const vs::Tensor step = vs::assign_add(w, y);
  std::vector<float> feed(1024);
  for (std::size_t i = 0; i < feed.size(); ++i)
    feed[i] = static_cast<float>(i) / 512.0f - 1.0f;
  const vs::FeedDict feeds{{x, vs::HostTensor(feed, vs::Shape{1024})}};
  vs::Session gpus(g, {.device = vs::DeviceKind::kCuda, .device_count = {{"GPU", 2}}});
  vs::Session cpu(g, {.device = vs::DeviceKind::kCpu});
  EXPECT_EQ(gpus.assigned_device(w.op()), "/job:localhost/replica:0/task:0/device:GPU:1");
  gpus.run(g.global_variables_initializer());
  cpu.run(g.global_variables_initializer());
  for (int run = 0; run < 5; ++run) {
    const vs::HostTensor a = gpus.run(z, feeds);
    const vs::HostTensor b = cpu.run(z, feeds);
    for (std::size_t i = 0; i < feed.size(); ++i)
      ASSERT_NEAR(a.data<float>()[i], b.data<float>()[i],
                  1e-4f * (1 + std::abs(b.data<float>()[i])))
          << "run " << run << " element " << i;
    gpus.run(step, feeds);  // w += y on GPU:1, y from GPU:0's x
    cpu.run(step, feeds);
  }
}

}  // namespace
