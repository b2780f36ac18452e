// TF's variable_scope_test.py T9-T16: reuse errors, collections, local vars, nesting (E15).
#include <gtest/gtest.h>

#include <cctype>
#include <cstddef>
#include <exception>
#include <memory>
#include <optional>
#include <string>
#include <typeinfo>
#include <utility>
#include <vector>

#include "test_util.h"
#include "variable_scope_test_util.h"
#include "varscope/varscope.h"

namespace vs = varscope;
using namespace variable_scope_test;  // NOLINT: the helpers of variable_scope_test_util.h

TEST(VariableScopeTest, T9_VarScopeObjectReuseAndReuseError) {
  vs::Graph g;
  vs::VariableScope jump;
  {
    auto s = g.variable_scope("jump", {.reuse = kTrue});
    jump = s;
  }
  {
    auto j = g.variable_scope(jump);
    EXPECT_EQ(j.reuse(), kTrue);
  }
  {
    auto j = g.variable_scope(jump, {.reuse = kTrue});
    EXPECT_EQ(j.reuse(), kTrue);
  }
  {
    auto j = g.variable_scope(jump, {.reuse = kFalse});
    EXPECT_EQ(j.reuse(), kTrue);  // inherited, cannot be undone
  }
  {
    auto s = g.variable_scope("jump", {.reuse = kFalse});
    jump = s;
  }
  {
    auto j = g.variable_scope(jump);
    EXPECT_EQ(j.reuse(), kFalse);
  }
  {
    auto j = g.variable_scope(jump, {.reuse = kTrue});
    EXPECT_EQ(j.reuse(), kTrue);
  }
  {
    auto j = g.variable_scope(jump, {.reuse = kFalse});
    EXPECT_EQ(j.reuse(), kFalse);
  }
  // testVarOpScopeReuseError
  EXPECT_EQ(error_of<vs::ValueError>([&] {
              auto s = g.variable_scope(std::nullopt, {.default_name = "default", .reuse = kTrue});
              Scalar(g, "w");
            }),
            "reuse=True cannot be used without a name_or_scope");
}

TEST(VariableScopeTest, T10_ReuseScopeWithoutNameScopeCollision) {
  vs::Graph g;
  vs::VariableScope inner;
  {
    auto outer = g.variable_scope("outer");
    auto i = g.variable_scope("inner");
    inner = i;
  }
  {
    auto scope = g.variable_scope(inner, {.auxiliary_name_scope = false});
    {
      auto ns = g.name_scope(scope.original_name_scope());
      EXPECT_EQ(Scalar(g, "w").name(), "outer/inner/w:0");
      EXPECT_EQ(ConstName(g, "c"), "outer/inner/c:0");
    }
    {
      auto ns = g.name_scope("inner");
      EXPECT_EQ(ConstName(g, "c"), "inner/c:0");
    }
  }
  {
    auto another = g.variable_scope("another");
    auto scope1 = g.variable_scope(inner, {.auxiliary_name_scope = false});
    {
      auto ns = g.name_scope(scope1.original_name_scope());
      EXPECT_EQ(Scalar(g, "w1").name(), "outer/inner/w1:0");
      EXPECT_EQ(ConstName(g, "c1"), "outer/inner/c1:0");
    }
    {
      auto ns = g.name_scope("inner");
      EXPECT_EQ(ConstName(g, "c"), "another/inner/c:0");
    }
  }
}

TEST(VariableScopeTest, T11_GetCollection) {
  vs::Graph g;
  const std::string kGlobal = vs::GraphKeys::kGlobalVariables;
  const std::string kTrainable = vs::GraphKeys::kTrainableVariables;
  auto make_pair_of_vars = [&g] {
    g.get_variable("testGetCollection_a", {.shape = vs::Shape()});
    g.get_variable("testGetCollection_b", {.shape = vs::Shape(), .trainable = false});
  };
  make_pair_of_vars();
  {
    auto scope1 = g.variable_scope("testGetCollection_foo_");
    make_pair_of_vars();
    EXPECT_EQ(Names(scope1.get_collection(kTrainable)),
              std::vector<std::string>{"testGetCollection_foo_/testGetCollection_a:0"});
    EXPECT_EQ(Names(scope1.get_collection(kGlobal)),
              (std::vector<std::string>{"testGetCollection_foo_/testGetCollection_a:0",
                                        "testGetCollection_foo_/testGetCollection_b:0"}));
  }
  {
    auto scope2 = g.variable_scope("testGetCollection_foo");
    make_pair_of_vars();
    EXPECT_EQ(Names(scope2.get_collection(kTrainable)),
              std::vector<std::string>{"testGetCollection_foo/testGetCollection_a:0"});
    EXPECT_EQ(Names(scope2.get_collection(kGlobal)),
              (std::vector<std::string>{"testGetCollection_foo/testGetCollection_a:0",
                                        "testGetCollection_foo/testGetCollection_b:0"}));
  }
  vs::VariableScope scope = g.get_variable_scope();
  EXPECT_EQ(Names(scope.get_collection(kGlobal)),
            (std::vector<std::string>{"testGetCollection_a:0", "testGetCollection_b:0",
                                      "testGetCollection_foo_/testGetCollection_a:0",
                                      "testGetCollection_foo_/testGetCollection_b:0",
                                      "testGetCollection_foo/testGetCollection_a:0",
                                      "testGetCollection_foo/testGetCollection_b:0"}));
  EXPECT_EQ(Names(scope.get_collection(kTrainable)),
            (std::vector<std::string>{"testGetCollection_a:0",
                                      "testGetCollection_foo_/testGetCollection_a:0",
                                      "testGetCollection_foo/testGetCollection_a:0"}));
}

