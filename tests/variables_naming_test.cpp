// tf.Variable vs get_variable naming (N10-N12), the nodes a variable creates, absolute names.
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <cstddef>
#include <cstdint>
#include <exception>
#include <optional>
#include <string>
#include <typeinfo>
#include <utility>
#include <vector>

#include "test_util.h"
#include "varscope/varscope.h"

namespace vs = varscope;

namespace {

using varscope::testing::error_of;

using varscope::testing::DoesNotExist;
using varscope::testing::ExpectAlreadyExists;
using varscope::testing::HasNumber;
using varscope::testing::Names;
using varscope::testing::Scalar;

std::vector<std::string> OpNames(const vs::Graph& g) {
  std::vector<std::string> out;
  for (const vs::Operation& op : g.operations())
    out.push_back(op.name());
  return out;
}

std::vector<std::string> OpTypes(const vs::Graph& g) {
  std::vector<std::string> out;
  for (const vs::Operation& op : g.operations())
    out.push_back(op.type());
  return out;
}

}  // namespace

// =============================================================================================
// N10-N12
// =============================================================================================

TEST(Variables, N10_VariableVsGetVariableUnderScopes) {
  vs::Graph g;
  vs::Variable v3;
  {
    auto s = g.name_scope("V1");
    vs::Variable v1 = g.get_variable("var1", {.shape = vs::Shape{1}});
    vs::Variable v2 = g.variable(1.0f, {.name = "var2"});
    EXPECT_EQ(v1.name(), "var1:0");  // the name scope is ignored
    EXPECT_EQ(v2.name(), "V1/var2:0");
    EXPECT_EQ(vs::add(v1, v2).name(), "V1/Add:0");
  }
  {
    auto s = g.variable_scope("V2");
    v3 = g.get_variable("var1", {.shape = vs::Shape{1}});
    vs::Variable v4 = g.variable(1.0f, {.name = "var2"});
    EXPECT_EQ(v3.name(), "V2/var1:0");
    EXPECT_EQ(v4.name(), "V2/var2:0");
    EXPECT_EQ(vs::add(v3, v4).name(), "V2/Add:0");
  }
  {
    auto s = g.variable_scope("V2", {.reuse = vs::Reuse::kTrue});
    vs::Variable v5 = g.get_variable("var1", {.shape = vs::Shape{1}});
    vs::Variable v6 = g.variable(1.0f, {.name = "var2"});
    EXPECT_TRUE(v5 == v3);
    EXPECT_EQ(v5.name(), "V2/var1:0");
    EXPECT_EQ(v6.name(), "V2_1/var2:0");  // the name scope is re-uniquified
  }
  {
    auto foo = g.variable_scope("foo");
    auto bar = g.name_scope("bar");
    vs::Variable v = g.get_variable("v", {.shape = vs::Shape{1}});
    EXPECT_EQ(v.name(), "foo/v:0");
    EXPECT_EQ((1.0f + v).name(), "foo/bar/add:0");
  }
}

TEST(Variables, N11_OpsOfTfVariable) {
  vs::Graph g;
  vs::Variable v = g.variable(1.0f, {.name = "v"});
  EXPECT_EQ(OpNames(g), (std::vector<std::string>{"v/initial_value", "v", "v/Assign", "v/read"}));
  EXPECT_EQ(OpTypes(g), (std::vector<std::string>{"Const", "VariableV2", "Assign", "Identity"}));
  EXPECT_EQ(v.name(), "v:0");
  EXPECT_EQ(v.op_name(), "v");
  EXPECT_EQ(v.op().name(), "v");
  EXPECT_EQ(v.op().type(), "VariableV2");
  EXPECT_EQ(v.initializer().name(), "v/Assign");
  EXPECT_EQ(v.value().name(), "v/read:0");
  EXPECT_EQ(v.initial_value().name(), "v/initial_value:0");
  EXPECT_EQ(v.dtype(), vs::DType::kFloat32);
  EXPECT_EQ(v.shape(), vs::Shape());
  EXPECT_TRUE(v.trainable());
  EXPECT_EQ(v.store_name(), "");
}

TEST(Variables, N11_TfVariableDefaultNames) {
  vs::Graph g;
  EXPECT_EQ(g.variable(1.0f).name(), "Variable:0");
  EXPECT_EQ(g.variable(1.0f).name(), "Variable_1:0");
  auto s = g.name_scope("s");
  vs::Variable v = g.variable(1.0f);
  EXPECT_EQ(v.name(), "s/Variable:0");
  EXPECT_EQ(v.initializer().name(), "s/Variable/Assign");
  EXPECT_EQ(v.value().name(), "s/Variable/read:0");
}

TEST(Variables, N11_TfVariableFromATensorAddsNoConst) {
  vs::Graph g;
  vs::Tensor t = vs::constant(g, 2.0f, {.name = "t"});
  vs::Variable v = g.variable(t, {.name = "v"});
  EXPECT_EQ(OpNames(g), (std::vector<std::string>{"t", "v", "v/Assign", "v/read"}));
  EXPECT_TRUE(v.initial_value() == t);
}

