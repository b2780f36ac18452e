// variable_scope S10-S11: invalid scopes (E10, E14), inherited dtype and initializer.
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
