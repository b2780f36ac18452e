// variable_scope S1-S9: entering, re-entering, name scopes, default names, auxiliary scopes.
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
// S1-S11: variable_scope
// =============================================================================================

TEST(VariableScope, S1_RootScope) {
  vs::Graph g;
  vs::VariableScope root = g.get_variable_scope();
  ASSERT_TRUE(root.valid());
  EXPECT_EQ(root.name(), "");
  EXPECT_EQ(root.original_name_scope(), "");
  EXPECT_EQ(root.reuse(), kFalse);
  EXPECT_EQ(root.dtype(), vs::DType::kFloat32);
  EXPECT_FALSE(root.initializer().has_value());
  EXPECT_TRUE(g.get_variable_scope() == root);
}

TEST(VariableScope, S1_EnteringPushesAScopeAndANameScope) {
  vs::Graph g;
  {
    auto a = g.variable_scope("a");
    EXPECT_EQ(a.name(), "a");
    EXPECT_EQ(a.original_name_scope(), "a/");
    EXPECT_EQ(a.reuse(), kFalse);
    EXPECT_TRUE(g.get_variable_scope() == a);
    EXPECT_EQ(g.get_variable_scope().name(), "a");
    EXPECT_EQ(g.get_name_scope(), "a");
    EXPECT_EQ(ConstName(g, "c"), "a/c:0");
  }
  EXPECT_EQ(g.get_variable_scope().name(), "");
  EXPECT_EQ(g.get_name_scope(), "");
  EXPECT_EQ(ConstName(g, "c"), "c:0");
}

TEST(VariableScope, S2_ObjectReentryJumpsAndTakesTheLastComponent) {
  vs::Graph g;
  vs::VariableScope b;
  {
    auto a = g.variable_scope("a");
    auto inner = g.variable_scope("b");
    b = inner;
    EXPECT_EQ(inner.name(), "a/b");
    EXPECT_EQ(inner.original_name_scope(), "a/b/");
  }
  {
    auto x = g.variable_scope("x");
    auto again = g.variable_scope(b);
    EXPECT_EQ(again.name(), "a/b");
    EXPECT_EQ(again.original_name_scope(), "a/b/");
    // The name scope entered is "b", relative to the current one.
    EXPECT_EQ(g.get_name_scope(), "x/b");
    EXPECT_EQ(Vec1(g, "v").name(), "a/b/v:0");
    EXPECT_EQ(ConstName(g, "c"), "x/b/c:0");
  }
  // Re-entering the root scope enters no name scope.
  vs::VariableScope root = g.get_variable_scope();
  {
    auto n = g.name_scope("n");
    auto r = g.variable_scope(root);
    EXPECT_EQ(r.name(), "");
    EXPECT_EQ(g.get_name_scope(), "n");
    EXPECT_EQ(Vec1(g, "w").name(), "w:0");
    EXPECT_EQ(ConstName(g, "c"), "n/c:0");
  }
}

TEST(VariableScope, S3_BasicAndNestedScopes) {
  vs::Graph g;
  {
    auto foo = g.variable_scope("foo");
    auto bar = g.variable_scope("bar");
    EXPECT_EQ(Vec1(g, "v").name(), "foo/bar/v:0");
  }
  vs::VariableScope tower;
  {
    auto t = g.variable_scope("tower4");
    tower = t;
    EXPECT_EQ(t.name(), "tower4");
    auto sc = g.name_scope("scope");
    EXPECT_EQ(sc.name(), "tower4/scope/");
  }
  {
    auto t5 = g.variable_scope("tower5");
    auto bar = g.variable_scope("bar");
    EXPECT_EQ(bar.name(), "tower5/bar");
    auto sc = g.name_scope("scope");
    EXPECT_EQ(sc.name(), "tower5/bar/scope/");
  }
  {
    auto t6 = g.variable_scope("tower6");
    auto shared = g.variable_scope(tower, {.reuse = kTrue});
    EXPECT_EQ(shared.name(), "tower4");
    auto sc = g.name_scope("scope");
    EXPECT_EQ(sc.name(), "tower6/tower4/scope/");
  }
}

