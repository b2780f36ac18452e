// TF's variable_scope_test.py (VariableScopeTest) cases, graph mode, translated.
// Cases that naming_test, variable_scope_test and variables_test do not already cover.
// Read from uve/tensorflow@e08079463bf4 (TF 2.0.0 tree, same code as r1.15) and checked against
// DeepRec-AI/DeepRec (TF 1.15.5). Each TEST names the TF test it comes from.
//
// How Python maps to C++ here:
//   variable_scope._get_default_variable_store()
//       .get_variable(name, reuse=None)             -> the root scope re-entered with kAuto
//                                                      (None and AUTO_REUSE take the same
//                                                      branches of _get_single_variable)
// Skipped parts (eager, resource variables, sessions, threads, devices, synchronization,
// partitioners, custom getters, regularizers, caching devices, constraints, `values=`) are
// named where they occur.
#include <gtest/gtest.h>

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

using varscope::testing::AlreadyExistsPrefix;
using varscope::testing::DoesNotExist;
using varscope::testing::Names;
using varscope::testing::NameScope;
using varscope::testing::Scalar;
using varscope::testing::StartsWith;
using varscope::testing::Vec1;

constexpr vs::Reuse kTrue = vs::Reuse::kTrue;
constexpr vs::Reuse kFalse = vs::Reuse::kFalse;
constexpr vs::Reuse kAuto = vs::Reuse::kAuto;

}  // namespace

// =============================================================================================
// variable_scope_test.py: VariableScopeTest
// =============================================================================================

// testGetVar: the default store's get_variable with reuse=None returns the existing variable.
TEST(TfCasesVariableScopeTest, GetVar) {
  vs::Graph g;
  auto store = g.variable_scope(g.get_variable_scope(), {.reuse = kAuto});
  vs::Variable v = Vec1(g, "v");
  vs::Variable v1 = Vec1(g, "v");
  EXPECT_TRUE(v == v1);
  EXPECT_EQ(v.name(), "v:0");
  EXPECT_EQ(g.global_variables().size(), 1u);
}

// testNameExists: reuse=None gets or creates; reuse=False fails on an existing name; reuse=True
// fails on a new one.
TEST(TfCasesVariableScopeTest, NameExists) {
  vs::Graph g;
  vs::VariableScope root = g.get_variable_scope();
  vs::Variable v;
  {
    // No check by default, so we can both create and get existing names.
    auto none = g.variable_scope(root, {.reuse = kAuto});
    v = Vec1(g, "v");
    EXPECT_TRUE(Vec1(g, "v") == v);
  }
  {
    // When reuse is False, we fail when variables are already there.
    auto no_reuse = g.variable_scope(root, {.reuse = kFalse});
    EXPECT_EQ(Vec1(g, "w").name(), "w:0");                                    // That's ok.
    const std::string msg = error_of<vs::ValueError>([&] { Vec1(g, "v"); });  // That fails.
    EXPECT_TRUE(StartsWith(msg, AlreadyExistsPrefix("v"))) << msg;
  }
  {
    // When reuse is True, we fail when variables are new.
    auto reuse = g.variable_scope(root, {.reuse = kTrue});
    EXPECT_TRUE(Vec1(g, "v") == v);                                                 // That's ok.
    EXPECT_EQ(error_of<vs::ValueError>([&] { Vec1(g, "u"); }), DoesNotExist("u"));  // That fails.
  }
}

// testNamelessStore
TEST(TfCasesVariableScopeTest, NamelessStore) {
  vs::Graph g;
  g.get_variable("v1", {.shape = vs::Shape{2}});
  g.get_variable("v2", {.shape = vs::Shape{2}});
  EXPECT_EQ(Names(g.global_variables()), (std::vector<std::string>{"v1:0", "v2:0"}));
}

