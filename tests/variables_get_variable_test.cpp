// get_variable defaults, initializers, shapes and collections (G1-G7).
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <cstddef>
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

using varscope::testing::DoesNotExist;
using varscope::testing::ExpectAlreadyExists;
using varscope::testing::HasNumber;
using varscope::testing::Names;
using varscope::testing::Scalar;

// The scalar value of a Const op's "value" attribute.
double ConstValue(const vs::Tensor& t) {
  EXPECT_EQ(t.op().type(), "Const") << t.name();
  return t.op().attr_tensor("value").element_as_double(0);
}

}  // namespace

// =============================================================================================
// G1-G7
// =============================================================================================

TEST(Variables, G1_GetVariableDefaults) {
  vs::Graph g;
  vs::Variable v = g.get_variable("v", {.shape = vs::Shape{2, 3}});
  EXPECT_EQ(v.dtype(), vs::DType::kFloat32);
  EXPECT_EQ(v.shape(), (vs::Shape{2, 3}));
  EXPECT_TRUE(v.trainable());
  EXPECT_EQ(Names(g.global_variables()), std::vector<std::string>{"v:0"});
  EXPECT_EQ(Names(g.trainable_variables()), std::vector<std::string>{"v:0"});
  {
    auto s = g.variable_scope("s", {.initializer = vs::constant_initializer(0.3)});
    // The argument wins over the scope's initializer...
    vs::Variable a =
        g.get_variable("a", {.shape = vs::Shape(), .initializer = vs::zeros_initializer()});
    EXPECT_EQ(a.initial_value().name(), "s/a/Initializer/zeros:0");
    // ...which is used when there is none.
    vs::Variable b = Scalar(g, "b");
    EXPECT_EQ(b.initial_value().name(), "s/b/Initializer/Const:0");
    vs::Variable c = g.get_variable("c", {.shape = vs::Shape(), .trainable = false});
    EXPECT_FALSE(c.trainable());
  }
  EXPECT_EQ(Names(g.trainable_variables()), (std::vector<std::string>{"v:0", "s/a:0", "s/b:0"}));
  EXPECT_EQ(Names(g.global_variables()),
            (std::vector<std::string>{"v:0", "s/a:0", "s/b:0", "s/c:0"}));
}

TEST(Variables, G2_E7_DefaultInitializerByDtype) {
  vs::Graph g;
  for (vs::DType d :
       {vs::DType::kFloat16, vs::DType::kBFloat16, vs::DType::kFloat32, vs::DType::kFloat64}) {
    const std::string name = "f_" + std::string(vs::dtype_name(d));
    vs::Variable v = g.get_variable(name, {.shape = vs::Shape{2}, .dtype = d});
    EXPECT_EQ(v.dtype(), d);
    EXPECT_EQ(v.initial_value().name(), name + "/Initializer/random_uniform:0");
  }
  for (vs::DType d : {vs::DType::kInt8, vs::DType::kInt16, vs::DType::kInt32, vs::DType::kInt64,
                      vs::DType::kUInt8, vs::DType::kBool}) {
    const std::string name = "x_" + std::string(vs::dtype_name(d));
    vs::Variable v = g.get_variable(name, {.shape = vs::Shape{3, 4}, .dtype = d});
    EXPECT_EQ(v.dtype(), d);
    EXPECT_EQ(v.initial_value().name(), name + "/Initializer/zeros:0");
    EXPECT_EQ(v.initial_value().op().type(), "Const");
  }
  EXPECT_EQ(error_of<vs::ValueError>([&] {
              g.get_variable("c", {.shape = vs::Shape{2}, .dtype = vs::DType::kComplex64});
            }),
            "An initializer for variable c of <dtype: 'complex64'> is required");
}

TEST(Variables, G3_ScopeInitializerInheritance) {
  vs::Graph g;
  const vs::Initializer init = vs::constant_initializer(0.3);
  vs::VariableScope tower;
  auto t = g.variable_scope("tower0");
  tower = t;
  {
    auto foo = g.variable_scope("foo", {.initializer = init});
    vs::Variable v = Scalar(g, "v");
    EXPECT_EQ(v.initial_value().name(), "tower0/foo/v/Initializer/Const:0");
    EXPECT_FLOAT_EQ(static_cast<float>(ConstValue(v.initial_value())), 0.3f);
  }
  {
    auto again = g.variable_scope(tower, {.initializer = init});
    vs::Variable w = Scalar(g, "w");
    EXPECT_EQ(w.initial_value().name(), "tower0/w/Initializer/Const:0");
    EXPECT_FLOAT_EQ(static_cast<float>(ConstValue(w.initial_value())), 0.3f);
  }
  // Without an initializer anywhere: the default glorot_uniform.
  EXPECT_EQ(Scalar(g, "u").initial_value().name(), "tower0/u/Initializer/random_uniform:0");
}

