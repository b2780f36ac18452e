// Saver round trips on both backends (and CUDA to CPU), subsets, name and prefix maps.
#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <bit>
#include <cstdint>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "backend_test.h"
#include "checkpoint_test_util.h"
#include "gpu_test.h"
#include "host/io/safetensors.h"
#include "host/io/saver.h"
#include "test_util.h"
#include "varscope/saver.h"
#include "varscope/varscope.h"

namespace vs = varscope;
using namespace checkpoint_test;  // NOLINT: the helpers of checkpoint_test_util.h

// ---- round trips, on each backend ----

class CheckpointRoundTrip : public vs::testing::BackendTest {};

TEST_P(CheckpointRoundTrip, RestoresEveryVariableIntoAFreshSession) {
  TempDir dir;
  const std::string path = dir.file("model.safetensors");
  Model m1;
  vs::Session s1(m1.g, options());
  s1.run(m1.g.global_variables_initializer());
  const std::vector<vs::HostTensor> saved = m1.values(s1);
  vs::Saver(m1.g).save(s1, path);

  Model m2("v_scope", /*seed=*/99);
  vs::Session s2(m2.g, options());
  EXPECT_EQ(s2.report_uninitialized_variables().size(), 6u);
  vs::Saver(m2.g).restore(s2, path);
  EXPECT_TRUE(s2.report_uninitialized_variables().empty());
  const std::vector<vs::HostTensor> restored = m2.values(s2);
  ASSERT_EQ(restored.size(), saved.size());
  for (std::size_t i = 0; i < saved.size(); ++i) {
    EXPECT_EQ(restored[i], saved[i]) << m2.all()[i].op_name();
  }
  // The seeds really gave different values: the restore is what made them equal.
  vs::Session s3(m2.g, options());
  s3.run(m2.g.global_variables_initializer());
  EXPECT_NE(s3.run(m2.w), saved[0]);
}

TEST_P(CheckpointRoundTrip, RestoresIntoARenamedScopeThroughThePrefixMap) {
  TempDir dir;
  const std::string path = dir.file("old.safetensors");
  Model old_model("old_scope");
  vs::Session s1(old_model.g, options());
  s1.run(old_model.g.global_variables_initializer());
  vs::Saver(old_model.g).save(s1, path);

  Model renamed("new_scope", /*seed=*/99);
  vs::Session s2(renamed.g, options());
  vs::Saver plain(renamed.g);
  EXPECT_EQ(error_of<vs::NotFoundError>([&] { plain.restore(s2, path); }).find("Keys "), 0u);

  vs::Saver mapped(renamed.g, {.prefix_map = {{"old_scope/", "new_scope/"}}});
  EXPECT_EQ(mapped.var_list().count("old_scope/Weights"), 1u);
  EXPECT_EQ(mapped.var_list().count("V1/a2"), 1u);  // no prefix matches: its own name
  mapped.restore(s2, path);
  EXPECT_EQ(s2.run(renamed.w), s1.run(old_model.w));
  EXPECT_EQ(s2.run(renamed.table), s1.run(old_model.table));
  EXPECT_EQ(s2.run(renamed.a2), s1.run(old_model.a2));

  // Saving through the same map writes the old names again.
  const std::string again = dir.file("again.safetensors");
  mapped.save(s2, again);
  EXPECT_EQ(keys_of(vs::read_safetensors(again)), keys_of(vs::read_safetensors(path)));
}

TEST_P(CheckpointRoundTrip, NanPayloadsAndSpecialValuesSurviveBitForBit) {
  TempDir dir;
  const std::string path = dir.file("nan.safetensors");
  Model m1;
  vs::Session s1(m1.g, options());
  s1.run(m1.g.global_variables_initializer());
  // Quiet NaN with payload, negative NaN, signalling NaN, -0, +inf, the smallest denormal.
  const std::vector<std::uint32_t> bits{0x7fc00123u, 0xffc54321u, 0x7f800001u,
                                        0x80000000u, 0x7f800000u, 0x00000001u};
  std::vector<float> special;
  for (std::uint32_t u : bits)
    special.push_back(std::bit_cast<float>(u));
  s1.load_variable(m1.w, vs::HostTensor(special, vs::Shape{2, 3}));
  vs::Saver(m1.g).save(s1, path);

  Model m2("v_scope", 99);
  vs::Session s2(m2.g, options());
  vs::Saver(m2.g).restore(s2, path);
  const vs::HostTensor back = s2.run(m2.w);
  ASSERT_EQ(back.nbytes(), bits.size() * 4);
  for (std::size_t i = 0; i < bits.size(); ++i) {
    EXPECT_EQ(std::bit_cast<std::uint32_t>(back.data<float>()[i]), bits[i]) << "element " << i;
  }
  EXPECT_EQ(std::memcmp(vs::read_safetensors(path).at("v_scope/Weights").raw_data(), special.data(),
                        bits.size() * 4),
            0);
}

