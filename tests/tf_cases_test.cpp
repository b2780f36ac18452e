// Translations of TensorFlow's own graph-mode test cases that varscope's API can express and
// that naming_test.cpp, variable_scope_test.cpp and variables_test.cpp do not already cover:
//   - tensorflow/python/kernel_tests/variable_scope_test.py (VariableScopeTest)
//   - tensorflow/python/framework/ops_test.py (OperationTest, NameStackTest, NameTest,
//     OpScopeTest, NameScopeTest)
// Read from uve/tensorflow@e08079463bf4 (TF 2.0.0 tree, same code as r1.15) and checked against
// DeepRec-AI/DeepRec (TF 1.15.5). Each TEST names the TF test it comes from.
//
// How Python maps to C++ here:
//   g.create_op("FloatOutput", [], [float32])      -> vs::constant(g, 0.0f)   ("Const")
//   g.create_op(..., name=n)                        -> vs::constant(g, 0.0f, {.name = n})
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

// g.create_op("FloatOutput", [], [dtypes.float32], name=name).name, with Const standing in for
// FloatOutput: an empty name gives the op type, as create_op does.
std::string OpName(vs::Graph& g, const std::string& name = {}) {
  return vs::constant(g, 0.0f, {.name = name}).op().name();
}

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

// =============================================================================================
// ops_test.py: OperationTest
// =============================================================================================

// testInvalidNames ("" is not expressible: an empty name means the default "Const").
TEST(TfCasesOperationTest, InvalidNames) {
  vs::Graph g;
  for (const std::string name : {"_invalid", "-invalid", "/invalid", "invalid:0"}) {
    EXPECT_EQ(error_of<vs::ValueError>([&] { vs::constant(g, 0.0f, {.name = name}); }),
              "'" + name + "' is not a valid node name");
  }
  EXPECT_EQ(g.num_operations(), 0u);
}

// =============================================================================================
// ops_test.py: NameStackTest
// =============================================================================================

// testBasics
TEST(TfCasesNameStackTest, Basics) {
  vs::Graph g;
  EXPECT_EQ("foo", g.unique_name("foo", false));
  EXPECT_EQ("foo", g.unique_name("foo", false));
  EXPECT_EQ("foo", g.unique_name("foo"));
  EXPECT_EQ("foo_1", g.unique_name("foo", false));
  EXPECT_EQ("foo_1", g.unique_name("foo"));
  EXPECT_EQ("foo_2", g.unique_name("foo", false));
  EXPECT_EQ("foo_2", g.unique_name("foo"));
  EXPECT_EQ("foo_1_1", g.unique_name("foo_1", false));
  EXPECT_EQ("foo_1_1", g.unique_name("foo_1"));
  EXPECT_EQ("foo_1_2", g.unique_name("foo_1", false));
  EXPECT_EQ("foo_1_2", g.unique_name("foo_1"));
  EXPECT_EQ("foo_1_2_1", g.unique_name("foo_1_2", false));
  EXPECT_EQ("foo_1_2_1", g.unique_name("foo_1_2"));
  {
    auto bar = g.name_scope("bar");
    EXPECT_EQ("bar/foo", g.unique_name("foo", false));
    EXPECT_EQ("bar/foo", g.unique_name("foo"));
    EXPECT_EQ("bar/foo_1", g.unique_name("foo", false));
    EXPECT_EQ("bar/foo_1", g.unique_name("foo"));
    {
      auto none = g.name_scope(std::nullopt);
      EXPECT_EQ("foo_3", g.unique_name("foo", false));
      EXPECT_EQ("foo_3", g.unique_name("foo"));
    }
    {
      auto baz = g.name_scope("baz");
      EXPECT_EQ("bar/baz/foo", g.unique_name("foo", false));
      EXPECT_EQ("bar/baz/foo", g.unique_name("foo"));
      EXPECT_EQ("bar/baz/foo_1", g.unique_name("foo", false));
      EXPECT_EQ("bar/baz/foo_1", g.unique_name("foo"));
    }
    {
      auto baz = g.name_scope("baz");
      EXPECT_EQ("bar/baz_1/foo", g.unique_name("foo", false));
      EXPECT_EQ("bar/baz_1/foo", g.unique_name("foo"));
      EXPECT_EQ("bar/baz_1/foo_1", g.unique_name("foo", false));
      EXPECT_EQ("bar/baz_1/foo_1", g.unique_name("foo"));
    }
  }
  {
    auto quux = g.name_scope("quux");
    EXPECT_EQ("quux/foo", g.unique_name("foo", false));
    EXPECT_EQ("quux/foo", g.unique_name("foo"));
  }
  {
    auto bar = g.name_scope("bar");
    auto baz = g.name_scope("baz");
    EXPECT_EQ("bar_1/baz/foo", g.unique_name("foo", false));
    EXPECT_EQ("bar_1/baz/foo", g.unique_name("foo"));
  }
  EXPECT_EQ("foo_4", g.unique_name("foo", false));
  EXPECT_EQ("foo_4", g.unique_name("foo"));
  EXPECT_EQ("bar_2", g.unique_name("bar", false));
  EXPECT_EQ("bar_2", g.unique_name("bar"));
}