TEST(Variables, G4_InitializerForms) {
  vs::Graph g;
  // A Tensor: the variable takes its dtype and shape; dtype= is only cross-checked.
  vs::Tensor four = vs::constant(g, 4);
  vs::Variable v4 = g.get_variable("v4", {.dtype = vs::DType::kInt32, .initializer = four});
  EXPECT_EQ(v4.dtype(), vs::DType::kInt32);
  EXPECT_EQ(v4.shape(), vs::Shape());
  EXPECT_TRUE(v4.initial_value() == four);
  vs::Tensor row = vs::constant(g, vs::HostTensor(std::vector<std::int64_t>{1, 2, 3}));
  vs::Variable w4 = g.get_variable("w4", {.dtype = vs::DType::kInt64, .initializer = row});
  EXPECT_EQ(w4.dtype(), vs::DType::kInt64);
  EXPECT_EQ(w4.shape(), vs::Shape{3});
  vs::Variable f = g.get_variable("f", {.initializer = vs::constant(g, 1.5f)});
  EXPECT_EQ(f.dtype(), vs::DType::kFloat32);
  // An initializer recipe with a fully defined shape: called with the shape and dtype.
  vs::Variable z = g.get_variable(
      "z",
      {.shape = vs::Shape{2}, .dtype = vs::DType::kInt32, .initializer = vs::ones_initializer()});
  EXPECT_EQ(z.dtype(), vs::DType::kInt32);
  EXPECT_EQ(z.shape(), vs::Shape{2});
  EXPECT_EQ(z.initial_value().name(), "z/Initializer/ones:0");
}

TEST(Variables, G5_E6_ShapeNotFullyDefined) {
  vs::Graph g;
  const std::string kInvalid =
      "The initializer passed is not valid. It should be a callable with no arguments and the "
      "shape should not be provided or an instance of `tf.keras.initializers.*' and `shape` "
      "should be fully defined.\nVariable x needs a fully defined shape (got ";
  const auto invalid = [&kInvalid](const std::string& shape) {
    return kInvalid + shape + "): get_variable(\"x\", {.shape = vs::Shape{...}})";
  };
  EXPECT_EQ(error_of<vs::ValueError>([&] { g.get_variable("x"); }), invalid("<unknown>"));
  EXPECT_EQ(error_of<vs::ValueError>([&] {
              g.get_variable("x", {.shape = vs::Shape{vs::kUnknownDim, 3}});
            }),
            invalid("(?, 3)"));
  EXPECT_EQ(
      error_of<vs::ValueError>([&] { g.get_variable("x", {.shape = vs::Shape::unknown_rank()}); }),
      invalid("<unknown>"));
  EXPECT_EQ(error_of<vs::ValueError>([&] {
              g.get_variable("x",
                             {.dtype = vs::DType::kInt32, .initializer = vs::zeros_initializer()});
            }),
            invalid("<unknown>"));
  EXPECT_TRUE(g.global_variables().empty());
}

// TF's sentence is about Python's initializers; a C++ user also gets the variable's full
// name and the fix.
TEST(Variables, G5_E6_NamesTheVariableAndTheCppFix) {
  vs::Graph g;
  auto scope = g.variable_scope("model");
  const std::string msg = error_of<vs::ValueError>([&] { g.get_variable("w"); });
  EXPECT_TRUE(msg.starts_with("The initializer passed is not valid. It should be a callable"));
  EXPECT_TRUE(msg.ends_with(
      "should be fully defined.\nVariable model/w needs a fully defined shape (got <unknown>): "
      "get_variable(\"w\", {.shape = vs::Shape{...}})"))
      << msg;
  EXPECT_TRUE(g.global_variables().empty());
  EXPECT_EQ(g.num_operations(), 0);
}

TEST(Variables, G6_Collections) {
  vs::Graph g;
  const std::vector<std::string> foo{"foo"};
  g.get_variable("a", {.shape = vs::Shape()});
  g.get_variable("b", {.shape = vs::Shape(), .trainable = false});
  g.get_variable("c", {.shape = vs::Shape(), .collections = foo});
  g.get_variable("d", {.shape = vs::Shape(), .trainable = false, .collections = foo});
  g.variable(1.0f, {.name = "e"});
  g.variable(1.0f, {.name = "f", .trainable = false});
  g.variable(1.0f, {.name = "h", .collections = foo});
  EXPECT_EQ(Names(g.global_variables()), (std::vector<std::string>{"a:0", "b:0", "e:0", "f:0"}));
  EXPECT_EQ(Names(g.get_collection(vs::GraphKeys::kGlobalVariables)),
            (std::vector<std::string>{"a:0", "b:0", "e:0", "f:0"}));
  EXPECT_EQ(Names(g.trainable_variables()), (std::vector<std::string>{"a:0", "c:0", "e:0", "h:0"}));
  EXPECT_EQ(Names(g.get_collection(vs::GraphKeys::kTrainableVariables)),
            (std::vector<std::string>{"a:0", "c:0", "e:0", "h:0"}));
  EXPECT_EQ(Names(g.get_collection("foo")), (std::vector<std::string>{"c:0", "d:0", "h:0"}));
  EXPECT_TRUE(g.local_variables().empty());
  EXPECT_TRUE(g.get_collection("no_such_collection").empty());
}