TEST(VariableScope, S4_VariablesDependOnlyOnTheScopeName) {
  vs::Graph g;
  vs::Variable w;
  vs::VariableScope scope;
  {
    auto s = g.variable_scope("v_scope");
    scope = s;
    w = Vec1(g, "w");
    EXPECT_EQ(w.name(), "v_scope/w:0");
    EXPECT_EQ((w * 2.0f).name(), "v_scope/mul:0");
    EXPECT_EQ(s.original_name_scope(), "v_scope/");
  }
  {
    auto s2 = g.variable_scope(scope, {.reuse = kTrue});
    vs::Variable again = Vec1(g, "w");
    EXPECT_TRUE(again == w);
    EXPECT_EQ(again.name(), "v_scope/w:0");
    EXPECT_EQ((w * 2.0f).name(), "v_scope_1/mul:0");
    EXPECT_EQ(s2.original_name_scope(), "v_scope/");
  }
  {
    auto s3 = g.variable_scope("v_scope", {.reuse = kTrue});
    EXPECT_EQ((w * 2.0f).name(), "v_scope_2/mul:0");
    EXPECT_EQ(s3.original_name_scope(), "v_scope_2/");
    EXPECT_TRUE(Vec1(g, "w") == w);
  }
}

TEST(VariableScope, S5_T3_OriginalNameScope) {
  vs::Graph g;
  vs::VariableScope tower;
  {
    auto scope1 = g.name_scope("scope1");
    auto t = g.variable_scope("tower");
    tower = t;
    EXPECT_EQ(t.original_name_scope(), "scope1/tower/");
    EXPECT_EQ(NameScope(g, "scope2"), "scope1/tower/scope2/");
  }
  {
    auto scope2 = g.name_scope("scope2");
    {
      auto tower1 = g.variable_scope(tower);
      EXPECT_EQ(tower1.original_name_scope(), "scope1/tower/");  // preserved
      EXPECT_EQ(NameScope(g, "foo"), "scope2/tower/foo/");
    }
    {
      auto original = g.name_scope(tower.original_name_scope());
      EXPECT_EQ(NameScope(g, "bar"), "scope1/tower/bar/");
    }
  }
  {
    auto scope2 = g.name_scope("scope2");
    auto t = g.variable_scope(tower);
    auto original = g.name_scope(tower.original_name_scope());
    EXPECT_EQ(NameScope(g, "bar"), "scope1/tower/bar_1/");
  }
}

TEST(VariableScope, S6_DefaultNameDivergesFromTheGraphName) {
  vs::Graph g;
  vs::constant(g, 1.0f, {.name = "layer"});
  auto s = g.variable_scope(std::nullopt, {.default_name = "layer"});
  EXPECT_EQ(s.name(), "layer");
  EXPECT_EQ(s.original_name_scope(), "layer_1/");
  EXPECT_EQ(Scalar(g, "w").name(), "layer/w:0");
  EXPECT_EQ(ConstName(g, "c"), "layer_1/c:0");
}

TEST(VariableScope, S6_StringScopesCountForDefaultNames) {
  vs::Graph g;
  { auto foo = g.variable_scope("foo"); }
  auto s = g.variable_scope(std::nullopt, {.default_name = "foo"});
  EXPECT_EQ(s.name(), "foo_1");
  EXPECT_EQ(s.original_name_scope(), "foo_1/");
}

TEST(VariableScope, S6_CountersRestartWhenTheParentStringScopeExits) {
  vs::Graph g;
  {
    auto p = g.variable_scope("p");
    {
      auto d = g.variable_scope(std::nullopt, {.default_name = "d"});
      EXPECT_EQ(d.name(), "p/d");
    }
    {
      auto d = g.variable_scope(std::nullopt, {.default_name = "d"});
      EXPECT_EQ(d.name(), "p/d_1");
    }
  }
  {
    auto p = g.variable_scope("p");
    EXPECT_EQ(p.original_name_scope(), "p_1/");
    auto d = g.variable_scope(std::nullopt, {.default_name = "d"});
    EXPECT_EQ(d.name(), "p/d");
    EXPECT_EQ(d.original_name_scope(), "p_1/d/");
  }
  // The root level is never closed: its counters persist.
  {
    auto d = g.variable_scope(std::nullopt, {.default_name = "d"});
    EXPECT_EQ(d.name(), "d");
  }
  {
    auto d = g.variable_scope(std::nullopt, {.default_name = "d"});
    EXPECT_EQ(d.name(), "d_1");
  }
}