// testNameAndVariableScope
TEST(TfCasesNameStackTest, NameAndVariableScope) {
  vs::Graph g;
  auto l0 = g.name_scope("l0");
  auto l1 = g.variable_scope("l1");
  {
    auto scope = g.name_scope("l1");
    EXPECT_EQ("l0/l1/l1/", scope.name());
    EXPECT_EQ("l0/l1/l1/foo", g.unique_name("foo", false));
    EXPECT_EQ("l0/l1/l1/foo", g.unique_name("foo"));
  }
  {
    auto scope = g.name_scope("l2");
    EXPECT_EQ("l0/l1/l2/", scope.name());
    EXPECT_EQ("l0/l1/l2/foo", g.unique_name("foo", false));
    EXPECT_EQ("l0/l1/l2/foo", g.unique_name("foo"));
  }
}

// testOutOfOrderUniqueName
TEST(TfCasesNameStackTest, OutOfOrderUniqueName) {
  vs::Graph g;
  EXPECT_EQ("foo_2", g.unique_name("foo_2"));
  EXPECT_EQ("foo", g.unique_name("foo"));
  EXPECT_EQ("foo_1", g.unique_name("foo"));
  EXPECT_EQ("foo_3", g.unique_name("foo"));
}

// testUniqueNameCaseInsensitivity
TEST(TfCasesNameStackTest, UniqueNameCaseInsensitivity) {
  vs::Graph g;
  EXPECT_EQ("foo", g.unique_name("foo"));
  EXPECT_EQ("Foo_1", g.unique_name("Foo"));
  {
    auto bar = g.name_scope("bar");
    EXPECT_EQ("bar/foo", g.unique_name("foo"));
  }
  {
    auto bar = g.name_scope("Bar");
    EXPECT_EQ("Bar_1/foo", g.unique_name("foo"));
  }
}

// testInvalidNameRaisesError
TEST(TfCasesNameStackTest, InvalidNameRaisesError) {
  vs::Graph g;
  { auto s = g.name_scope(""); }  // Should not raise
  {
    auto foo = g.name_scope("foo/");  // Should not raise
    auto bar = g.name_scope("_bar");  // Should not raise
    EXPECT_EQ(bar.name(), "foo/_bar/");
  }
  EXPECT_EQ(error_of<vs::ValueError>([&] { auto s = g.name_scope("foo:0"); }),
            "'foo:0' is not a valid scope name");
  EXPECT_EQ(error_of<vs::ValueError>([&] { auto s = g.name_scope("_bar"); }),
            "'_bar' is not a valid scope name");
}

// =============================================================================================
// ops_test.py: NameTest
// =============================================================================================

// testGenerateName (FloatOutput -> Const; the two-output TwoFloatOutputs part has no varscope op)
TEST(TfCasesNameTest, GenerateName) {
  vs::Graph g;
  vs::Tensor op1 = vs::constant(g, 0.0f);
  EXPECT_EQ("Const", op1.op().name());
  EXPECT_EQ("Const:0", op1.name());
  vs::Tensor op2 = vs::constant(g, 0.0f);
  EXPECT_EQ("Const_1", op2.op().name());
  EXPECT_EQ("Const_1:0", op2.name());
  vs::Tensor op3 = vs::constant(g, 0.0f, {.name = "my_op"});
  EXPECT_EQ("my_op", op3.op().name());
  EXPECT_EQ("my_op:0", op3.name());
}

// testNameScope (FloatOutput -> Const)
TEST(TfCasesNameTest, NameScope) {
  vs::Graph g;
  {
    auto foo = g.name_scope("foo");
    EXPECT_EQ("foo/", foo.name());
    {
      auto foo2 = g.name_scope("foo2");
      EXPECT_EQ("foo/foo2/", foo2.name());
    }
    {
      auto empty1 = g.name_scope(std::nullopt);
      EXPECT_EQ("", empty1.name());
      auto foo3 = g.name_scope("foo3");
      EXPECT_EQ("foo3/", foo3.name());
    }
    {
      auto empty2 = g.name_scope("");
      EXPECT_EQ("", empty2.name());
    }
  }
  EXPECT_EQ("Const", OpName(g));
  {
    auto scope = g.name_scope("bar");
    EXPECT_EQ("bar/Const", OpName(g));
    EXPECT_EQ("bar/Const_1", OpName(g));
    // If you use the value from "with .. as", that values is used as-is.
    EXPECT_EQ("bar", OpName(g, scope.name()));
  }
  {
    auto scope = g.name_scope("baz");
    {
      auto quux = g.name_scope("quux");
      EXPECT_EQ("baz/quux/Const", OpName(g));
    }
    // If you use the value from the enclosing "with .. as", nothing is pushed.
    {
      auto again = g.name_scope(scope.name());
      EXPECT_EQ("baz/Const", OpName(g));
      EXPECT_EQ("baz", OpName(g, scope.name()));
      EXPECT_EQ("trailing", OpName(g, "trailing/"));
    }
  }
  {
    auto bar = g.name_scope("bar");
    EXPECT_EQ("bar_1/Const", OpName(g));
  }
  {
    auto bar = g.name_scope("bar/");
    EXPECT_EQ("bar/Const_2", OpName(g));
  }
}

