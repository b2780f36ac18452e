// Sessions with several devices (issue 27): TF's ConfigProto(device_count=...) as
// SessionOptions::device_count, the placer (an op's device, else its colocation group's,
// else the default), TF 1.15's "Cannot assign a device" error (checked by hand against TF
// 1.15 with a 2-CPU session; varscope leaves out TF's "(defined at ...)" and its XLA_CPU
// device), soft placement, and the planner's copies where a value crosses devices.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include "host/runtime/plan.h"
#include "test_util.h"
#include "varscope/varscope.h"

namespace vs = varscope;
namespace d = varscope::detail;

namespace {

const std::string kCpu0 = "/job:localhost/replica:0/task:0/device:CPU:0";
const std::string kCpu1 = "/job:localhost/replica:0/task:0/device:CPU:1";

vs::SessionOptions cpus(int n, bool soft = false) {
  return {
      .device = vs::DeviceKind::kCpu, .device_count = {{"CPU", n}}, .allow_soft_placement = soft};
}

TEST(SessionDevices, DeviceCountGivesTfsDevices) {
  vs::Graph g;
  EXPECT_EQ(vs::Session(g, cpus(2)).list_devices(), (std::vector<std::string>{kCpu0, kCpu1}));
  EXPECT_EQ(vs::Session(g, {.device = vs::DeviceKind::kCpu}).list_devices(),
            std::vector<std::string>{kCpu0});
  // TF keeps one CPU device whatever the count; a CPU session has no GPU to count.
  EXPECT_EQ(vs::Session(g, cpus(0)).list_devices(), std::vector<std::string>{kCpu0});
  vs::SessionOptions gpus = cpus(1);
  gpus.device_count["GPU"] = 4;
  EXPECT_EQ(vs::Session(g, gpus).list_devices(), std::vector<std::string>{kCpu0});
  EXPECT_EQ(vs::testing::error_of<vs::InvalidArgumentError>([&] { vs::Session(g, cpus(-1)); }),
            "SessionOptions.device_count[\"CPU\"] must be between 0 and 64, got -1");
  EXPECT_EQ(vs::testing::error_of<vs::InvalidArgumentError>([&] { vs::Session(g, cpus(65)); }),
            "SessionOptions.device_count[\"CPU\"] must be between 0 and 64, got 65");
}

// A CUDA session's devices (the placer alone: no GPU is needed to check them): TF's CPU:0
// and GPU:0, ops without a device on the GPU; as many GPUs as asked, up to those there are.
TEST(SessionDevices, ACudaSessionsGpu0IsTheDefault) {
  const d::DevicePlacer cuda(vs::DeviceKind::kCuda, {}, false);
  EXPECT_EQ(cuda.names(),
            (std::vector<std::string>{kCpu0, "/job:localhost/replica:0/task:0/device:GPU:0"}));
  vs::Graph g;
  const vs::Tensor a = vs::constant(g, vs::HostTensor(1.0f), {.name = "a"});
  vs::Tensor b;
  {
    auto on = g.device("/cpu:0");
    b = a + 1.0;
  }
  EXPECT_EQ(cuda.place(*d::Access::impl(g), a.op().id()), 1);
  EXPECT_EQ(cuda.place(*d::Access::impl(g), b.op().id()), 0);
  // Several GPUs (session_multi_gpu_test): as many as asked, up to those there are (TF).
  EXPECT_EQ(d::DevicePlacer(vs::DeviceKind::kCuda, {{"GPU", 2}}, false).gpus(), 1);
  const d::DevicePlacer two(vs::DeviceKind::kCuda, {{"GPU", 2}}, false, 3);
  EXPECT_EQ(two.names(),
            (std::vector<std::string>{kCpu0, "/job:localhost/replica:0/task:0/device:GPU:0",
                                      "/job:localhost/replica:0/task:0/device:GPU:1"}));
  EXPECT_EQ(cuda.gpus(), 1);
  EXPECT_EQ(d::DevicePlacer(vs::DeviceKind::kCuda, {{"GPU", 0}}, false, 3).gpus(), 0);
  EXPECT_EQ(vs::testing::error_of<vs::InvalidArgumentError>([] {
              d::DevicePlacer(vs::DeviceKind::kCuda, {{"GPU", 65}}, false, 3);
            }),
            "SessionOptions.device_count[\"GPU\"] must be between 0 and 64, got 65");
}

TEST(SessionDevices, OpsRunWhereTheyArePlaced) {
  vs::Graph g;
  vs::Variable w;
  {
    auto on = g.device("/cpu:1");
    w = g.get_variable("w", {.shape = vs::Shape{2}, .initializer = vs::ones_initializer()});
  }
  const vs::Tensor y = w * 3.0;  // no device: the default, CPU:0
  vs::Session sess(g, cpus(2));
  EXPECT_EQ(sess.assigned_device(w.op()), kCpu1);
  EXPECT_EQ(sess.assigned_device(w.initializer()), kCpu1);
  // The initializer's ops carry no device; their `_class` puts them with the variable.
  const vs::Operation init_const = w.initializer().input(1).op();
  EXPECT_EQ(init_const.device(), "");
  EXPECT_EQ(sess.assigned_device(init_const), kCpu1);
  EXPECT_EQ(sess.assigned_device(y.op()), kCpu0);
  sess.run(g.global_variables_initializer());
  EXPECT_EQ(sess.run(y).data<float>()[0], 3.0f);
}

TEST(SessionDevices, AMissingDeviceIsTfsErrorAndRunsNothing) {
  vs::Graph g;
  const vs::Variable v =
      g.get_variable("v", {.shape = vs::Shape{}, .initializer = vs::zeros_initializer()});
  vs::Tensor a;
  {
    auto on = g.device("/cpu:3");
    a = vs::constant(g, vs::HostTensor(1.0f), {.name = "a"});
  }
  const vs::Tensor b = vs::identity(vs::assign(v, a), "b");
  vs::Session sess(g, cpus(2));
  sess.run(v.initializer());
  const std::string text =
      "Cannot assign a device for operation a: node a was explicitly assigned to "
      "/device:CPU:3 but available devices are [ " +
      kCpu0 + ", " + kCpu1 +
      " ]. Make sure the device specification refers to a valid device.\n\t [[a]]";
  EXPECT_EQ(vs::testing::error_of<vs::InvalidArgumentError>([&] { sess.run(b); }), text);
  EXPECT_EQ(vs::testing::error_of<vs::InvalidArgumentError>([&] { sess.assigned_device(a.op()); }),
            text);
  EXPECT_EQ(sess.run(v).data<float>()[0], 0.0f);  // the Assign never ran
}

TEST(SessionDevices, AGpuOnACpuSessionAndAnotherJobAreRefused) {
  for (const char* spec : {"/gpu:0", "/job:worker/cpu:0", "/task:1"}) {
    vs::Graph g;
    vs::Tensor a;
    {
      auto on = g.device(spec);
      a = vs::constant(g, vs::HostTensor(1.0f), {.name = "a"});
    }
    vs::Session sess(g, cpus(1));
    const std::string text = vs::testing::error_of<vs::InvalidArgumentError>([&] { sess.run(a); });
    EXPECT_NE(text.find("was explicitly assigned to " + a.op().device() +
                        " but available devices are [ " + kCpu0 + " ]"),
              std::string::npos)
        << text;
  }
}

TEST(SessionDevices, SoftPlacementFallsBackToTheDefaultDevice) {
  vs::Graph g;
  vs::Tensor a, b, c;
  {
    auto on = g.device("/cpu:3");
    a = vs::constant(g, vs::HostTensor(2.0f), {.name = "a"});
  }
  {
    auto on = g.device("/device:GPU:1");
    b = a * 3.0;
  }
  {
    auto on = g.device("/cpu:1");
    c = b + 1.0;
  }
  vs::Session sess(g, cpus(2, /*soft=*/true));
  EXPECT_EQ(sess.assigned_device(a.op()), kCpu0);
  EXPECT_EQ(sess.assigned_device(b.op()), kCpu0);
  EXPECT_EQ(sess.assigned_device(c.op()), kCpu1);  // a device the session has is kept
  EXPECT_EQ(sess.run(c).data<float>()[0], 7.0f);
  // Another job is not a device soft placement can replace (as TF).
  vs::Graph h;
  vs::Tensor x;
  {
    auto on = h.device("/job:worker/cpu:0");
    x = vs::constant(h, vs::HostTensor(1.0f), {.name = "x"});
  }
  vs::Session soft(h, cpus(2, true));
  EXPECT_NE(vs::testing::error_of<vs::InvalidArgumentError>([&] {
              soft.run(x);
            }).find("Cannot assign a device for operation x"),
            std::string::npos);
}

TEST(SessionDevices, ThePlanCopiesValuesCrossingDevicesOncePerDevice) {
  vs::Graph g;
  vs::Variable w;
  vs::Tensor x, y0, y1;
  {
    auto on = g.device("/cpu:0");
    w = g.get_variable("w", {.shape = vs::Shape{2}, .initializer = vs::ones_initializer()});
    x = vs::placeholder(g, vs::DType::kFloat32, vs::Shape{2}, "x");
  }
  {
    auto on = g.device("/cpu:1");
    y0 = x * w;
    y1 = x + w;  // the same two values again: no second copy
  }
  const vs::Tensor sum = y0 + y1;  // back on CPU:0
  const d::DevicePlacer placer(vs::DeviceKind::kCpu, {{"CPU", 2}}, false);
  const d::Plan plan =
      d::build_plan(*d::Access::impl(g), {{d::Access::ref(sum)}, {d::Access::ref(x)}, {}}, placer);
  std::vector<const d::Step*> copies;
  for (const d::Step& s : plan.steps) {
    if (s.device_copy) copies.push_back(&s);
  }
  // x and w/read to CPU:1; y0 and y1 back to CPU:0.
  ASSERT_EQ(copies.size(), 4u);
  EXPECT_EQ(copies[0]->device, 1);
  EXPECT_EQ(copies[1]->device, 1);
  EXPECT_EQ(copies[2]->device, 0);
  EXPECT_EQ(copies[3]->device, 0);
  // One device: the same plan has none.
  const d::Plan one =
      d::build_plan(*d::Access::impl(g), {{d::Access::ref(sum)}, {d::Access::ref(x)}, {}},
                    d::DevicePlacer(vs::DeviceKind::kCpu, {}, /*soft=*/true));
  EXPECT_TRUE(std::none_of(one.steps.begin(), one.steps.end(),
                           [](const d::Step& s) { return s.device_copy; }));

  vs::Session sess(g, cpus(2));
  sess.run(g.global_variables_initializer());
  const vs::HostTensor got =
      sess.run(sum, {{x, vs::HostTensor(std::vector<float>{2, 3}, vs::Shape{2})}});
  EXPECT_EQ(got.data<float>()[0], 2 * 1 + 2 + 1);
  EXPECT_EQ(got.data<float>()[1], 3 * 1 + 3 + 1);
}

TEST(SessionDevices, AnUninitializedVariableReadAcrossDevicesIsTheOneDeviceError) {
  vs::Graph g;
  vs::Variable w;
  {
    auto on = g.device("/cpu:1");
    w = g.get_variable("w", {.shape = vs::Shape{2}});
  }
  const vs::Tensor y = vs::identity(w.value(), "y");
  vs::Session sess(g, cpus(2));
  EXPECT_EQ(vs::testing::error_of<vs::FailedPreconditionError>([&] { sess.run(y); }),
            "Attempting to use uninitialized value w\n\t [[{{node w/read}}]]");
}

}  // namespace
