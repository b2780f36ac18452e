// variable_scope and reuse: docs/tf1-semantics.md sections 2 (S1-S11), 3 (R1-R10) and the
// cases of TF's variable_scope_test.py listed in section 8 (T1-T16; T14 custom getters and T15
// partitioners are not part of varscope). Errors E10, E14, E15 of docs/errors.md.
// Expected strings are what TF 1.15 prints.
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
#include "varscope/varscope.h"

namespace vs = varscope;

namespace {

constexpr const char* kThisFile = "variable_scope_test.cpp";

using varscope::testing::error_of;

using varscope::testing::DoesNotExist;
using varscope::testing::HasNumber;
using varscope::testing::Names;
using varscope::testing::NameScope;
using varscope::testing::Scalar;
using varscope::testing::Vec1;

void ExpectAlreadyExists(const std::string& message, const std::string& store_name, int line) {
  varscope::testing::ExpectAlreadyExists(message, store_name, kThisFile, line);
}

std::string ConstName(vs::Graph& g, const std::string& name) {
  return vs::constant(g, 0.0f, {.name = name}).name();
}

constexpr vs::Reuse kTrue = vs::Reuse::kTrue;
constexpr vs::Reuse kFalse = vs::Reuse::kFalse;
constexpr vs::Reuse kAuto = vs::Reuse::kAuto;

}  // namespace

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

TEST(VariableScope, S10_E10_NoNameAndNoDefaultName) {
  vs::Graph g;
  EXPECT_EQ(error_of<vs::TypeError>([&] { auto s = g.variable_scope(std::nullopt, {}); }),
            "If default_name is None then name_or_scope is required");
  EXPECT_EQ(g.get_variable_scope().name(), "");
  EXPECT_EQ(g.get_name_scope(), "");
}

TEST(VariableScope, S10_E14_ReuseWithoutAName) {
  vs::Graph g;
  EXPECT_EQ(error_of<vs::ValueError>([&] {
              auto s = g.variable_scope(std::nullopt, {.default_name = "default", .reuse = kTrue});
            }),
            "reuse=True cannot be used without a name_or_scope");
  // AUTO_REUSE is truthy too.
  EXPECT_EQ(error_of<vs::ValueError>([&] {
              auto s = g.variable_scope(std::nullopt, {.default_name = "default", .reuse = kAuto});
            }),
            "reuse=True cannot be used without a name_or_scope");
  // The check comes before the name scope is entered: "default" is still free.
  EXPECT_EQ(g.get_variable_scope().name(), "");
  auto s = g.variable_scope(std::nullopt, {.default_name = "default", .reuse = kFalse});
  EXPECT_EQ(s.name(), "default");
  EXPECT_EQ(s.original_name_scope(), "default/");
}

TEST(VariableScope, S10_ScopeNamesAreValidated) {
  vs::Graph g;
  EXPECT_EQ(error_of<vs::ValueError>([&] { auto s = g.variable_scope("_"); }),
            "'_' is not a valid scope name");
  EXPECT_EQ(error_of<vs::ValueError>([&] { auto s = g.variable_scope("a b"); }),
            "'a b' is not a valid scope name");
  auto a = g.variable_scope("a");
  auto u = g.variable_scope("_x");  // nested: a leading '_' is allowed
  EXPECT_EQ(u.name(), "a/_x");
  EXPECT_EQ(u.original_name_scope(), "a/_x/");
}