// =============================================================================================
// ops_test.py: OpScopeTest (module-level tf.name_scope, v1)
// =============================================================================================

// testNames
TEST(TfCasesOpScopeTest, Names) {
  vs::Graph g;
  {
    auto foo = g.name_scope("foo");
    EXPECT_EQ("foo/", foo.name());
    {
      auto foo2 = g.name_scope("foo2");
      EXPECT_EQ("foo/foo2/", foo2.name());
    }
    {
      auto empty1 = g.name_scope(std::nullopt);
      EXPECT_EQ("", empty1.name());
      auto foo3 = g.name_scope("foo3");
      EXPECT_EQ("foo3/", foo3.name());
    }
    {
      auto empty2 = g.name_scope("");
      EXPECT_EQ("", empty2.name());
    }
  }
  {
    auto outer_foo = g.name_scope("foo/");
    EXPECT_EQ("foo/", outer_foo.name());
    {
      auto empty3 = g.name_scope("");
      EXPECT_EQ("", empty3.name());
    }
    {
      auto foo4 = g.name_scope("foo4");
      EXPECT_EQ("foo/foo4/", foo4.name());
    }
    {
      auto foo5 = g.name_scope("foo5//");
      EXPECT_EQ("foo5//", foo5.name());
      auto foo6 = g.name_scope("foo6");
      EXPECT_EQ("foo5//foo6/", foo6.name());
    }
    {
      auto foo7 = g.name_scope("/");
      EXPECT_EQ("/", foo7.name());
    }
    {
      auto foo8 = g.name_scope("//");
      EXPECT_EQ("//", foo8.name());
    }
    {
      auto foo9 = g.name_scope("a//b/c");
      EXPECT_EQ("foo/a//b/c/", foo9.name());
    }
  }
  {
    auto foo10 = g.name_scope("a//b/c");
    EXPECT_EQ("a//b/c/", foo10.name());
  }
}

// testEagerDefaultScopeName (run in graph and eager modes; this is the graph mode)
TEST(TfCasesOpScopeTest, EagerDefaultScopeName) {
  vs::Graph g;
  auto scope = g.name_scope(std::nullopt, "default");
  EXPECT_EQ(scope.name(), "default/");
  auto scope2 = g.name_scope(std::nullopt, "default2");
  EXPECT_EQ(scope2.name(), "default/default2/");
}

// testEmptyScopeName (`values` only picks the graph)
TEST(TfCasesOpScopeTest, EmptyScopeName) {
  vs::Graph g;
  {
    auto scope = g.name_scope("");
    EXPECT_EQ("", scope.name());
  }
  {
    auto scope = g.name_scope("", "my_default_scope");
    EXPECT_EQ("", scope.name());
  }
}

// testDefaultScopeName (the TypeError for a list passed as default_name cannot be written in C++)
TEST(TfCasesOpScopeTest, DefaultScopeName) {
  vs::Graph g;
  const std::string scope_name = "my_scope";
  const std::string default_scope_name = "my_default_scope";
  {
    auto scope = g.name_scope(scope_name, default_scope_name);
    EXPECT_EQ(scope_name + "/", scope.name());
  }
  {
    auto scope = g.name_scope(std::nullopt, default_scope_name);
    EXPECT_EQ(default_scope_name + "/", scope.name());
  }
}

// =============================================================================================
// ops_test.py: NameScopeTest
// =============================================================================================

// testGetNameScope
TEST(TfCasesNameScopeTest, GetNameScope) {
  vs::Graph g;
  {
    auto scope1 = g.name_scope("scope1");
    {
      auto scope2 = g.name_scope("scope2");
      {
        auto scope3 = g.name_scope("scope3");
        EXPECT_EQ("scope1/scope2/scope3", g.get_name_scope());
      }
      EXPECT_EQ("scope1/scope2", g.get_name_scope());
    }
    EXPECT_EQ("scope1", g.get_name_scope());
  }
  EXPECT_EQ("", g.get_name_scope());
}

// testTwoGraphs: "_" at the root of the innermost default graph (g2).
TEST(TfCasesNameScopeTest, TwoGraphs) {
  vs::Graph g1;
  vs::Graph g2;
  EXPECT_EQ(error_of<vs::ValueError>([&] { auto s = g2.name_scope("_"); }),
            "'_' is not a valid scope name");
}