// testEagerVariablesStoreAddsToCollections, graph-mode half (EagerVariableStore.as_default() only
// swaps the store; the variables join the graph's collections as usual).
TEST(TfCasesVariableScopeTest, EagerVariablesStoreAddsToCollections) {
  vs::Graph g;
  const std::string kConcatenated = "concatenated_variables";  // GraphKeys.CONCATENATED_VARIABLES
  vs::Variable trainable = g.get_variable("v1", {.shape = vs::Shape(), .trainable = true});
  vs::Variable not_trainable = g.get_variable("v2", {.shape = vs::Shape(), .trainable = false});
  vs::Variable concat = g.get_variable(
      "v3", {.shape = vs::Shape(), .collections = std::vector<std::string>{kConcatenated}});
  EXPECT_EQ(g.get_collection(vs::GraphKeys::kGlobalVariables),
            (std::vector<vs::Variable>{trainable, not_trainable}));
  EXPECT_EQ(g.get_collection(vs::GraphKeys::kTrainableVariables),
            (std::vector<vs::Variable>{trainable, concat}));
  EXPECT_EQ(g.get_collection(kConcatenated), std::vector<vs::Variable>{concat});
}

// testInitFromNonInitializer: the default initializer of integer and bool variables gives the
// same values as zeros_initializer. (TF compares the values in a session; here the constant
// values are compared. uint16, TF's index 3, has no varscope dtype.)
TEST(TfCasesVariableScopeTest, InitFromNonInitializer) {
  vs::Graph g;
  const std::vector<std::pair<int, vs::DType>> types = {
      {0, vs::DType::kInt8},  {1, vs::DType::kUInt8}, {2, vs::DType::kInt16},
      {4, vs::DType::kInt32}, {5, vs::DType::kInt64}, {6, vs::DType::kBool}};
  for (const auto& [i, dtype] : types) {
    SCOPED_TRACE(std::string(vs::dtype_name(dtype)));
    const std::string xname = "xx" + std::to_string(i);
    const std::string yname = "yy" + std::to_string(i);
    vs::Variable x = g.get_variable(xname, {.shape = vs::Shape{3, 4}, .dtype = dtype});
    vs::Variable y = g.get_variable(
        yname, {.shape = vs::Shape{3, 4}, .dtype = dtype, .initializer = vs::zeros_initializer()});
    EXPECT_EQ(x.dtype(), dtype);
    EXPECT_EQ(y.dtype(), dtype);
    EXPECT_EQ(x.initial_value().name(), xname + "/Initializer/zeros:0");
    EXPECT_EQ(y.initial_value().name(), yname + "/Initializer/zeros:0");
    ASSERT_EQ(x.initial_value().op().type(), "Const");
    ASSERT_EQ(y.initial_value().op().type(), "Const");
    const vs::HostTensor xv = x.initial_value().op().attr_tensor("value");
    const vs::HostTensor yv = y.initial_value().op().attr_tensor("value");
    EXPECT_EQ(xv, yv);
    EXPECT_EQ(xv.dtype(), dtype);
    EXPECT_EQ(xv.shape(), (vs::Shape{3, 4}));
    for (std::int64_t k = 0; k < xv.num_elements(); ++k)
      EXPECT_EQ(xv.element_as_double(k), 0.0);
  }
}

// testVarOpScopeNestedOuterScope
TEST(TfCasesVariableScopeTest, VarOpScopeNestedOuterScope) {
  vs::Graph g;
  vs::VariableScope outer;
  {
    auto o = g.variable_scope("outer");
    outer = o;
    {
      auto d = g.variable_scope(outer, {.default_name = "default"});
      EXPECT_EQ(Scalar(g, "w").name(), "outer/w:0");
      EXPECT_EQ(NameScope(g, "scope2"), "outer/outer/scope2/");
    }
    {
      auto d = g.variable_scope(std::nullopt, {.default_name = "default"});
      EXPECT_EQ(Scalar(g, "w").name(), "outer/default/w:0");
      EXPECT_EQ(NameScope(g, "scope2"), "outer/default/scope2/");
    }
  }
  {
    auto o = g.variable_scope(outer, {.default_name = "default", .reuse = kTrue});
    EXPECT_EQ(Scalar(g, "w").name(), "outer/w:0");
    EXPECT_EQ(NameScope(g, "scope2"), "outer_1/scope2/");
    {
      auto d = g.variable_scope(std::nullopt, {.default_name = "default"});
      EXPECT_EQ(Scalar(g, "w").name(), "outer/default/w:0");
      EXPECT_EQ(NameScope(g, "scope2"), "outer_1/default/scope2/");
    }
  }
  EXPECT_EQ(g.global_variables().size(), 2u);
}