VARSCOPE_INSTANTIATE_ON_BACKENDS(CheckpointRoundTrip);

class GpuCheckpoint : public vs::testing::GpuTest {};

TEST_F(GpuCheckpoint, SavedOnCudaRestoresOnTheCpuBackendBitForBit) {
  TempDir dir;
  const std::string path = dir.file("cuda.safetensors");
  Model m1;
  vs::Session cuda(m1.g, {.device = vs::DeviceKind::kCuda});
  cuda.run(m1.g.global_variables_initializer());
  vs::Saver(m1.g).save(cuda, path);
  EXPECT_EQ(vs::read_safetensors_metadata(path).at("device"), "cuda");

  Model m2("v_scope", 99);
  vs::Session cpu(m2.g, {.device = vs::DeviceKind::kCpu});
  vs::Saver(m2.g).restore(cpu, path);
  EXPECT_EQ(m2.values(cpu), m1.values(cuda));
}

// ---- options ----

TEST(CheckpointOptions, SubsetSavesAndRestoresOnlyTheListedVariables) {
  TempDir dir;
  const std::string path = dir.file("subset.safetensors");
  Model m1;
  vs::Session s1(m1.g, {.device = vs::DeviceKind::kCpu});
  s1.run(m1.g.global_variables_initializer());
  vs::Saver subset(m1.g, {.variables = std::vector<vs::Variable>{m1.w, m1.steps}});
  subset.save(s1, path);
  EXPECT_EQ(keys_of(vs::read_safetensors(path)),
            (std::vector<std::string>{"v_scope/Weights", "v_scope/steps"}));

  Model m2("v_scope", 99);
  vs::Session s2(m2.g, {.device = vs::DeviceKind::kCpu});
  vs::Saver(m2.g, {.variables = std::vector<vs::Variable>{m2.w, m2.steps}}).restore(s2, path);
  EXPECT_EQ(s2.run(m2.w), s1.run(m1.w));
  EXPECT_EQ(s2.report_uninitialized_variables(),
            (std::vector<std::string>{"v_scope/bias", "v_scope/counts", "v_scope/table", "V1/a2"}));
}

TEST(CheckpointOptions, NameMapStoresUnderCheckpointNames) {
  TempDir dir;
  const std::string path = dir.file("named.safetensors");
  Model m1;
  vs::Session s1(m1.g, {.device = vs::DeviceKind::kCpu});
  s1.run(m1.g.global_variables_initializer());
  vs::Saver(m1.g, {.name_map = {{"ckpt_w", m1.w}, {"ckpt_b", m1.b}}}).save(s1, path);
  EXPECT_EQ(keys_of(vs::read_safetensors(path)), (std::vector<std::string>{"ckpt_b", "ckpt_w"}));

  // Restore into differently named variables of the same shapes.
  vs::Graph g;
  vs::Variable kernel, bias;
  {
    auto s = g.variable_scope("dense");
    kernel = g.get_variable("kernel", {.shape = vs::Shape{2, 3}});
    bias = g.get_variable("bias", {.shape = vs::Shape{3}});
  }
  vs::Session s2(g, {.device = vs::DeviceKind::kCpu});
  vs::Saver(g, {.name_map = {{"ckpt_w", kernel}, {"ckpt_b", bias}}}).restore(s2, path);
  EXPECT_EQ(s2.run(kernel), s1.run(m1.w));
  EXPECT_EQ(s2.run(bias), s1.run(m1.b));
}

TEST(CheckpointOptions, TwoVariablesUnderOneKeyAreRejected) {
  Model m;
  EXPECT_EQ(error_of<vs::ValueError>([&] {
              vs::Saver(m.g, {.variables = std::vector<vs::Variable>{m.w},
                              .name_map = {{"v_scope/Weights", m.b}}});
            }),
            "At least two variables have the same name: v_scope/Weights");
  // The same variable listed twice is fine.
  EXPECT_EQ(vs::Saver(m.g, {.variables = std::vector<vs::Variable>{m.w, m.w}}).var_list().size(),
            1u);
}

TEST(CheckpointOptions, LongestPrefixWins) {
  Model m("a");
  vs::Saver saver(m.g, {.variables = std::vector<vs::Variable>{m.w},
                        .prefix_map = {{"x/", "a/"}, {"y/", "a/Weights"}, {"z/", "b/"}}});
  EXPECT_EQ(saver.var_list().begin()->first, "y/");
}

TEST(CheckpointOptions, VariablesOfAnotherGraphAreRejected) {
  Model m1, m2;
  EXPECT_EQ(error_of<vs::ValueError>(
                [&] { vs::Saver(m1.g, {.variables = std::vector<vs::Variable>{m2.w}}); }),
            "Variable v_scope/Weights:0 is not an element of this graph.");
}