TEST(VariableScope, S7_DefaultNameDocstringExample) {
  vs::Graph g;
  vs::VariableScope foo;
  {
    auto f = g.variable_scope("foo");
    foo = f;
    {
      auto bar = g.variable_scope(std::nullopt, {.default_name = "bar"});
      EXPECT_EQ(Vec1(g, "a").name(), "foo/bar/a:0");
    }
    {
      auto bar = g.variable_scope(std::nullopt, {.default_name = "bar"});
      EXPECT_EQ(Vec1(g, "b").name(), "foo/bar_1/b:0");
    }
  }
  {
    auto f = g.variable_scope(foo);
    auto bar = g.variable_scope(std::nullopt, {.default_name = "bar"});
    EXPECT_EQ(Vec1(g, "c").name(), "foo/bar/c:0");  // bar, not bar_2
  }
}

TEST(VariableScope, S8_ReenterOuterScope) {
  vs::Graph g;
  vs::VariableScope outer;
  {
    auto o = g.variable_scope("outer");
    outer = o;
  }
  {
    auto o = g.variable_scope(outer);
    EXPECT_EQ(Scalar(g, "w").name(), "outer/w:0");
    EXPECT_EQ(NameScope(g, "scope2"), "outer_1/scope2/");
    auto d = g.variable_scope("default");
    EXPECT_EQ(Scalar(g, "w").name(), "outer/default/w:0");
    EXPECT_EQ(NameScope(g, "scope2"), "outer_1/default/scope2/");
  }
  {
    auto o = g.variable_scope(outer, {.reuse = kTrue});
    EXPECT_EQ(Scalar(g, "w").name(), "outer/w:0");
    EXPECT_EQ(NameScope(g, "scope2"), "outer_2/scope2/");
    auto d = g.variable_scope("default", {.reuse = kTrue});
    EXPECT_EQ(Scalar(g, "w").name(), "outer/default/w:0");
    EXPECT_EQ(NameScope(g, "scope2"), "outer_2/default/scope2/");
  }
}

TEST(VariableScope, S8_ReenterNestedOuterScope) {
  vs::Graph g;
  auto outer = g.variable_scope("outer");
  {
    auto o = g.variable_scope(outer);
    EXPECT_EQ(Scalar(g, "w").name(), "outer/w:0");
    EXPECT_EQ(NameScope(g, "scope2"), "outer/outer/scope2/");
  }
  {
    auto d = g.variable_scope("default");
    EXPECT_EQ(Scalar(g, "w").name(), "outer/default/w:0");
    EXPECT_EQ(NameScope(g, "scope2"), "outer/default/scope2/");
  }
  {
    auto o = g.variable_scope(outer, {.reuse = kTrue});
    EXPECT_EQ(Scalar(g, "w").name(), "outer/w:0");
    EXPECT_EQ(NameScope(g, "scope2"), "outer/outer_1/scope2/");
  }
  {
    auto d = g.variable_scope("default", {.reuse = kTrue});
    EXPECT_EQ(Scalar(g, "w").name(), "outer/default/w:0");
    EXPECT_EQ(NameScope(g, "scope2"), "outer/default_1/scope2/");
  }
}