TEST(VariableScope, S11_DtypeIsInherited) {
  vs::Graph g;
  vs::VariableScope tower;
  {
    auto t = g.variable_scope("tower2");
    tower = t;
    {
      auto foo = g.variable_scope("foo", {.dtype = vs::DType::kFloat16});
      EXPECT_EQ(foo.dtype(), vs::DType::kFloat16);
      EXPECT_EQ(Scalar(g, "v").dtype(), vs::DType::kFloat16);
      auto child = g.variable_scope("child");
      EXPECT_EQ(child.dtype(), vs::DType::kFloat16);
      EXPECT_EQ(Scalar(g, "u").dtype(), vs::DType::kFloat16);
    }
    {
      auto again = g.variable_scope(tower, {.dtype = vs::DType::kFloat16});
      EXPECT_EQ(Scalar(g, "w").dtype(), vs::DType::kFloat16);
    }
  }
  EXPECT_EQ(tower.dtype(), vs::DType::kFloat32);
  // An object re-entry copies the captured scope, not the parent.
  {
    auto half = g.variable_scope("half", {.dtype = vs::DType::kFloat16});
    auto t = g.variable_scope(tower);
    EXPECT_EQ(t.dtype(), vs::DType::kFloat32);
    EXPECT_EQ(Scalar(g, "x").dtype(), vs::DType::kFloat32);
  }
  // An explicit dtype wins over the scope's.
  {
    auto half = g.variable_scope("half2", {.dtype = vs::DType::kFloat16});
    EXPECT_EQ(g.get_variable("y", {.shape = vs::Shape(), .dtype = vs::DType::kFloat64}).dtype(),
              vs::DType::kFloat64);
  }
}

TEST(VariableScope, S11_InitializerIsInherited) {
  vs::Graph g;
  vs::VariableScope plain;
  {
    auto p = g.variable_scope("plain");
    plain = p;
  }
  {
    auto a = g.variable_scope("a", {.initializer = vs::constant_initializer(0.3)});
    ASSERT_TRUE(a.initializer().has_value());
    EXPECT_EQ(a.initializer()->kind(), vs::Initializer::Kind::kConstant);
    EXPECT_EQ(a.initializer()->params().values, std::vector<double>{0.3});
    {
      auto b = g.variable_scope("b");
      ASSERT_TRUE(b.initializer().has_value());
      EXPECT_EQ(b.initializer()->kind(), vs::Initializer::Kind::kConstant);
      EXPECT_EQ(b.initializer()->params().values, std::vector<double>{0.3});
    }
    {
      auto c = g.variable_scope("c", {.initializer = vs::zeros_initializer()});
      ASSERT_TRUE(c.initializer().has_value());
      EXPECT_EQ(c.initializer()->kind(), vs::Initializer::Kind::kZeros);
    }
    {
      // Copied from the captured scope, which has none.
      auto p = g.variable_scope(plain);
      EXPECT_FALSE(p.initializer().has_value());
    }
  }
}

TEST(VariableScope, S11_SetInitializerAndDtypeStayInTheirScope) {
  vs::Graph g;
  {
    auto bar = g.variable_scope("bar");
    EXPECT_FALSE(g.get_variable_scope().initializer().has_value());
    g.get_variable_scope().set_initializer(vs::constant_initializer(0.3));
    EXPECT_TRUE(bar.initializer().has_value());
    vs::Variable v = Scalar(g, "v");
    EXPECT_EQ(v.initial_value().name(), "bar/v/Initializer/Const:0");
    EXPECT_FLOAT_EQ(
        static_cast<float>(v.initial_value().op().attr_tensor("value").element_as_double(0)), 0.3f);
    bar.set_dtype(vs::DType::kFloat64);
    EXPECT_EQ(Scalar(g, "d").dtype(), vs::DType::kFloat64);
    auto child = g.variable_scope("child");
    EXPECT_TRUE(child.initializer().has_value());
    EXPECT_EQ(child.dtype(), vs::DType::kFloat64);
  }
  EXPECT_FALSE(g.get_variable_scope().initializer().has_value());
  EXPECT_EQ(g.get_variable_scope().dtype(), vs::DType::kFloat32);
  EXPECT_EQ(Scalar(g, "r").dtype(), vs::DType::kFloat32);
}

// =============================================================================================
// R1-R10: reuse
// =============================================================================================

