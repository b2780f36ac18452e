// Checkpoints of partitioned variables (issue 26): vs::Saver writes TF's entries (one full
// entry with slices, one OrderedCode-keyed entry per part) byte for byte as TF 1.15's Saver
// wrote tests/data/tf_checkpoints/partitioned (tools/tf115/make_checkpoint_fixtures.py), and
// restores that TF-written checkpoint into a partitioned variable, whatever its partitioning.
// TF reading a varscope-written one: VARSCOPE_TF_ROUNDTRIP_DIR=<dir> then
// tools/tf115/check_varscope_checkpoint.py <dir> (by hand).
#include <gtest/gtest.h>
#include <varscope/varscope.h>

#include <cstdlib>
#include <map>
#include <string>
#include <vector>

#include "backend_test.h"
#include "test_util.h"

namespace vs = varscope;
using vs::testing::read_bytes;
using vs::testing::TempDir;

namespace {

const std::string kFixture = std::string(VARSCOPE_TEST_DATA_DIR) + "/tf_checkpoints/partitioned";

std::vector<float> table_values() {  // the fixture's: arange(14).reshape(7, 2) * 0.5
  std::vector<float> v;
  for (int i = 0; i < 14; ++i)
    v.push_back(static_cast<float>(i) * 0.5f);
  return v;
}

// The fixture's model: emb/table [7, 2] in `parts` parts (from the table's values, or
// zeros), and plain [3] = {1, 2, 3}.
struct Model {
  Model(std::int64_t parts, bool from_table) {
    {
      auto emb = g.variable_scope("emb");
      vs::GetVariableOptions o{.shape = vs::Shape{7, 2},
                               .initializer = vs::zeros_initializer(),
                               .partitioner = vs::fixed_size_partitioner(parts)};
      if (from_table) {
        o.shape.reset();
        o.initializer = vs::Initializer(vs::constant(g, vs::HostTensor(table_values(), {7, 2})));
      }
      table = g.get_partitioned_variable("table", o);
    }
    plain = g.get_variable("plain",
                           {.shape = vs::Shape{3},
                            .initializer = vs::constant_initializer(std::vector<double>{1, 2, 3})});
  }
  vs::Graph g;
  vs::PartitionedVariable table;
  vs::Variable plain;
};

std::vector<float> floats(const vs::HostTensor& t) {
  return {t.data<float>().begin(), t.data<float>().end()};
}

TEST(PartitionedSaver, WritesTfsBytesForAPartitionedVariable) {
  Model m(3, /*from_table=*/true);
  vs::Session s(m.g);
  s.run(m.g.global_variables_initializer());
  const vs::Saver saver(m.g);
  EXPECT_EQ(saver.sliced_var_list().at("emb/table").size(), 3u);
  EXPECT_EQ(saver.var_list().count("emb/table/part_0"), 0u);
  TempDir dir;
  saver.save(s, dir.file("model.ckpt"), {.write_state = false});
  for (const char* suffix : {".index", ".data-00000-of-00001"}) {
    const std::string ours = read_bytes(dir.file(std::string("model.ckpt") + suffix));
    EXPECT_FALSE(ours.empty()) << suffix;
    EXPECT_EQ(ours, read_bytes(kFixture + "/model.ckpt" + suffix)) << suffix;
  }
  // The reader assembles the parts: one tensor by the full name.
  const vs::train::CheckpointReader reader = vs::train::load_checkpoint(dir.file("model.ckpt"));
  EXPECT_EQ(floats(reader.get_tensor("emb/table")), table_values());
  // A checkpoint for TF 1.15 to read by hand (tools/tf115/check_varscope_checkpoint.py).
  if (const char* keep = std::getenv("VARSCOPE_TF_ROUNDTRIP_DIR"))
    saver.save(s, std::string(keep) + "/model.ckpt", {.global_step = 1});
}

class PartitionedRestore : public vs::testing::BackendTest {};

// TF's checkpoint restores into a partitioned variable of any partitioning (TF's Saver
// reads each part's slice of the full entry).
TEST_P(PartitionedRestore, TfCheckpointIntoPartsOfAnyPartitioning) {
  for (std::int64_t parts : {3, 2, 1, 7}) {
    Model m(parts, /*from_table=*/false);
    vs::Session s(m.g, options());
    vs::Saver(m.g).restore(s, kFixture + "/model.ckpt");
    EXPECT_EQ(floats(s.run(m.table.as_tensor())), table_values()) << parts;
    EXPECT_EQ(floats(s.run(m.plain)), (std::vector<float>{1, 2, 3}));
    // 7 rows in `parts` parts: the first 7 % parts one row longer.
    EXPECT_EQ(m.table[0].shape().dims()[0], 7 / parts + (7 % parts > 0 ? 1 : 0));
  }
}

// A safetensors checkpoint holds the whole tensor under the full name; restoring it into
// another partitioning gives the same values.
TEST_P(PartitionedRestore, SafetensorsHoldsTheWhole) {
  Model m(3, /*from_table=*/true);
  vs::Session s(m.g, options());
  s.run(m.g.global_variables_initializer());
  TempDir dir;
  vs::Saver(m.g).save(s, dir.file("m.safetensors"));
  const vs::train::CheckpointReader reader = vs::train::load_checkpoint(dir.file("m.safetensors"));
  EXPECT_EQ(floats(reader.get_tensor("emb/table")), table_values());
  EXPECT_FALSE(reader.has_tensor("emb/table/part_0"));
  Model m2(2, /*from_table=*/false);
  vs::Session s2(m2.g, options());
  vs::Saver(m2.g).restore(s2, dir.file("m.safetensors"));
  EXPECT_EQ(floats(s2.run(m2.table.as_tensor())), table_values());
}

// tf.train.init_from_checkpoint of a partitioned variable: each part's initializer is its
// slice of TF's tensor, whether named by the whole, listed, or found under a scope.
TEST_P(PartitionedRestore, InitFromCheckpointGivesEachPartItsSlice) {
  for (int form = 0; form < 3; ++form) {
    Model m(3, /*from_table=*/false);
    std::map<std::string, vs::train::AssignmentTarget> map;
    if (form == 0) map = {{"emb/table", std::string("emb/table")}};
    if (form == 1) map = {{"emb/table", m.table.variables()}};
    if (form == 2) map = {{"emb/", std::string("emb/")}};
    vs::train::init_from_checkpoint(m.g, kFixture + "/model.ckpt", map);
    vs::Session s(m.g, options());
    s.run(m.g.global_variables_initializer());
    EXPECT_EQ(floats(s.run(m.table.as_tensor())), table_values()) << form;
    EXPECT_EQ(floats(s.run(m.table[1])), (std::vector<float>{3, 3.5, 4, 4.5})) << form;
  }
  Model m(2, /*from_table=*/false);
  const std::size_t nodes = m.g.num_operations();
  try {
    vs::train::init_from_checkpoint(m.g, kFixture + "/model.ckpt",
                                    {{"emb/table", std::vector<vs::Variable>{m.plain}}});
    ADD_FAILURE() << "no error";
  } catch (const vs::ValueError& e) {
    EXPECT_EQ(std::string(e.what()),
              "init_from_checkpoint: plain:0 in a list of variables is not a part of a "
              "partitioned variable");
  }
  EXPECT_EQ(m.g.num_operations(), nodes);
}

VARSCOPE_INSTANTIATE_ON_BACKENDS(PartitionedRestore);

TEST(PartitionedSaver, AMismatchedFullShapeIsRefusedAndChangesNothing) {
  vs::Graph g;
  const vs::PartitionedVariable t = [&] {
    auto emb = g.variable_scope("emb");
    return g.get_partitioned_variable("table", {.shape = vs::Shape{6, 2},
                                                .initializer = vs::ones_initializer(),
                                                .partitioner = vs::fixed_size_partitioner(2)});
  }();
  vs::Session s(g);
  s.run(g.global_variables_initializer());
  const std::vector<float> before = floats(s.run(t.as_tensor()));
  try {
    vs::Saver(g, {.variables = t.variables()}).restore(s, kFixture + "/model.ckpt");
    ADD_FAILURE() << "no error";
  } catch (const vs::InvalidArgumentError& e) {
    EXPECT_EQ(std::string(e.what()),
              "Cannot restore from checkpoint " + kFixture +
                  "/model.ckpt: checkpoint entry emb/table has dtype float32 and shape (7, 2), "
                  "but partitioned variable emb/table has dtype float32 and shape (6, 2)");
  }
  EXPECT_EQ(floats(s.run(t.as_tensor())), before);
  // init_from_checkpoint refuses it at the call (TF: when RestoreV2 runs), graph unchanged.
  const std::size_t nodes = g.num_operations();
  try {
    vs::train::init_from_checkpoint(g, kFixture + "/model.ckpt", {{"emb/", std::string("emb/")}});
    ADD_FAILURE() << "no error";
  } catch (const vs::InvalidArgumentError& e) {
    EXPECT_EQ(std::string(e.what()),
              "tensor_name = emb/table; shape in shape_and_slice spec [6,2] does not match the "
              "shape stored in checkpoint: [7,2]");
  }
  EXPECT_EQ(g.num_operations(), nodes);
  // Two parts of one variable and a plain variable of the same key collide, as TF.
  vs::Graph g2;
  auto v = g2.get_partitioned_variable(
      "a", {.shape = vs::Shape{4}, .partitioner = vs::fixed_size_partitioner(2)});
  auto plain = g2.get_variable("b", {.shape = vs::Shape{4}});
  EXPECT_THROW(vs::Saver(g2, {.variables = v.variables(), .name_map = {{"a", plain}}}),
               vs::ValueError);
}

}  // namespace
