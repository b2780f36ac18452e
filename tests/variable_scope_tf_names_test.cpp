// TF's variable_scope_test.py T1-T8: get_variable, name scopes, var_op_scope, reuse params.
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

// =============================================================================================
// T1-T16: TF's variable_scope_test.py
// =============================================================================================

TEST(VariableScopeTest, T1_VarScopeGetVar) {
  vs::Graph g;
  auto root = g.variable_scope("root");
  vs::VariableScope tower_a;
  vs::Variable va;
  int va_line = 0;
  {
    auto a = g.variable_scope("towerA");
    tower_a = a;
    va_line = __LINE__ + 1;
    va = g.get_variable("v", {.shape = vs::Shape{1}});
    EXPECT_EQ(va.name(), "root/towerA/v:0");
  }
  {
    auto a = g.variable_scope(tower_a, {.reuse = kTrue});
    EXPECT_TRUE(Vec1(g, "v") == va);
  }
  {
    auto b = g.variable_scope("towerB");
    EXPECT_EQ(Vec1(g, "v").name(), "root/towerB/v:0");
  }
  {
    auto a = g.variable_scope("towerA");
    ExpectAlreadyExists(error_of<vs::ValueError>([&] { Vec1(g, "v"); }), "root/towerA/v", va_line);
  }
  {
    auto a = g.variable_scope("towerA", {.reuse = kTrue});
    EXPECT_TRUE(Vec1(g, "v") == va);
  }
  {
    auto foo = g.variable_scope("foo");
    auto bar = g.variable_scope("bar");
    EXPECT_EQ(Vec1(g, "v").name(), "root/foo/bar/v:0");
    auto a = g.variable_scope(tower_a, {.reuse = kTrue});
    EXPECT_TRUE(Vec1(g, "v") == va);
  }
  {
    auto a = g.variable_scope(tower_a, {.reuse = kTrue});
    auto baz = g.variable_scope("baz");
    EXPECT_EQ(error_of<vs::ValueError>([&] { Vec1(g, "v"); }), DoesNotExist("root/towerA/baz/v"));
  }
  {
    auto a = g.variable_scope(tower_a, {.reuse = kTrue});
    EXPECT_EQ(error_of<vs::ValueError>([&] { g.get_variable("v", {.shape = vs::Shape{2}}); }),
              "Trying to share variable root/towerA/v, but specified shape (2,) and found shape "
              "(1,).");
  }
  {
    auto a = g.variable_scope(tower_a, {.reuse = kTrue});
    EXPECT_EQ(error_of<vs::ValueError>([&] {
                g.get_variable("v", {.shape = vs::Shape{1}, .dtype = vs::DType::kInt32});
              }),
              "Trying to share variable root/towerA/v, but specified dtype int32 and found dtype "
              "float32_ref.");
  }
}

TEST(VariableScopeTest, T2_VarScopeNameScope) {
  vs::Graph g;
  vs::VariableScope tower;
  {
    auto n1 = g.name_scope("testVarScopeNameScope1");
    {
      auto t = g.variable_scope("tower");
      tower = t;
      EXPECT_EQ(NameScope(g, "scope2"), "testVarScopeNameScope1/tower/scope2/");
    }
    {
      auto t = g.variable_scope(tower);  // re-entering acts like another "tower"
      EXPECT_EQ(NameScope(g, "scope2"), "testVarScopeNameScope1/tower_1/scope2/");
    }
    {
      auto t = g.variable_scope("tower");  // re-entering by string acts the same
      EXPECT_EQ(NameScope(g, "scope2"), "testVarScopeNameScope1/tower_2/scope2/");
    }
  }
  {
    auto n2 = g.name_scope("testVarScopeNameScope2");
    {
      auto t = g.variable_scope("tower");
      EXPECT_EQ(NameScope(g, "scope2"), "testVarScopeNameScope2/tower/scope2/");
    }
    {
      auto t = g.variable_scope(tower);
      EXPECT_EQ(NameScope(g, "scope2"), "testVarScopeNameScope2/tower_1/scope2/");
    }
  }
  vs::VariableScope root = g.get_variable_scope();
  {
    auto n3 = g.name_scope("testVarScopeNameScope3");
    auto r = g.variable_scope(root);
    EXPECT_EQ(NameScope(g, "scope2"), "testVarScopeNameScope3/scope2/");
  }
}