TEST(VariableScopeTest, T11_GetLocalVar) {
  vs::Graph g;
  vs::Variable local;
  vs::VariableScope outer;
  {
    auto o = g.variable_scope("outer");
    outer = o;
    auto d = g.variable_scope(outer, {.default_name = "default"});
    local = g.get_local_variable(
        "w", {.shape = vs::Shape(), .collections = std::vector<std::string>{"foo"}});
    EXPECT_EQ(local.name(), "outer/w:0");
  }
  EXPECT_EQ(Names(g.get_collection(vs::GraphKeys::kLocalVariables)),
            std::vector<std::string>{"outer/w:0"});
  EXPECT_EQ(Names(g.get_collection("foo")), std::vector<std::string>{"outer/w:0"});
  EXPECT_TRUE(g.get_collection(vs::GraphKeys::kTrainableVariables).empty());
  EXPECT_TRUE(g.global_variables().empty());
  EXPECT_FALSE(local.trainable());
  {
    auto d = g.variable_scope(outer, {.default_name = "default", .reuse = kTrue});
    vs::Variable again = g.get_local_variable("w", {.shape = vs::Shape()});
    EXPECT_EQ(again.name(), "outer/w:0");
    EXPECT_TRUE(again == local);
  }
}

TEST(VariableScopeTest, T12_VarScopeGetOrCreateReuse) {
  vs::Graph g;
  std::vector<vs::Variable> got;
  for (float value : {42.0f, 13.0f, 17.0f}) {
    vs::constant(g, value);
    {
      auto s = g.variable_scope("testVarScopeGetOrCreateReuse_bar", {.reuse = kAuto});
      got.push_back(Scalar(g, "var"));
    }
    {
      auto s = g.variable_scope("testVarScopeGetOrCreateReuse_bar", {.reuse = kAuto});
      got.push_back(Scalar(g, "var"));
    }
  }
  ASSERT_EQ(got.size(), 6u);
  for (const vs::Variable& v : got) {
    EXPECT_TRUE(v == got[0]);
    EXPECT_EQ(v.name(), "testVarScopeGetOrCreateReuse_bar/var:0");
  }
  EXPECT_EQ(g.global_variables().size(), 1u);
}

TEST(VariableScopeTest, T13_InitializeFromValue) {
  vs::Graph g;
  vs::Tensor init = vs::constant(g, 0.1f);
  vs::Variable w = g.get_variable("v", {.initializer = init});
  EXPECT_EQ(w.name(), "v:0");
  EXPECT_EQ(w.shape(), vs::Shape());
  EXPECT_EQ(w.dtype(), vs::DType::kFloat32);
  EXPECT_TRUE(w.initial_value() == init);
  EXPECT_EQ(error_of<vs::ValueError>(
                [&] { g.get_variable("u", {.shape = vs::Shape{1}, .initializer = init}); }),
            "If initializer is a constant, do not specify shape.");
  {
    // A constant initializer can be passed through scopes.
    auto foo = g.variable_scope("foo", {.initializer = init});
    vs::Variable v = g.get_variable("v");
    EXPECT_EQ(v.name(), "foo/v:0");
    EXPECT_EQ(v.shape(), vs::Shape());
    EXPECT_TRUE(v.initial_value() == init);
  }
  vs::Tensor init_int = vs::constant(g, 1);
  vs::Variable t = g.get_variable("t", {.initializer = init_int});
  EXPECT_EQ(t.dtype(), vs::DType::kInt32);
  EXPECT_EQ(error_of<vs::ValueError>([&] {
              g.get_variable("s", {.dtype = vs::DType::kFloat64, .initializer = init_int});
            }),
            "Initializer type '<dtype: 'int32'>' and explicit dtype '<dtype: 'float64'>' don't "
            "match.");
}

TEST(VariableScopeTest, T16_E15_ImproperNesting) {
  {
    vs::Graph g;
    auto aa = g.variable_scope("aa");
    auto bb = std::make_unique<vs::VariableScopeGuard>(g.variable_scope("bb"));
    auto cc = std::make_unique<vs::VariableScopeGuard>(g.variable_scope("cc"));
    bb.reset();  // exits "bb" while "cc" is still open; destructors never throw
    EXPECT_EQ(error_of<vs::RuntimeError>([&] { Vec1(g, "v"); }),
              "Improper nesting of variable_scope.");
    cc.reset();
  }
  {
    vs::Graph g;
    auto bb = std::make_unique<vs::VariableScopeGuard>(g.variable_scope("bb"));
    auto cc = std::make_unique<vs::VariableScopeGuard>(g.variable_scope("cc"));
    bb.reset();
    EXPECT_EQ(error_of<vs::RuntimeError>([&] { auto dd = g.variable_scope("dd"); }),
              "Improper nesting of variable_scope.");
    cc.reset();
  }
  {
    // Heap guards released in the right order are fine.
    vs::Graph g;
    auto bb = std::make_unique<vs::VariableScopeGuard>(g.variable_scope("bb"));
    auto cc = std::make_unique<vs::VariableScopeGuard>(g.variable_scope("cc"));
    cc.reset();
    bb.reset();
    EXPECT_EQ(Vec1(g, "v").name(), "v:0");
  }
}
