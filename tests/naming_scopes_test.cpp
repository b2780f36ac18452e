// Naming N6-N9: name_scope re-entry, absolute and reset scopes, default_name, name checks.
#include <gtest/gtest.h>

#include <exception>
#include <optional>
#include <string>
#include <typeinfo>
#include <vector>

#include "naming_test_util.h"
#include "test_util.h"
#include "varscope/varscope.h"

namespace vs = varscope;
using naming_test::Const;

namespace {

using varscope::testing::error_of;

}  // namespace

// ---------------------------------------------------------------------------------------------
// N6. Re-entering a name scope
// ---------------------------------------------------------------------------------------------

TEST(Naming, N6_NameScopeReentry) {
  vs::Graph g;
  {
    auto s = g.name_scope("V1");
    EXPECT_EQ(s.name(), "V1/");
  }
  {
    auto s = g.name_scope("V1");
    EXPECT_EQ(s.name(), "V1_1/");
  }
  {
    auto s = g.name_scope("V1/");
    EXPECT_EQ(s.name(), "V1/");
  }
  {
    auto s = g.name_scope("V1");
    EXPECT_EQ(s.name(), "V1_2/");
  }
}

TEST(Naming, N6_DocstringExample) {
  vs::Graph g;
  EXPECT_EQ(vs::constant(g, 5.0f, {.name = "c"}).op().name(), "c");
  EXPECT_EQ(vs::constant(g, 6.0f, {.name = "c"}).op().name(), "c_1");
  auto scope = g.name_scope("nested");
  EXPECT_EQ(scope.name(), "nested/");
  EXPECT_EQ(vs::constant(g, 10.0f, {.name = "c"}).op().name(), "nested/c");
  {
    auto inner = g.name_scope("inner");
    EXPECT_EQ(vs::constant(g, 20.0f, {.name = "c"}).op().name(), "nested/inner/c");
  }
  {
    auto inner = g.name_scope("inner");
    EXPECT_EQ(vs::constant(g, 30.0f, {.name = "c"}).op().name(), "nested/inner_1/c");
    {
      auto again = g.name_scope(scope.name());
      EXPECT_EQ(again.name(), "nested/");
      EXPECT_EQ(vs::constant(g, 40.0f, {.name = "d"}).op().name(), "nested/d");
      {
        auto root = g.name_scope("");
        EXPECT_EQ(vs::constant(g, 50.0f, {.name = "e"}).op().name(), "e");
      }
    }
  }
}

// ---------------------------------------------------------------------------------------------
// N7. Graph.name_scope semantics
// ---------------------------------------------------------------------------------------------

TEST(Naming, N7_NulloptAndEmptyResetToRoot) {
  vs::Graph g;
  auto a = g.name_scope("a");
  EXPECT_EQ(g.get_name_scope(), "a");
  {
    auto s = g.name_scope(std::nullopt);
    EXPECT_EQ(s.name(), "");
    EXPECT_EQ(g.get_name_scope(), "");
    EXPECT_EQ(Const(g, "c").name(), "c:0");
  }
  {
    auto s = g.name_scope("");
    EXPECT_EQ(s.name(), "");
    EXPECT_EQ(g.get_name_scope(), "");
    EXPECT_EQ(Const(g, "c").name(), "c_1:0");
  }
  // Leaving the reset scope restores "a".
  EXPECT_EQ(g.get_name_scope(), "a");
  EXPECT_EQ(Const(g, "c").name(), "a/c:0");
}

TEST(Naming, N7_AbsoluteScopeIsNotMarkedUsed) {
  vs::Graph g;
  {
    auto s = g.name_scope("X/");
    EXPECT_EQ(s.name(), "X/");
    EXPECT_EQ(Const(g, "c").name(), "X/c:0");
  }
  {
    auto s = g.name_scope("X");
    EXPECT_EQ(s.name(), "X/");
    // The absolute scope marked only "x/c".
    EXPECT_EQ(Const(g, "c").name(), "X/c_1:0");
  }
}