// testGetVarWithDevice: the device function sees the VariableV2 ops "x" (float32) and "y"
// (int64, from a numpy.arange(73) initializer). Without device functions, the VariableV2 ops are
// read from the graph in creation order.
TEST(TfCasesVariableScopeTest, GetVarWithDevice) {
  vs::Graph g;
  g.get_variable("x", {.shape = vs::Shape{100, 200}});
  std::vector<std::int64_t> arange(73);
  for (std::size_t i = 0; i < arange.size(); ++i)
    arange[i] = static_cast<std::int64_t>(i);
  g.get_variable(
      "y", {.dtype = vs::DType::kInt64, .initializer = vs::constant(g, vs::HostTensor(arange))});
  std::vector<std::pair<std::string, vs::DType>> varname_type;
  for (const vs::Operation& op : g.operations()) {
    if (op.type() == "Variable" || op.type() == "VariableV2" || op.type() == "VarHandleOp")
      varname_type.emplace_back(op.name(), op.attr_dtype("dtype"));
  }
  ASSERT_EQ(varname_type.size(), 2u);
  EXPECT_EQ(varname_type[0], (std::pair<std::string, vs::DType>("x", vs::DType::kFloat32)));
  EXPECT_EQ(varname_type[1], (std::pair<std::string, vs::DType>("y", vs::DType::kInt64)));
}

// testGetTrainableVariablesWithGetVariable, up to its first assertion (the rest needs
// synchronization=ON_READ / ON_WRITE, which varscope does not have).
TEST(TfCasesVariableScopeTest, GetTrainableVariablesWithGetVariable) {
  vs::Graph g;
  Scalar(g, "testGetTrainableVariables_a");
  auto scope = g.variable_scope("testGetTrainableVariables_foo");
  Scalar(g, "testGetTrainableVariables_b");
  g.get_variable("testGetTrainableVariables_c", {.shape = vs::Shape(), .trainable = false});
  EXPECT_EQ(
      Names(scope.trainable_variables()),
      std::vector<std::string>{"testGetTrainableVariables_foo/testGetTrainableVariables_b:0"});
}

// testGetTrainableVariablesWithVariable, up to its first assertion (variable_scope.variable is
// tf.Variable; the rest needs synchronization).
TEST(TfCasesVariableScopeTest, GetTrainableVariablesWithVariable) {
  vs::Graph g;
  g.variable(1.0f, {.name = "testGetTrainableVariables_a"});
  auto scope = g.variable_scope("testGetTrainableVariables_foo");
  g.variable(1.0f, {.name = "testGetTrainableVariables_b"});
  g.variable(1.0f, {.name = "testGetTrainableVariables_c", .trainable = false});
  EXPECT_EQ(
      Names(scope.trainable_variables()),
      std::vector<std::string>{"testGetTrainableVariables_foo/testGetTrainableVariables_b:0"});
}

// testGetGlobalVariables
TEST(TfCasesVariableScopeTest, GetGlobalVariables) {
  vs::Graph g;
  Scalar(g, "testGetGlobalVariables_a");
  auto scope = g.variable_scope("testGetGlobalVariables_foo");
  Scalar(g, "testGetGlobalVariables_b");
  EXPECT_EQ(Names(scope.global_variables()),
            std::vector<std::string>{"testGetGlobalVariables_foo/testGetGlobalVariables_b:0"});
}

// testGetVariableWithRefDtype: get_variable accepts the dtype of an existing variable.
TEST(TfCasesVariableScopeTest, GetVariableWithRefDtype) {
  vs::Graph g;
  vs::Variable v = g.get_variable("v", {.shape = vs::Shape{3, 4}, .dtype = vs::DType::kFloat32});
  vs::Variable w = g.get_variable("w", {.shape = vs::Shape{5, 6}, .dtype = v.dtype()});
  EXPECT_EQ(w.name(), "w:0");
  EXPECT_EQ(w.dtype(), vs::DType::kFloat32);
}