TEST(Reuse, R1_StoreDecision) {
  vs::Graph g;
  vs::Variable v;
  {
    // AUTO_REUSE creates when missing...
    auto s = g.variable_scope("foo", {.reuse = kAuto});
    v = Vec1(g, "v");
    EXPECT_EQ(v.name(), "foo/v:0");
    // ...and returns when present.
    EXPECT_TRUE(Vec1(g, "v") == v);
  }
  {
    auto s = g.variable_scope("foo", {.reuse = kTrue});
    EXPECT_TRUE(Vec1(g, "v") == v);
    EXPECT_EQ(error_of<vs::ValueError>([&] { Vec1(g, "u"); }), DoesNotExist("foo/u"));
  }
  {
    auto s = g.variable_scope("foo");
    EXPECT_EQ(Vec1(g, "u").name(), "foo/u:0");
    const std::string msg = error_of<vs::ValueError>([&] { Vec1(g, "v"); });
    EXPECT_EQ(msg.rfind("Variable foo/v already exists, disallowed.", 0), 0u) << msg;
  }
  EXPECT_EQ(g.global_variables().size(), 2u);
}

TEST(Reuse, R2_InheritanceTable) {
  vs::Graph g;
  EXPECT_EQ(g.get_variable_scope().reuse(), kFalse);
  {
    auto a = g.variable_scope("a");
    EXPECT_EQ(a.reuse(), kFalse);
  }
  {
    auto a = g.variable_scope("a", {.reuse = kFalse});
    EXPECT_EQ(a.reuse(), kFalse);
  }
  vs::VariableScope not_reusing;
  {
    auto n = g.variable_scope("n");
    not_reusing = n;
  }
  {
    auto a = g.variable_scope("a", {.reuse = kTrue});
    EXPECT_EQ(a.reuse(), kTrue);
    {
      auto b = g.variable_scope("b");
      EXPECT_EQ(b.reuse(), kTrue);
    }
    {
      auto b = g.variable_scope("b", {.reuse = kFalse});  // cannot be undone
      EXPECT_EQ(b.reuse(), kTrue);
    }
    {
      auto b = g.variable_scope("b", {.reuse = kAuto});
      EXPECT_EQ(b.reuse(), kAuto);
    }
    {
      // The captured value wins over the parent's.
      auto n = g.variable_scope(not_reusing);
      EXPECT_EQ(n.reuse(), kFalse);
    }
  }
  {
    auto a = g.variable_scope("auto", {.reuse = kAuto});
    EXPECT_EQ(a.reuse(), kAuto);
    {
      auto b = g.variable_scope("b");
      EXPECT_EQ(b.reuse(), kAuto);
    }
    {
      auto b = g.variable_scope("b", {.reuse = kFalse});
      EXPECT_EQ(b.reuse(), kAuto);
    }
    {
      auto b = g.variable_scope("b", {.reuse = kTrue});
      EXPECT_EQ(b.reuse(), kTrue);
    }
  }
}

TEST(Reuse, R3_ReuseVariables) {
  vs::Graph g;
  vs::VariableScope foo;
  {
    auto scope = g.variable_scope("foo");
    foo = scope;
    vs::Variable v = Vec1(g, "v");
    scope.reuse_variables();
    EXPECT_EQ(scope.reuse(), kTrue);
    EXPECT_EQ(g.get_variable_scope().reuse(), kTrue);
    EXPECT_TRUE(Vec1(g, "v") == v);
    auto child = g.variable_scope("child");  // entered afterwards: inherits
    EXPECT_EQ(child.reuse(), kTrue);
  }
  {
    auto bar = g.variable_scope("bar");
    g.get_variable_scope().reuse_variables();
    EXPECT_EQ(error_of<vs::ValueError>([&] { Vec1(g, "w"); }), DoesNotExist("bar/w"));
  }
  // Later object re-entries of that object see it.
  {
    auto again = g.variable_scope(foo);
    EXPECT_EQ(again.reuse(), kTrue);
  }
  // A fresh string re-entry builds a new object that inherits from its parent.
  {
    auto fresh = g.variable_scope("foo");
    EXPECT_EQ(fresh.reuse(), kFalse);
  }
}

TEST(Reuse, R3_ReuseVariablesOnTheRootScope) {
  vs::Graph g;
  vs::Variable x = Vec1(g, "x");
  g.get_variable_scope().reuse_variables();
  EXPECT_EQ(g.get_variable_scope().reuse(), kTrue);
  EXPECT_TRUE(Vec1(g, "x") == x);
  EXPECT_EQ(error_of<vs::ValueError>([&] { Vec1(g, "y"); }), DoesNotExist("y"));
  auto a = g.variable_scope("a");
  EXPECT_EQ(a.reuse(), kTrue);
}