TEST(VariableScopeTest, T4_VarOpScope) {
  vs::Graph g;
  {
    auto n1 = g.name_scope("testVarOpScope1");
    {
      auto t = g.variable_scope("tower", {.default_name = "default"});
      EXPECT_EQ(Scalar(g, "w").name(), "tower/w:0");
      EXPECT_EQ(NameScope(g, "testVarOpScope2"), "testVarOpScope1/tower/testVarOpScope2/");
    }
    {
      auto t = g.variable_scope("tower", {.default_name = "default"});
      const std::string msg = error_of<vs::ValueError>([&] { Scalar(g, "w"); });
      EXPECT_EQ(msg.rfind("Variable tower/w already exists, disallowed.", 0), 0u) << msg;
      EXPECT_EQ(NameScope(g, "testVarOpScope2"), "testVarOpScope1/tower_1/testVarOpScope2/");
    }
  }
  {
    auto n2 = g.name_scope("testVarOpScope2");
    {
      auto d = g.variable_scope(std::nullopt, {.default_name = "default"});
      EXPECT_EQ(Scalar(g, "w").name(), "default/w:0");
      EXPECT_EQ(NameScope(g, "testVarOpScope2"), "testVarOpScope2/default/testVarOpScope2/");
    }
    {
      auto d = g.variable_scope(std::nullopt, {.default_name = "default"});
      EXPECT_EQ(Scalar(g, "w").name(), "default_1/w:0");
      EXPECT_EQ(NameScope(g, "testVarOpScope2"), "testVarOpScope2/default_1/testVarOpScope2/");
    }
  }
}

TEST(VariableScopeTest, T5_VarOpScopeUniqueNamesInterleavedSubstringScopes) {
  vs::Graph g;
  auto layer_w = [&g](const std::string& outer) {
    auto o = g.variable_scope(std::nullopt, {.default_name = outer});
    auto l = g.variable_scope(std::nullopt, {.default_name = "layer"});
    return Scalar(g, "w").name();
  };
  EXPECT_EQ(layer_w("defaultScope1"), "defaultScope1/layer/w:0");
  EXPECT_EQ(layer_w("defaultScope1"), "defaultScope1_1/layer/w:0");
  EXPECT_EQ(layer_w("defaultScope"), "defaultScope/layer/w:0");
  EXPECT_EQ(layer_w("defaultScope1"), "defaultScope1_2/layer/w:0");
}

TEST(VariableScopeTest, T6_VarOpScopeUniqueNamesWithJump) {
  vs::Graph g;
  auto def = g.variable_scope("default");
  {
    auto l = g.variable_scope(std::nullopt, {.default_name = "layer"});
    EXPECT_EQ(Scalar(g, "w").name(), "default/layer/w:0");
  }
  {
    auto l = g.variable_scope(std::nullopt, {.default_name = "layer"});
    EXPECT_EQ(Scalar(g, "w").name(), "default/layer_1/w:0");
  }
  { auto jump = g.variable_scope(def); }
  {
    // No matter the jump in the middle, unique numbering continues.
    auto l = g.variable_scope(std::nullopt, {.default_name = "layer"});
    EXPECT_EQ(Scalar(g, "w").name(), "default/layer_2/w:0");
  }
}