TEST(Naming, N7_AbsoluteScopeIgnoresTheCurrentStack) {
  vs::Graph g;
  auto a = g.name_scope("a/");
  EXPECT_EQ(a.name(), "a/");
  auto b = g.name_scope("b/");
  EXPECT_EQ(b.name(), "b/");
  EXPECT_EQ(g.get_name_scope(), "b");
  EXPECT_EQ(Const(g, "c").name(), "b/c:0");
}

TEST(Naming, N7_SlashInRelativeNameIsOneString) {
  vs::Graph g;
  {
    auto s = g.name_scope("a/b");
    EXPECT_EQ(s.name(), "a/b/");
    EXPECT_EQ(g.get_name_scope(), "a/b");
  }
  {
    auto s = g.name_scope("a/b");
    EXPECT_EQ(s.name(), "a/b_1/");
  }
  // "a" itself was never taken.
  {
    auto s = g.name_scope("a");
    EXPECT_EQ(s.name(), "a/");
  }
}

TEST(Naming, N7_OpsAndScopesShareOneNamespace) {
  vs::Graph g;
  vs::constant(g, 1.0f, {.name = "V1"});
  auto s = g.name_scope("V1");
  EXPECT_EQ(s.name(), "V1_1/");
}

TEST(Naming, N7_NestedScopesAndGetNameScope) {
  vs::Graph g;
  EXPECT_EQ(g.get_name_scope(), "");
  {
    auto a = g.name_scope("a");
    auto b = g.name_scope("b");
    EXPECT_EQ(b.name(), "a/b/");
    EXPECT_EQ(g.get_name_scope(), "a/b");
  }
  EXPECT_EQ(g.get_name_scope(), "");
  {
    auto a = g.name_scope("a");
    EXPECT_EQ(a.name(), "a_1/");
    auto b = g.name_scope("b");
    EXPECT_EQ(b.name(), "a_1/b/");
  }
}

// ---------------------------------------------------------------------------------------------
// N8. tf.name_scope(name, default_name)
// ---------------------------------------------------------------------------------------------

TEST(Naming, N8_DefaultName) {
  vs::Graph g;
  {
    auto s = g.name_scope(std::nullopt, "foo");
    EXPECT_EQ(s.name(), "foo/");
  }
  {
    auto s = g.name_scope(std::nullopt, "foo");
    EXPECT_EQ(s.name(), "foo_1/");
  }
  {
    // A given name wins over default_name.
    auto s = g.name_scope("bar", "foo");
    EXPECT_EQ(s.name(), "bar/");
  }
  {
    auto s = g.name_scope("foo", "bar");
    EXPECT_EQ(s.name(), "foo_2/");
  }
  {
    auto outer = g.name_scope("outer");
    auto s = g.name_scope(std::nullopt, "foo");
    EXPECT_EQ(s.name(), "outer/foo/");
  }
}

TEST(Naming, N8_NoNameNoDefaultResetsToRoot) {
  vs::Graph g;
  auto a = g.name_scope("a");
  auto s = g.name_scope(std::nullopt);
  EXPECT_EQ(s.name(), "");
  EXPECT_EQ(vs::constant(g, 1.0f).name(), "Const:0");
}

// ---------------------------------------------------------------------------------------------
// N9. Valid names (TF 1.15 regexes) and E16/E17
// ---------------------------------------------------------------------------------------------