TEST(Variables, N11_OpsOfGetVariable) {
  vs::Graph g;
  vs::Variable v = g.get_variable("v", {.shape = vs::Shape{2, 3}});
  EXPECT_EQ(OpNames(g), (std::vector<std::string>{
                            "v/Initializer/random_uniform/shape",
                            "v/Initializer/random_uniform/min",
                            "v/Initializer/random_uniform/max",
                            "v/Initializer/random_uniform/RandomUniform",
                            "v/Initializer/random_uniform/sub",
                            "v/Initializer/random_uniform/mul",
                            "v/Initializer/random_uniform",
                            "v",
                            "v/Assign",
                            "v/read",
                        }));
  EXPECT_EQ(OpTypes(g),
            (std::vector<std::string>{"Const", "Const", "Const", "RandomUniform", "Sub", "Mul",
                                      "Add", "VariableV2", "Assign", "Identity"}));
  EXPECT_EQ(v.name(), "v:0");
  EXPECT_EQ(v.op_name(), "v");
  EXPECT_EQ(v.store_name(), "v");
  EXPECT_EQ(v.initializer().name(), "v/Assign");
  EXPECT_EQ(v.value().name(), "v/read:0");
  EXPECT_EQ(v.initial_value().name(), "v/Initializer/random_uniform:0");
  EXPECT_EQ(v.shape(), (vs::Shape{2, 3}));
  EXPECT_EQ(v.dtype(), vs::DType::kFloat32);
}

TEST(Variables, N11_InitializerOpsAreColocatedWithTheVariable) {
  vs::Graph g;
  auto s = g.variable_scope("foo");
  g.get_variable("v", {.shape = vs::Shape{2, 3}});
  const std::vector<std::string> loc{"loc:@foo/v"};
  EXPECT_EQ(g.get_operation_by_name("foo/v/Initializer/random_uniform/RandomUniform")
                .attr_strings("_class"),
            loc);
  EXPECT_EQ(g.get_operation_by_name("foo/v/Initializer/random_uniform").attr_strings("_class"),
            loc);
  EXPECT_EQ(
      g.get_operation_by_name("foo/v/Initializer/random_uniform/shape").attr_strings("_class"),
      loc);
}

TEST(Variables, N12_StoreKeyVsGraphName) {
  vs::Graph g;
  auto foo = g.variable_scope("foo");
  const int a_line = __LINE__ + 1;
  vs::Variable a = g.variable(1.0f, {.name = "v"});
  EXPECT_EQ(a.name(), "foo/v:0");
  const int b_line = __LINE__ + 1;
  vs::Variable b = g.get_variable("v", {.shape = vs::Shape{1}});
  EXPECT_EQ(b.name(), "foo/v_1:0");
  EXPECT_EQ(b.op_name(), "foo/v_1");
  EXPECT_EQ(b.store_name(), "foo/v");
  EXPECT_EQ(b.initializer().name(), "foo/v_1/Assign");
  const int c_line = __LINE__ + 1;
  auto again = [&] { g.get_variable("v", {.shape = vs::Shape{1}}); };
  const std::string msg = error_of<vs::ValueError>(again);
  // The error quotes the store key and the creation of `b`, not the graph name nor `a`.
  ExpectAlreadyExists(msg, "foo/v", b_line);
  EXPECT_FALSE(HasNumber(msg, a_line)) << msg;
  EXPECT_FALSE(HasNumber(msg, c_line)) << msg;
}

// Found by fuzz/scope_fuzzer: an absolute name ("x/") is taken verbatim, so it can name an
// op that exists already; TF's C API refuses that ("Duplicate node name in graph").
TEST(Variables, AbsoluteNameOfAnExistingOpIsRefusedAndLeavesNoOps) {
  vs::Graph g;
  g.variable(1.0f, {.name = "x/"});
  const std::size_t ops = g.num_operations();
  try {
    g.get_variable("x/", {.shape = vs::Shape{1}});
    FAIL() << "no exception";
  } catch (const vs::ValueError& e) {
    EXPECT_STREQ(e.what(), "Duplicate node name in graph: 'x'");
  }
  EXPECT_EQ(g.num_operations(), ops);
  EXPECT_THROW(vs::constant(g, 1.0f, {.name = "x/"}), vs::ValueError);
  EXPECT_EQ(g.num_operations(), ops);
  // "x" was never marked used (absolute scopes are not), so TF's uniquifier hands it out
  // again and the node is refused the same way; the graph stays usable.
  EXPECT_THROW(vs::constant(g, 1.0f, {.name = "x"}), vs::ValueError);
  EXPECT_EQ(g.num_operations(), ops);
  EXPECT_EQ(vs::constant(g, 1.0f, {.name = "y"}).name(), "y:0");
}