TEST(VariableScopeTest, T7_VarOpScopeReuse) {
  vs::Graph g;
  vs::VariableScope outer;
  {
    auto o = g.variable_scope("outer");
    outer = o;
    {
      auto t = g.variable_scope("tower", {.default_name = "default"});
      EXPECT_EQ(Scalar(g, "w").name(), "outer/tower/w:0");
      EXPECT_EQ(NameScope(g, "scope2"), "outer/tower/scope2/");
    }
    {
      auto d = g.variable_scope(std::nullopt, {.default_name = "default"});
      EXPECT_EQ(Scalar(g, "w").name(), "outer/default/w:0");
      EXPECT_EQ(NameScope(g, "scope2"), "outer/default/scope2/");
    }
  }
  {
    auto o = g.variable_scope(outer, {.reuse = kTrue});
    {
      auto t = g.variable_scope("tower", {.default_name = "default"});
      EXPECT_EQ(Scalar(g, "w").name(), "outer/tower/w:0");
      EXPECT_EQ(NameScope(g, "scope2"), "outer_1/tower/scope2/");
    }
    {
      auto d = g.variable_scope(std::nullopt, {.default_name = "default"});
      EXPECT_EQ(Scalar(g, "w").name(), "outer/default/w:0");
      EXPECT_EQ(NameScope(g, "scope2"), "outer_1/default/scope2/");
    }
  }
  EXPECT_EQ(g.global_variables().size(), 2u);
}

TEST(VariableScopeTest, T8_VarOpScopeReuseParamAndOuterScope) {
  {
    // testVarOpScopeReuseParam
    vs::Graph g;
    vs::VariableScope outer;
    {
      auto o = g.variable_scope("outer");
      outer = o;
      {
        auto t = g.variable_scope("tower", {.default_name = "default"});
        EXPECT_EQ(Scalar(g, "w").name(), "outer/tower/w:0");
        EXPECT_EQ(NameScope(g, "scope2"), "outer/tower/scope2/");
      }
      {
        auto d = g.variable_scope(std::nullopt, {.default_name = "default"});
        EXPECT_EQ(Scalar(g, "w").name(), "outer/default/w:0");
        EXPECT_EQ(NameScope(g, "scope2"), "outer/default/scope2/");
      }
    }
    {
      auto o = g.variable_scope(outer);
      {
        auto t = g.variable_scope("tower", {.default_name = "default", .reuse = kTrue});
        EXPECT_EQ(Scalar(g, "w").name(), "outer/tower/w:0");
        EXPECT_EQ(NameScope(g, "scope2"), "outer_1/tower/scope2/");
      }
      o.reuse_variables();
      {
        auto d = g.variable_scope(std::nullopt, {.default_name = "default"});
        EXPECT_EQ(Scalar(g, "w").name(), "outer/default/w:0");
        EXPECT_EQ(NameScope(g, "scope2"), "outer_1/default/scope2/");
      }
    }
    EXPECT_EQ(g.global_variables().size(), 2u);
  }
  {
    // testVarOpScopeOuterScope
    vs::Graph g;
    vs::VariableScope outer;
    {
      auto o = g.variable_scope("outer");
      outer = o;
    }
    {
      auto o = g.variable_scope(outer, {.default_name = "default"});
      EXPECT_EQ(Scalar(g, "w").name(), "outer/w:0");
      EXPECT_EQ(NameScope(g, "scope2"), "outer_1/scope2/");
      auto d = g.variable_scope(std::nullopt, {.default_name = "default"});
      EXPECT_EQ(Scalar(g, "w").name(), "outer/default/w:0");
      EXPECT_EQ(NameScope(g, "scope2"), "outer_1/default/scope2/");
    }
    {
      auto o = g.variable_scope(outer, {.default_name = "default", .reuse = kTrue});
      EXPECT_EQ(Scalar(g, "w").name(), "outer/w:0");
      EXPECT_EQ(NameScope(g, "scope2"), "outer_2/scope2/");
      outer.reuse_variables();
      auto d = g.variable_scope(std::nullopt, {.default_name = "default"});
      EXPECT_EQ(Scalar(g, "w").name(), "outer/default/w:0");
      EXPECT_EQ(NameScope(g, "scope2"), "outer_2/default/scope2/");
    }
    EXPECT_EQ(g.global_variables().size(), 2u);
  }
}