TEST(Reuse, R4_AutoReuse) {
  vs::Graph g;
  auto foo = [&g] {
    auto s = g.variable_scope("foo", {.reuse = kAuto});
    vs::Variable v = Vec1(g, "v");
    return std::make_pair(v, ConstName(g, "c"));
  };
  auto [v1, c1] = foo();
  auto [v2, c2] = foo();
  EXPECT_TRUE(v1 == v2);
  EXPECT_EQ(v1.name(), "foo/v:0");
  EXPECT_EQ(v2.name(), "foo/v:0");
  // The name scopes still uniquify.
  EXPECT_EQ(c1, "foo/c:0");
  EXPECT_EQ(c2, "foo_1/c:0");
  EXPECT_EQ(g.global_variables().size(), 1u);
}

TEST(Reuse, R5_AlreadyExists) {
  vs::Graph g;
  auto foo = g.variable_scope("foo");
  const int line = __LINE__ + 1;
  vs::Variable v = g.get_variable("v", {.shape = vs::Shape{1}});
  const std::string msg = error_of<vs::ValueError>([&] { Vec1(g, "v"); });
  ExpectAlreadyExists(msg, "foo/v", line);
  EXPECT_EQ(g.global_variables().size(), 1u);
}

TEST(Reuse, R6_DoesNotExist) {
  vs::Graph g;
  {
    auto s = g.variable_scope("foo", {.reuse = kTrue});
    EXPECT_EQ(error_of<vs::ValueError>([&] { Vec1(g, "v"); }), DoesNotExist("foo/v"));
  }
  // A variable made by tf.Variable is not in the store.
  vs::Variable made = g.variable(1.0f, {.name = "bar/v"});
  EXPECT_EQ(made.name(), "bar/v:0");
  {
    auto s = g.variable_scope("bar", {.reuse = kTrue});
    EXPECT_EQ(error_of<vs::ValueError>([&] { Vec1(g, "v"); }), DoesNotExist("bar/v"));
  }
}

TEST(Reuse, R7_ShapeMismatch) {
  vs::Graph g;
  vs::Variable v;
  {
    auto s = g.variable_scope("foo");
    v = Vec1(g, "v");
  }
  auto s = g.variable_scope("foo", {.reuse = kTrue});
  EXPECT_EQ(error_of<vs::ValueError>([&] { g.get_variable("v", {.shape = vs::Shape{2}}); }),
            "Trying to share variable foo/v, but specified shape (2,) and found shape (1,).");
  EXPECT_EQ(error_of<vs::ValueError>([&] {
              g.get_variable("v", {.shape = vs::Shape{1, 1}});
            }),
            "Trying to share variable foo/v, but specified shape (1, 1) and found shape (1,).");
  EXPECT_EQ(error_of<vs::ValueError>([&] { g.get_variable("v", {.shape = vs::Shape()}); }),
            "Trying to share variable foo/v, but specified shape () and found shape (1,).");
  // Unknown shapes and dims are compatible.
  EXPECT_TRUE(g.get_variable("v") == v);
  EXPECT_TRUE(g.get_variable("v", {.shape = vs::Shape{vs::kUnknownDim}}) == v);
  EXPECT_TRUE(g.get_variable("v", {.shape = vs::Shape::unknown_rank()}) == v);
}

