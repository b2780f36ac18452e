// Reuse R1-R10 (docs/tf1-semantics.md section 3): the store decision, inheritance, errors.
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