TEST(VariableScope, S9_AuxiliaryNameScopeFalse) {
  vs::Graph g;
  vs::VariableScope scope;
  {
    auto s = g.variable_scope("scope", {.auxiliary_name_scope = false});
    scope = s;
    EXPECT_EQ(s.original_name_scope(), "");
    EXPECT_EQ(Scalar(g, "w").name(), "scope/w:0");
    EXPECT_EQ(ConstName(g, "c"), "c:0");
  }
  {
    auto s = g.variable_scope(scope, {.auxiliary_name_scope = false});
    EXPECT_EQ(s.original_name_scope(), "");
    EXPECT_EQ(Scalar(g, "w1").name(), "scope/w1:0");
    EXPECT_EQ(ConstName(g, "c1"), "c1:0");
  }
  {
    // The name "scope" was never taken.
    auto s = g.name_scope("scope");
    EXPECT_EQ(ConstName(g, "c"), "scope/c:0");
  }
  {
    auto outer = g.variable_scope("outer");
    vs::VariableScope inner;
    {
      auto i = g.variable_scope("inner", {.auxiliary_name_scope = false});
      inner = i;
      EXPECT_EQ(i.original_name_scope(), "outer/");
      EXPECT_EQ(Scalar(g, "w").name(), "outer/inner/w:0");
      EXPECT_EQ(ConstName(g, "c"), "outer/c:0");
    }
    {
      auto i1 = g.variable_scope(inner, {.auxiliary_name_scope = false});
      EXPECT_EQ(i1.original_name_scope(), "outer/");
      EXPECT_EQ(Scalar(g, "w1").name(), "outer/inner/w1:0");
      EXPECT_EQ(ConstName(g, "c1"), "outer/c1:0");
    }
    {
      auto ns = g.name_scope("inner");
      EXPECT_EQ(ConstName(g, "c"), "outer/inner/c:0");
    }
  }
}

TEST(VariableScope, S9_DefaultNameWithAuxiliaryNameScopeFalse) {
  vs::Graph g;
  {
    auto s =
        g.variable_scope(std::nullopt, {.default_name = "default", .auxiliary_name_scope = false});
    EXPECT_EQ(s.original_name_scope(), "");
    EXPECT_EQ(Scalar(g, "w").name(), "default/w:0");
    EXPECT_EQ(ConstName(g, "c"), "c:0");
  }
  {
    auto ns = g.name_scope("default");
    EXPECT_EQ(ConstName(g, "c"), "default/c:0");
  }
  {
    auto outer = g.variable_scope("outer");
    {
      auto inner = g.variable_scope(std::nullopt,
                                    {.default_name = "default", .auxiliary_name_scope = false});
      EXPECT_EQ(inner.original_name_scope(), "outer/");
      EXPECT_EQ(Scalar(g, "w").name(), "outer/default/w:0");
      EXPECT_EQ(ConstName(g, "c"), "outer/c:0");
    }
    auto ns = g.name_scope("default");
    EXPECT_EQ(ConstName(g, "c"), "outer/default/c:0");
  }
}

TEST(VariableScope, S9_ReenterRootWithAuxiliaryNameScopeFalse) {
  vs::Graph g;
  vs::VariableScope root = g.get_variable_scope();
  {
    auto s = g.variable_scope(root, {.auxiliary_name_scope = false});
    EXPECT_EQ(s.original_name_scope(), "");
    EXPECT_EQ(Scalar(g, "w").name(), "w:0");
    EXPECT_EQ(ConstName(g, "c"), "c:0");
  }
  {
    auto outer = g.variable_scope("outer2");
    auto s = g.variable_scope(root, {.auxiliary_name_scope = false});
    EXPECT_EQ(s.original_name_scope(), "");
    EXPECT_EQ(Scalar(g, "w1").name(), "w1:0");
    EXPECT_EQ(ConstName(g, "c1"), "outer2/c1:0");
  }
}

TEST(VariableScope, S9_ReenterSafelyDocstringExample) {
  vs::Graph g;
  vs::VariableScope foo;
  {
    auto f = g.variable_scope("foo");
    foo = f;
  }
  auto vs1 = g.variable_scope(foo, {.auxiliary_name_scope = false});
  EXPECT_EQ(vs1.original_name_scope(), "foo/");
  auto ns = g.name_scope(vs1.original_name_scope());
  EXPECT_EQ(Vec1(g, "v").name(), "foo/v:0");
  EXPECT_EQ(ConstName(g, "c"), "foo/c:0");
}
