// vs::Saver writing and restoring TensorFlow checkpoints: the `checkpoint` state file in TF's
// text (byte for byte what TF 1.15 wrote for the same saves), max_to_keep, restoring a
// checkpoint TF trained, format detection, and nothing changed when a restore fails.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <string>
#include <vector>

#include "test_util.h"
#include "varscope/varscope.h"

namespace vs = varscope;
namespace fs = std::filesystem;

namespace {

using vs::testing::error_of;
using vs::testing::read_bytes;
using vs::testing::TempDir;

const std::string kData = std::string(VARSCOPE_TEST_DATA_DIR) + "/tf_checkpoints";

// The model of the adam/ fixture: model/dense{1,2}/{kernel,bias}.
struct Model {
  vs::Graph g;
  std::vector<vs::Variable> vars;
  Model() {
    auto m = g.variable_scope("model");
    {
      auto d = g.variable_scope("dense1");
      vars.push_back(g.get_variable("kernel", {.shape = vs::Shape{3, 4}}));
      vars.push_back(g.get_variable("bias", {.shape = vs::Shape{4}}));
    }
    auto d = g.variable_scope("dense2");
    vars.push_back(g.get_variable("kernel", {.shape = vs::Shape{4, 2}}));
    vars.push_back(g.get_variable("bias", {.shape = vs::Shape{2}}));
  }
};

TEST(TfSaver, StateFileIsWhatTensorFlowWrites) {
  Model m;
  vs::Session s(m.g);
  s.run(m.g.global_variables_initializer());
  TempDir dir;
  vs::Saver saver(m.g);
  EXPECT_EQ(saver.save(s, dir.file("model.ckpt"), {.global_step = 2}), dir.file("model.ckpt-2"));
  EXPECT_EQ(saver.save(s, dir.file("model.ckpt"), {.global_step = 3}), dir.file("model.ckpt-3"));
  EXPECT_EQ(read_bytes(dir.file("checkpoint")), read_bytes(kData + "/adam/checkpoint"));
  EXPECT_EQ(vs::train::latest_checkpoint(dir.path()), dir.file("model.ckpt-3"));
  EXPECT_EQ(dir.entries(),
            (std::vector<std::string>{"checkpoint", "model.ckpt-2.data-00000-of-00001",
                                      "model.ckpt-2.index", "model.ckpt-3.data-00000-of-00001",
                                      "model.ckpt-3.index"}));
  // Without global_step: model.ckpt.index, as TF.
  saver.save(s, dir.file("model.ckpt"));
  EXPECT_TRUE(fs::exists(dir.file("model.ckpt.index")));
  EXPECT_EQ(vs::train::latest_checkpoint(dir.path()), dir.file("model.ckpt"));
}

TEST(TfSaver, MaxToKeepDeletesTheOldest) {
  Model m;
  vs::Session s(m.g);
  s.run(m.g.global_variables_initializer());
  TempDir dir;
  vs::Saver saver(m.g, {.max_to_keep = 2});
  for (int step = 1; step <= 4; ++step)
    saver.save(s, dir.file("model.ckpt"), {.global_step = step});
  EXPECT_EQ(saver.last_checkpoints(),
            (std::vector<std::string>{dir.file("model.ckpt-3"), dir.file("model.ckpt-4")}));
  EXPECT_EQ(dir.entries(),
            (std::vector<std::string>{"checkpoint", "model.ckpt-3.data-00000-of-00001",
                                      "model.ckpt-3.index", "model.ckpt-4.data-00000-of-00001",
                                      "model.ckpt-4.index"}));
  EXPECT_EQ(read_bytes(dir.file("checkpoint")),
            "model_checkpoint_path: \"model.ckpt-4\"\n"
            "all_model_checkpoint_paths: \"model.ckpt-3\"\n"
            "all_model_checkpoint_paths: \"model.ckpt-4\"\n");
  // keep_checkpoint_every_n_hours = 0: every checkpoint past the first hour mark is kept.
  TempDir kept;
  vs::Saver keeper(m.g, {.max_to_keep = 1, .keep_checkpoint_every_n_hours = 0});
  for (int step = 1; step <= 3; ++step)
    keeper.save(s, kept.file("m"), {.global_step = step});
  EXPECT_TRUE(fs::exists(kept.file("m-1.index")));
  EXPECT_TRUE(fs::exists(kept.file("m-2.index")));
}

TEST(TfSaver, AMovedFolderStillRestores) {
  Model m;
  vs::Session s(m.g);
  s.run(m.g.global_variables_initializer());
  TempDir dir;
  vs::Saver(m.g).save(s, dir.file("run/model.ckpt"), {.global_step = 7});
  fs::rename(dir.file("run"), dir.file("moved"));
  const auto latest = vs::train::latest_checkpoint(dir.file("moved"));
  ASSERT_TRUE(latest.has_value());
  Model m2;
  vs::Session s2(m2.g);
  vs::Saver(m2.g).restore(s2, *latest);
  for (std::size_t i = 0; i < m.vars.size(); ++i)
    EXPECT_EQ(s2.run(m2.vars[i]), s.run(m.vars[i]));
}

TEST(TfSaver, RestoresWhatTensorFlowTrained) {
  Model m;
  vs::Session s(m.g);
  vs::Saver(m.g).restore(s, kData + "/adam/model.ckpt-3");
  const auto reader = vs::train::load_checkpoint(kData + "/adam/model.ckpt-3");
  for (const vs::Variable& v : m.vars)
    EXPECT_EQ(s.run(v), reader.get_tensor(v.op_name())) << v.op_name();
}

TEST(TfSaver, FormatIsDetectedAndBothRoundTrip) {
  Model m;
  vs::Session s(m.g);
  s.run(m.g.global_variables_initializer());
  TempDir dir;
  const vs::Saver saver(m.g);
  saver.save(s, dir.file("a.safetensors"));
  saver.save(s, dir.file("b"), {.write_state = false});
  EXPECT_FALSE(fs::exists(dir.file("checkpoint")));
  EXPECT_TRUE(fs::exists(dir.file("b.index")));
  for (const char* path : {"a.safetensors", "b"}) {
    Model m2;
    vs::Session s2(m2.g);
    vs::Saver(m2.g).restore(s2, dir.file(path));
    for (std::size_t i = 0; i < m.vars.size(); ++i)
      EXPECT_EQ(s2.run(m2.vars[i]), s.run(m.vars[i])) << path;
  }
  // The reader reads both, by name.
  EXPECT_EQ(vs::train::load_checkpoint(dir.file("a.safetensors")).variable_to_shape_map(),
            vs::train::load_checkpoint(dir.file("b")).variable_to_shape_map());
  // A checkpoint for TF 1.15 to read by hand (tools/tf115/check_varscope_checkpoint.py).
  if (const char* keep = std::getenv("VARSCOPE_TF_ROUNDTRIP_DIR")) {
    vs::Saver(m.g).save(s, std::string(keep) + "/model.ckpt", {.global_step = 1});
  }
}

TEST(TfSaver, AFailedRestoreChangesNothing) {
  Model m;
  vs::Session s(m.g);
  s.run(m.g.global_variables_initializer());
  TempDir dir;
  vs::Saver(m.g).save(s, dir.file("model.ckpt"), {.write_state = false});
  // Another model's values for the same names; then a byte of the last tensor flipped.
  Model m2;
  vs::Session s2(m2.g);
  s2.run(m2.g.global_variables_initializer());
  std::string data = read_bytes(dir.file("model.ckpt.data-00000-of-00001"));
  data.back() = static_cast<char>(data.back() ^ 1);
  vs::testing::write_bytes(dir.file("model.ckpt.data-00000-of-00001"), data);
  std::vector<vs::HostTensor> before;
  for (const vs::Variable& v : m2.vars)
    before.push_back(s2.run(v));
  const std::string msg =
      error_of<vs::DataLossError>([&] { vs::Saver(m2.g).restore(s2, dir.file("model.ckpt")); });
  EXPECT_NE(msg.find("Checksum does not match"), std::string::npos) << msg;
  for (std::size_t i = 0; i < m2.vars.size(); ++i)
    EXPECT_EQ(s2.run(m2.vars[i]), before[i]);
  EXPECT_EQ(error_of<vs::NotFoundError>([&] { vs::Saver(m2.g).restore(s2, dir.file("nothing")); }),
            "Unsuccessful TensorSliceReader constructor: Failed to find any matching files for " +
                dir.file("nothing"));
}

}  // namespace