TEST(Variables, G6_LocalVariables) {
  vs::Graph g;
  const std::vector<std::string> local{vs::GraphKeys::kLocalVariables};
  g.get_variable("a", {.shape = vs::Shape(), .collections = local});
  vs::Variable l = g.get_local_variable("l", {.shape = vs::Shape()});
  EXPECT_FALSE(l.trainable());
  {
    auto foo = g.variable_scope("foo");
    g.get_variable("b", {.shape = vs::Shape(), .collections = local});
    g.get_variable("c", {.shape = vs::Shape()});
    EXPECT_EQ(Names(foo.local_variables()), std::vector<std::string>{"foo/b:0"});
    EXPECT_EQ(Names(foo.global_variables()), std::vector<std::string>{"foo/c:0"});
  }
  EXPECT_EQ(Names(g.local_variables()), (std::vector<std::string>{"a:0", "l:0", "foo/b:0"}));
  EXPECT_EQ(Names(g.global_variables()), std::vector<std::string>{"foo/c:0"});
  EXPECT_EQ(Names(g.trainable_variables()),
            (std::vector<std::string>{"a:0", "foo/b:0", "foo/c:0"}));
}

TEST(Variables, G7_ScopeFilterIsAPrefixRegex) {
  vs::Graph g;
  EXPECT_EQ(g.get_variable("foo", {.shape = vs::Shape{1}}).name(), "foo:0");
  {
    auto s = g.variable_scope("foo");
    EXPECT_EQ(Scalar(g, "v").name(), "foo/v:0");
  }
  {
    auto s = g.variable_scope("foo_1");
    EXPECT_EQ(Scalar(g, "v").name(), "foo_1/v:0");
  }
  {
    auto s = g.variable_scope("foobar");
    EXPECT_EQ(Scalar(g, "w").name(), "foobar/w:0");
  }
  {
    auto s = g.variable_scope("bar");
    EXPECT_EQ(Scalar(g, "foo").name(), "bar/foo:0");
  }
  EXPECT_EQ(Names(g.global_variables()),
            (std::vector<std::string>{"foo:0", "foo/v:0", "foo_1/v:0", "foobar/w:0", "bar/foo:0"}));
  EXPECT_EQ(Names(g.global_variables("foo")),
            (std::vector<std::string>{"foo:0", "foo/v:0", "foo_1/v:0", "foobar/w:0"}));
  EXPECT_EQ(Names(g.global_variables("foo/")), std::vector<std::string>{"foo/v:0"});
  EXPECT_EQ(Names(g.global_variables("fo.bar")), std::vector<std::string>{"foobar/w:0"});
  EXPECT_EQ(Names(g.global_variables("foo_[0-9]")), std::vector<std::string>{"foo_1/v:0"});
  EXPECT_EQ(Names(g.global_variables(".*foo:0")), (std::vector<std::string>{"foo:0", "bar/foo:0"}));
  // re.match is anchored at the start only.
  EXPECT_TRUE(g.global_variables("oo").empty());
  EXPECT_EQ(Names(g.trainable_variables("bar")), std::vector<std::string>{"bar/foo:0"});
  EXPECT_EQ(Names(g.get_collection(vs::GraphKeys::kGlobalVariables, std::string("foob"))),
            std::vector<std::string>{"foobar/w:0"});
}

TEST(Variables, G7_ScopeObjectsFilterByTheirNameAndSlash) {
  vs::Graph g;
  vs::VariableScope foo;
  {
    auto f = g.variable_scope("foo");
    foo = f;
    Scalar(g, "a");
    g.get_variable("b", {.shape = vs::Shape(), .trainable = false});
  }
  {
    auto f = g.variable_scope("foo_bar");
    Scalar(g, "x");
  }
  EXPECT_EQ(Names(foo.global_variables()), (std::vector<std::string>{"foo/a:0", "foo/b:0"}));
  EXPECT_EQ(Names(foo.trainable_variables()), std::vector<std::string>{"foo/a:0"});
  EXPECT_EQ(Names(foo.get_collection(vs::GraphKeys::kGlobalVariables)),
            (std::vector<std::string>{"foo/a:0", "foo/b:0"}));
  EXPECT_TRUE(foo.local_variables().empty());
  EXPECT_EQ(Names(g.get_variable_scope().global_variables()),
            (std::vector<std::string>{"foo/a:0", "foo/b:0", "foo_bar/x:0"}));
}