TEST(Reuse, R8_DtypeMismatch) {
  vs::Graph g;
  vs::Variable v;
  {
    auto s = g.variable_scope("foo");
    v = Vec1(g, "v");
  }
  {
    auto s = g.variable_scope("foo", {.reuse = kTrue});
    EXPECT_EQ(error_of<vs::ValueError>([&] {
                g.get_variable("v", {.shape = vs::Shape{1}, .dtype = vs::DType::kInt32});
              }),
              "Trying to share variable foo/v, but specified dtype int32 and found dtype "
              "float32_ref.");
    EXPECT_TRUE(g.get_variable("v", {.shape = vs::Shape{1}, .dtype = vs::DType::kFloat32}) == v);
  }
  // Without dtype=, the scope's float32 is specified.
  vs::Variable t = g.get_variable("t", {.shape = vs::Shape{1}, .dtype = vs::DType::kInt32});
  EXPECT_EQ(t.dtype(), vs::DType::kInt32);
  {
    auto root = g.variable_scope(g.get_variable_scope(), {.reuse = kTrue});
    EXPECT_EQ(error_of<vs::ValueError>([&] { Vec1(g, "t"); }),
              "Trying to share variable t, but specified dtype float32 and found dtype int32_ref.");
    EXPECT_TRUE(g.get_variable("t", {.shape = vs::Shape{1}, .dtype = vs::DType::kInt32}) == t);
  }
}

TEST(Reuse, R9_ReuseIgnoresInitializerTrainableAndCollections) {
  vs::Graph g;
  vs::Variable v;
  {
    auto s = g.variable_scope("foo");
    v = g.get_variable("v", {.shape = vs::Shape{2},
                             .initializer = vs::zeros_initializer(),
                             .trainable = false,
                             .collections = std::vector<std::string>{"mine"}});
  }
  const std::size_t ops_before = g.num_operations();
  {
    auto s = g.variable_scope("foo", {.reuse = kTrue});
    vs::Variable r = g.get_variable("v", {.shape = vs::Shape{2},
                                          .initializer = vs::ones_initializer(),
                                          .trainable = true,
                                          .collections = std::vector<std::string>{"other"}});
    EXPECT_TRUE(r == v);
  }
  // Reuse builds nothing and changes no collection.
  EXPECT_EQ(g.num_operations(), ops_before);
  EXPECT_FALSE(v.trainable());
  EXPECT_TRUE(g.trainable_variables().empty());
  EXPECT_TRUE(g.get_collection("other").empty());
  EXPECT_EQ(Names(g.get_collection("mine")), std::vector<std::string>{"foo/v:0"});
  EXPECT_EQ(v.initial_value().name(), "foo/v/Initializer/zeros:0");
}

TEST(Reuse, R9_InitializerChecksStillApplyOnReuse) {
  vs::Graph g;
  vs::Variable v = Vec1(g, "v");
  auto root = g.variable_scope(g.get_variable_scope(), {.reuse = kTrue});
  vs::Tensor f = vs::constant(g, 1.0f);
  EXPECT_EQ(error_of<vs::ValueError>(
                [&] { g.get_variable("v", {.shape = vs::Shape{1}, .initializer = f}); }),
            "If initializer is a constant, do not specify shape.");
  vs::Tensor i = vs::constant(g, 1);
  EXPECT_EQ(error_of<vs::ValueError>(
                [&] { g.get_variable("v", {.dtype = vs::DType::kFloat64, .initializer = i}); }),
            "Initializer type '<dtype: 'int32'>' and explicit dtype '<dtype: 'float64'>' don't "
            "match.");
  // A different callable initializer is allowed and has no effect.
  EXPECT_TRUE(g.get_variable("v", {.shape = vs::Shape{1}, .initializer = vs::ones_initializer()}) ==
              v);
}

TEST(Reuse, R10_ReuseDoesNotAffectOpNaming) {
  vs::Graph g;
  vs::Variable v;
  vs::Variable w;
  {
    auto s = g.variable_scope("foo");
    v = Vec1(g, "v");
    EXPECT_EQ(ConstName(g, "c"), "foo/c:0");
    w = g.variable(1.0f, {.name = "w"});
    EXPECT_EQ(w.name(), "foo/w:0");
  }
  {
    auto s = g.variable_scope("foo", {.reuse = kTrue});
    EXPECT_TRUE(Vec1(g, "v") == v);
    EXPECT_EQ(ConstName(g, "c"), "foo_1/c:0");
    vs::Variable w2 = g.variable(1.0f, {.name = "w"});
    EXPECT_EQ(w2.name(), "foo_1/w:0");
    EXPECT_FALSE(w2 == w);
  }
}

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