TEST(Naming, N9_RootScopeNameUsesTheOpRegex) {
  vs::Graph g;
  EXPECT_EQ(error_of<vs::ValueError>([&] { auto s = g.name_scope("_x"); }),
            "'_x' is not a valid scope name");
  EXPECT_EQ(error_of<vs::ValueError>([&] { auto s = g.name_scope("-x"); }),
            "'-x' is not a valid scope name");
  EXPECT_EQ(error_of<vs::ValueError>([&] { auto s = g.name_scope("a b"); }),
            "'a b' is not a valid scope name");
  EXPECT_EQ(error_of<vs::ValueError>([&] { auto s = g.name_scope("_x/"); }),
            "'_x/' is not a valid scope name");
  // A failed name_scope leaves the graph at the root.
  EXPECT_EQ(g.get_name_scope(), "");
  {
    auto s = g.name_scope(".x");
    EXPECT_EQ(s.name(), ".x/");
  }
  {
    auto s = g.name_scope("0-x.y_z");
    EXPECT_EQ(s.name(), "0-x.y_z/");
  }
}

TEST(Naming, N9_NestedScopeNameUsesTheScopeRegex) {
  vs::Graph g;
  auto a = g.name_scope("a");
  {
    auto s = g.name_scope("_x");
    EXPECT_EQ(s.name(), "a/_x/");
  }
  {
    auto s = g.name_scope("-y");
    EXPECT_EQ(s.name(), "a/-y/");
  }
  EXPECT_EQ(error_of<vs::ValueError>([&] { auto s = g.name_scope("a b"); }),
            "'a b' is not a valid scope name");
  EXPECT_EQ(error_of<vs::ValueError>([&] { auto s = g.name_scope("x>y"); }),
            "'x>y' is not a valid scope name");
  EXPECT_EQ(g.get_name_scope(), "a");
}

TEST(Naming, N9_InvalidNodeName) {
  vs::Graph g;
  EXPECT_EQ(error_of<vs::ValueError>([&] { vs::constant(g, 1.0f, {.name = "a b"}); }),
            "'a b' is not a valid node name");
  EXPECT_EQ(error_of<vs::ValueError>([&] { vs::constant(g, 1.0f, {.name = "_c"}); }),
            "'_c' is not a valid node name");
  // TF 1.15's regex has no '>' (it came in 2.0).
  EXPECT_EQ(error_of<vs::ValueError>([&] { vs::constant(g, 1.0f, {.name = "a>b"}); }),
            "'a>b' is not a valid node name");
  EXPECT_EQ(vs::constant(g, 1.0f, {.name = ".c"}).name(), ".c:0");
  EXPECT_EQ(vs::constant(g, 1.0f, {.name = "x/y-z.w_1"}).name(), "x/y-z.w_1:0");
}

TEST(Naming, N9_NodeNameIsCheckedAsAFullPath) {
  vs::Graph g;
  auto a = g.name_scope("a");
  // "a/_c" starts with 'a', so it is a valid node name.
  EXPECT_EQ(vs::constant(g, 1.0f, {.name = "_c"}).name(), "a/_c:0");
  EXPECT_EQ(error_of<vs::ValueError>([&] { vs::constant(g, 1.0f, {.name = "c d"}); }),
            "'a/c d' is not a valid node name");
}

TEST(Naming, N9_VariableNamesAreCheckedAsScopeNames) {
  vs::Graph g;
  EXPECT_EQ(error_of<vs::ValueError>([&] { g.variable(1.0f, {.name = "a b"}); }),
            "'a b' is not a valid scope name");
  EXPECT_EQ(error_of<vs::ValueError>([&] { g.get_variable("_v", {.shape = vs::Shape{1}}); }),
            "'_v' is not a valid scope name");
  {
    auto s = g.variable_scope("s");
    EXPECT_EQ(g.get_variable("_v", {.shape = vs::Shape{1}}).name(), "s/_v:0");
  }
  EXPECT_EQ(error_of<vs::ValueError>([&] { auto s = g.variable_scope("_"); }),
            "'_' is not a valid scope name");
  // The failed variable_scope left nothing entered.
  EXPECT_EQ(g.get_variable_scope().name(), "");
  EXPECT_EQ(g.get_name_scope(), "");
}
