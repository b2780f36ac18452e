// TF's ops_test.py (Operation, NameStack, Name, OpScope, NameScope tests), translated.
// Cases that naming_test, variable_scope_test and variables_test do not already cover.
// Read from uve/tensorflow@e08079463bf4 (TF 2.0.0 tree, same code as r1.15) and checked against
// DeepRec-AI/DeepRec (TF 1.15.5). Each TEST names the TF test it comes from.
//
// How Python maps to C++ here:
//   g.create_op("FloatOutput", [], [float32])      -> vs::constant(g, 0.0f)   ("Const")
//   g.create_op(..., name=n)                        -> vs::constant(g, 0.0f, {.name = n})
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

using varscope::testing::NameScope;

// g.create_op("FloatOutput", [], [dtypes.float32], name=name).name, with Const standing in for
// FloatOutput: an empty name gives the op type, as create_op does.
std::string OpName(vs::Graph& g, const std::string& name = {}) {
  return vs::constant(g, 0.0f, {.name = name}).op().name();
}

}  // namespace

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
