// Variables: tf.Variable vs tf.get_variable naming (N10-N12), the graph nodes a variable
// creates (N11), get_variable defaults and collections (G1-G7), the error texts that apply to
// C++ (E1-E8, E20, E21, E24, E25, E28; docs/errors.md), the seed rules (RS1-RS4) with the
// name-derived op seed (docs/differences.md), and the three examples EX1-EX3. Rule IDs are
// defined in docs/tf1-semantics.md.
// Expected strings are what TF 1.15 prints.
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

constexpr const char* kThisFile = "variables_test.cpp";

using varscope::testing::error_of;

using varscope::testing::DoesNotExist;
using varscope::testing::HasNumber;
using varscope::testing::Names;
using varscope::testing::Scalar;

void ExpectAlreadyExists(const std::string& message, const std::string& store_name, int line) {
  varscope::testing::ExpectAlreadyExists(message, store_name, kThisFile, line);
}

std::vector<std::string> OpNames(const vs::Graph& g) {
  std::vector<std::string> out;
  for (const vs::Operation& op : g.operations())
    out.push_back(op.name());
  return out;
}

std::vector<std::string> OpTypes(const vs::Graph& g) {
  std::vector<std::string> out;
  for (const vs::Operation& op : g.operations())
    out.push_back(op.type());
  return out;
}

// The scalar value of a Const op's "value" attribute.
double ConstValue(const vs::Tensor& t) {
  EXPECT_EQ(t.op().type(), "Const") << t.name();
  return t.op().attr_tensor("value").element_as_double(0);
}

std::pair<std::int64_t, std::int64_t> Seeds(const vs::Graph& g, const std::string& op_name) {
  const vs::Operation op = g.get_operation_by_name(op_name);
  return {op.attr_int("seed"), op.attr_int("seed2")};
}

using SeedPair = std::pair<std::int64_t, std::int64_t>;
constexpr std::int64_t kDefaultGraphSeed = 87654321;
constexpr std::int64_t kMaxInt32 = 2147483647;

}  // namespace

// =============================================================================================
// N10-N12
// =============================================================================================

TEST(Variables, N10_VariableVsGetVariableUnderScopes) {
  vs::Graph g;
  vs::Variable v3;
  {
    auto s = g.name_scope("V1");
    vs::Variable v1 = g.get_variable("var1", {.shape = vs::Shape{1}});
    vs::Variable v2 = g.variable(1.0f, {.name = "var2"});
    EXPECT_EQ(v1.name(), "var1:0");  // the name scope is ignored
    EXPECT_EQ(v2.name(), "V1/var2:0");
    EXPECT_EQ(vs::add(v1, v2).name(), "V1/Add:0");
  }
  {
    auto s = g.variable_scope("V2");
    v3 = g.get_variable("var1", {.shape = vs::Shape{1}});
    vs::Variable v4 = g.variable(1.0f, {.name = "var2"});
    EXPECT_EQ(v3.name(), "V2/var1:0");
    EXPECT_EQ(v4.name(), "V2/var2:0");
    EXPECT_EQ(vs::add(v3, v4).name(), "V2/Add:0");
  }
  {
    auto s = g.variable_scope("V2", {.reuse = vs::Reuse::kTrue});
    vs::Variable v5 = g.get_variable("var1", {.shape = vs::Shape{1}});
    vs::Variable v6 = g.variable(1.0f, {.name = "var2"});
    EXPECT_TRUE(v5 == v3);
    EXPECT_EQ(v5.name(), "V2/var1:0");
    EXPECT_EQ(v6.name(), "V2_1/var2:0");  // the name scope is re-uniquified
  }
  {
    auto foo = g.variable_scope("foo");
    auto bar = g.name_scope("bar");
    vs::Variable v = g.get_variable("v", {.shape = vs::Shape{1}});
    EXPECT_EQ(v.name(), "foo/v:0");
    EXPECT_EQ((1.0f + v).name(), "foo/bar/add:0");
  }
}

TEST(Variables, N11_OpsOfTfVariable) {
  vs::Graph g;
  vs::Variable v = g.variable(1.0f, {.name = "v"});
  EXPECT_EQ(OpNames(g), (std::vector<std::string>{"v/initial_value", "v", "v/Assign", "v/read"}));
  EXPECT_EQ(OpTypes(g), (std::vector<std::string>{"Const", "VariableV2", "Assign", "Identity"}));
  EXPECT_EQ(v.name(), "v:0");
  EXPECT_EQ(v.op_name(), "v");
  EXPECT_EQ(v.op().name(), "v");
  EXPECT_EQ(v.op().type(), "VariableV2");
  EXPECT_EQ(v.initializer().name(), "v/Assign");
  EXPECT_EQ(v.value().name(), "v/read:0");
  EXPECT_EQ(v.initial_value().name(), "v/initial_value:0");
  EXPECT_EQ(v.dtype(), vs::DType::kFloat32);
  EXPECT_EQ(v.shape(), vs::Shape());
  EXPECT_TRUE(v.trainable());
  EXPECT_EQ(v.store_name(), "");
}

TEST(Variables, N11_TfVariableDefaultNames) {
  vs::Graph g;
  EXPECT_EQ(g.variable(1.0f).name(), "Variable:0");
  EXPECT_EQ(g.variable(1.0f).name(), "Variable_1:0");
  auto s = g.name_scope("s");
  vs::Variable v = g.variable(1.0f);
  EXPECT_EQ(v.name(), "s/Variable:0");
  EXPECT_EQ(v.initializer().name(), "s/Variable/Assign");
  EXPECT_EQ(v.value().name(), "s/Variable/read:0");
}

TEST(Variables, N11_TfVariableFromATensorAddsNoConst) {
  vs::Graph g;
  vs::Tensor t = vs::constant(g, 2.0f, {.name = "t"});
  vs::Variable v = g.variable(t, {.name = "v"});
  EXPECT_EQ(OpNames(g), (std::vector<std::string>{"t", "v", "v/Assign", "v/read"}));
  EXPECT_TRUE(v.initial_value() == t);
}

TEST(Variables, N11_OpsOfGetVariable) {
  vs::Graph g;
  vs::Variable v = g.get_variable("v", {.shape = vs::Shape{2, 3}});
  EXPECT_EQ(OpNames(g), (std::vector<std::string>{
                            "v/Initializer/random_uniform/shape",
                            "v/Initializer/random_uniform/min",
                            "v/Initializer/random_uniform/max",
                            "v/Initializer/random_uniform/RandomUniform",
                            "v/Initializer/random_uniform/sub",
                            "v/Initializer/random_uniform/mul",
                            "v/Initializer/random_uniform",
                            "v",
                            "v/Assign",
                            "v/read",
                        }));
  EXPECT_EQ(OpTypes(g),
            (std::vector<std::string>{"Const", "Const", "Const", "RandomUniform", "Sub", "Mul",
                                      "Add", "VariableV2", "Assign", "Identity"}));
  EXPECT_EQ(v.name(), "v:0");
  EXPECT_EQ(v.op_name(), "v");
  EXPECT_EQ(v.store_name(), "v");
  EXPECT_EQ(v.initializer().name(), "v/Assign");
  EXPECT_EQ(v.value().name(), "v/read:0");
  EXPECT_EQ(v.initial_value().name(), "v/Initializer/random_uniform:0");
  EXPECT_EQ(v.shape(), (vs::Shape{2, 3}));
  EXPECT_EQ(v.dtype(), vs::DType::kFloat32);
}

TEST(Variables, N11_InitializerOpsAreColocatedWithTheVariable) {
  vs::Graph g;
  auto s = g.variable_scope("foo");
  g.get_variable("v", {.shape = vs::Shape{2, 3}});
  const std::vector<std::string> loc{"loc:@foo/v"};
  EXPECT_EQ(g.get_operation_by_name("foo/v/Initializer/random_uniform/RandomUniform")
                .attr_strings("_class"),
            loc);
  EXPECT_EQ(g.get_operation_by_name("foo/v/Initializer/random_uniform").attr_strings("_class"),
            loc);
  EXPECT_EQ(
      g.get_operation_by_name("foo/v/Initializer/random_uniform/shape").attr_strings("_class"),
      loc);
}

TEST(Variables, N12_StoreKeyVsGraphName) {
  vs::Graph g;
  auto foo = g.variable_scope("foo");
  const int a_line = __LINE__ + 1;
  vs::Variable a = g.variable(1.0f, {.name = "v"});
  EXPECT_EQ(a.name(), "foo/v:0");
  const int b_line = __LINE__ + 1;
  vs::Variable b = g.get_variable("v", {.shape = vs::Shape{1}});
  EXPECT_EQ(b.name(), "foo/v_1:0");
  EXPECT_EQ(b.op_name(), "foo/v_1");
  EXPECT_EQ(b.store_name(), "foo/v");
  EXPECT_EQ(b.initializer().name(), "foo/v_1/Assign");
  const int c_line = __LINE__ + 1;
  auto again = [&] { g.get_variable("v", {.shape = vs::Shape{1}}); };
  const std::string msg = error_of<vs::ValueError>(again);
  // The error quotes the store key and the creation of `b`, not the graph name nor `a`.
  ExpectAlreadyExists(msg, "foo/v", b_line);
  EXPECT_FALSE(HasNumber(msg, a_line)) << msg;
  EXPECT_FALSE(HasNumber(msg, c_line)) << msg;
}

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

// =============================================================================================
// Error texts (docs/errors.md)
// =============================================================================================

TEST(Variables, E1_AlreadyExists) {
  vs::Graph g;
  {
    auto foo = g.variable_scope("foo");
    const int line = __LINE__ + 1;
    vs::Variable v = g.get_variable("v", {.shape = vs::Shape{1}});
    ExpectAlreadyExists(error_of<vs::ValueError>([&] { Scalar(g, "v"); }), "foo/v", line);
  }
  const int line = __LINE__ + 1;
  vs::Variable w = g.get_variable("w", {.shape = vs::Shape{1}});
  ExpectAlreadyExists(error_of<vs::ValueError>([&] { Scalar(g, "w"); }), "w", line);
}

TEST(Variables, E2_DoesNotExist) {
  vs::Graph g;
  auto root = g.variable_scope(g.get_variable_scope(), {.reuse = vs::Reuse::kTrue});
  EXPECT_EQ(error_of<vs::ValueError>([&] { Scalar(g, "nope"); }), DoesNotExist("nope"));
  auto s = g.variable_scope("outer");
  EXPECT_EQ(error_of<vs::ValueError>([&] { g.get_local_variable("l", {.shape = vs::Shape()}); }),
            DoesNotExist("outer/l"));
  EXPECT_TRUE(g.global_variables().empty());
  EXPECT_TRUE(g.local_variables().empty());
}

TEST(Variables, E3_ShapeMismatch) {
  vs::Graph g;
  Scalar(g, "s");
  g.get_variable("m", {.shape = vs::Shape{2, 3}});
  auto root = g.variable_scope(g.get_variable_scope(), {.reuse = vs::Reuse::kTrue});
  EXPECT_EQ(error_of<vs::ValueError>([&] { g.get_variable("s", {.shape = vs::Shape{1}}); }),
            "Trying to share variable s, but specified shape (1,) and found shape ().");
  EXPECT_EQ(error_of<vs::ValueError>([&] {
              g.get_variable("m", {.shape = vs::Shape{vs::kUnknownDim, 4}});
            }),
            "Trying to share variable m, but specified shape (?, 4) and found shape (2, 3).");
  EXPECT_EQ(g.get_variable("m", {.shape = vs::Shape{vs::kUnknownDim, 3}}).name(), "m:0");
}

TEST(Variables, E4_DtypeMismatch) {
  vs::Graph g;
  Scalar(g, "d");
  g.get_variable("i", {.shape = vs::Shape(), .dtype = vs::DType::kInt64});
  auto root = g.variable_scope(g.get_variable_scope(), {.reuse = vs::Reuse::kTrue});
  EXPECT_EQ(error_of<vs::ValueError>(
                [&] { g.get_variable("d", {.shape = vs::Shape(), .dtype = vs::DType::kFloat64}); }),
            "Trying to share variable d, but specified dtype float64 and found dtype float32_ref.");
  EXPECT_EQ(error_of<vs::ValueError>(
                [&] { g.get_variable("i", {.shape = vs::Shape(), .dtype = vs::DType::kInt32}); }),
            "Trying to share variable i, but specified dtype int32 and found dtype int64_ref.");
}

TEST(Variables, E5_ConstantInitializerWithShape) {
  vs::Graph g;
  vs::Tensor t = vs::constant(g, 0.1f);
  EXPECT_EQ(error_of<vs::ValueError>(
                [&] { g.get_variable("u", {.shape = vs::Shape{1}, .initializer = t}); }),
            "If initializer is a constant, do not specify shape.");
  // Also when the Tensor comes from the scope.
  auto s = g.variable_scope("foo", {.initializer = t});
  EXPECT_EQ(error_of<vs::ValueError>([&] { g.get_variable("v", {.shape = vs::Shape()}); }),
            "If initializer is a constant, do not specify shape.");
  EXPECT_EQ(g.get_variable("v").name(), "foo/v:0");
}

TEST(Variables, E8_InitializerDtypeMismatch) {
  vs::Graph g;
  vs::Tensor i = vs::constant(g, 1);
  EXPECT_EQ(error_of<vs::ValueError>(
                [&] { g.get_variable("x", {.dtype = vs::DType::kFloat32, .initializer = i}); }),
            "Initializer type '<dtype: 'int32'>' and explicit dtype '<dtype: 'float32'>' don't "
            "match.");
  // Checked before the constant-with-shape rule.
  EXPECT_EQ(error_of<vs::ValueError>([&] {
              g.get_variable(
                  "x", {.shape = vs::Shape{1}, .dtype = vs::DType::kFloat64, .initializer = i});
            }),
            "Initializer type '<dtype: 'int32'>' and explicit dtype '<dtype: 'float64'>' don't "
            "match.");
  EXPECT_EQ(g.get_variable("x", {.dtype = vs::DType::kInt32, .initializer = i}).name(), "x:0");
}

TEST(Variables, E20_InitialValueMustBeSpecified) {
  vs::Graph g;
  EXPECT_EQ(error_of<vs::ValueError>([&] { g.variable(vs::Tensor(), {.name = "v"}); }),
            "initial_value must be specified.");
}

TEST(Variables, E21_InitialValueMustHaveAShape) {
  vs::Graph g;
  vs::Tensor p = vs::placeholder(g, vs::DType::kFloat32, vs::Shape{vs::kUnknownDim, 3});
  EXPECT_EQ(p.name(), "Placeholder:0");
  // "%s" is str(Tensor) in TF 1.15.
  EXPECT_EQ(error_of<vs::ValueError>([&] { g.variable(p); }),
            "initial_value must have a shape specified: Tensor(\"Placeholder:0\", shape=(?, 3), "
            "dtype=float32)");
  // validate_shape=false allows it.
  EXPECT_EQ(g.variable(p, {.name = "v", .validate_shape = false}).name(), "v:0");
}

TEST(Variables, E24_E25_ConstantInitializerShapes) {
  vs::Graph g;
  const std::vector<double> value{0, 1, 2, 3, 4, 5, 6, 7};
  EXPECT_EQ(g.get_variable(
                 "x", {.shape = vs::Shape{2, 4}, .initializer = vs::constant_initializer(value)})
                .name(),
            "x:0");
  // A shorter list fills with its last value: allowed.
  EXPECT_EQ(g.get_variable(
                 "y", {.shape = vs::Shape{3, 4}, .initializer = vs::constant_initializer(value)})
                .name(),
            "y:0");
  EXPECT_EQ(error_of<vs::ValueError>([&] {
              g.get_variable(
                  "z", {.shape = vs::Shape{2, 3}, .initializer = vs::constant_initializer(value)});
            }),
            "Too many elements provided. Needed at most 6, but received 8");
  EXPECT_EQ(error_of<vs::TypeError>([&] {
              g.get_variable(
                  "w", {.shape = vs::Shape{3, 4},
                        .initializer = vs::constant_initializer(value, {.verify_shape = true})});
            }),
            "Expected Tensor's shape: (3, 4), got (8,).");
}

TEST(Variables, E28_ScaleMustBePositive) {
  EXPECT_EQ(error_of<vs::ValueError>([] { vs::variance_scaling_initializer({.scale = 0.0}); }),
            "`scale` must be positive float.");
  EXPECT_EQ(error_of<vs::ValueError>([] { vs::variance_scaling_initializer({.scale = -1.0}); }),
            "`scale` must be positive float.");
  const vs::Initializer ok = vs::variance_scaling_initializer({.scale = 2.0});
  EXPECT_EQ(ok.kind(), vs::Initializer::Kind::kVarianceScaling);
}

// =============================================================================================
// Seeds (RS1-RS4), with the name-derived op seed of docs/differences.md
// =============================================================================================

TEST(Seeds, RS2_NoSeedsLeaveZeros) {
  vs::Graph g;
  EXPECT_FALSE(g.seed().has_value());
  vs::random_uniform(g, vs::Shape{2});
  g.get_variable("v", {.shape = vs::Shape{2, 3}});
  EXPECT_EQ(Seeds(g, "random_uniform/RandomUniform"), SeedPair(0, 0));
  EXPECT_EQ(Seeds(g, "v/Initializer/random_uniform/RandomUniform"), SeedPair(0, 0));
}

TEST(Seeds, RS2_OpSeedOnlyUsesTheDefaultGraphSeed) {
  vs::Graph g;
  vs::random_uniform(g, vs::Shape{2}, {.seed = 5});
  vs::random_normal(g, vs::Shape{2}, {.seed = 7});
  vs::truncated_normal(g, vs::Shape{2}, {.seed = 9});
  g.get_variable(
      "v", {.shape = vs::Shape{2, 3}, .initializer = vs::glorot_uniform_initializer({.seed = 11})});
  EXPECT_EQ(Seeds(g, "random_uniform/RandomUniform"), SeedPair(kDefaultGraphSeed, 5));
  EXPECT_EQ(Seeds(g, "random_normal/RandomStandardNormal"), SeedPair(kDefaultGraphSeed, 7));
  EXPECT_EQ(Seeds(g, "truncated_normal/TruncatedNormal"), SeedPair(kDefaultGraphSeed, 9));
  EXPECT_EQ(Seeds(g, "v/Initializer/random_uniform/RandomUniform"),
            SeedPair(kDefaultGraphSeed, 11));
}

TEST(Seeds, RS2_GraphAndOpSeed) {
  vs::Graph g;
  g.set_random_seed(1234);
  ASSERT_TRUE(g.seed().has_value());
  EXPECT_EQ(*g.seed(), 1234);
  vs::random_uniform(g, vs::Shape{2}, {.seed = 5});
  g.get_variable(
      "v", {.shape = vs::Shape{2, 3}, .initializer = vs::glorot_normal_initializer({.seed = 6})});
  EXPECT_EQ(Seeds(g, "random_uniform/RandomUniform"), SeedPair(1234, 5));
  EXPECT_EQ(Seeds(g, "v/Initializer/truncated_normal/TruncatedNormal"), SeedPair(1234, 6));
}

TEST(Seeds, RS4_Truncation) {
  vs::Graph g;
  vs::random_uniform(g, vs::Shape{1}, {.seed = -1, .name = "neg"});
  EXPECT_EQ(Seeds(g, "neg/RandomUniform"), SeedPair(kDefaultGraphSeed, 2147483646));
  g.set_random_seed(kMaxInt32);
  vs::random_uniform(g, vs::Shape{1}, {.seed = 7, .name = "max"});
  EXPECT_EQ(Seeds(g, "max/RandomUniform"), SeedPair(0, 7));
  g.set_random_seed(0);
  vs::random_uniform(g, vs::Shape{1}, {.seed = 0, .name = "zero"});
  EXPECT_EQ(Seeds(g, "zero/RandomUniform"), SeedPair(0, kMaxInt32));
  g.set_random_seed(std::int64_t{2147483648} + 5);
  vs::random_uniform(g, vs::Shape{1}, {.seed = 3, .name = "wrap"});
  EXPECT_EQ(Seeds(g, "wrap/RandomUniform"), SeedPair(6, 3));
}

TEST(Seeds, RS1_SetRandomSeedAffectsOnlyLaterOps) {
  vs::Graph g;
  vs::random_uniform(g, vs::Shape{1}, {.name = "before"});
  g.set_random_seed(1234);
  vs::random_uniform(g, vs::Shape{1}, {.name = "after"});
  EXPECT_EQ(Seeds(g, "before/RandomUniform"), SeedPair(0, 0));
  EXPECT_EQ(Seeds(g, "after/RandomUniform").first, 1234);
}

namespace {

// The graph seed only: what TF does with the op count, varscope does with the op name.
void BuildSeeded(vs::Graph& g, bool unrelated_op_first) {
  g.set_random_seed(1234);
  if (unrelated_op_first) {
    vs::constant(g, 1.0f, {.name = "unrelated"});
    vs::random_uniform(g, vs::Shape{4}, {.name = "noise"});
  }
  g.get_variable("v", {.shape = vs::Shape{2, 3}});
  g.get_variable("w", {.shape = vs::Shape{2, 3}});
}

constexpr const char* kVRandom = "v/Initializer/random_uniform/RandomUniform";
constexpr const char* kWRandom = "w/Initializer/random_uniform/RandomUniform";

}  // namespace

TEST(Seeds, GraphSeedOnly_SameBuildSameSeeds) {
  vs::Graph g1;
  vs::Graph g2;
  BuildSeeded(g1, false);
  BuildSeeded(g2, false);
  EXPECT_EQ(Seeds(g1, kVRandom).first, 1234);
  EXPECT_EQ(Seeds(g1, kWRandom).first, 1234);
  EXPECT_EQ(Seeds(g1, kVRandom), Seeds(g2, kVRandom));
  EXPECT_EQ(Seeds(g1, kWRandom), Seeds(g2, kWRandom));
}

TEST(Seeds, GraphSeedOnly_UnrelatedOpsDoNotShiftSeeds) {
  vs::Graph g1;
  vs::Graph g2;
  BuildSeeded(g1, false);
  BuildSeeded(g2, true);
  ASSERT_GT(g2.num_operations(), g1.num_operations());
  EXPECT_EQ(Seeds(g1, kVRandom), Seeds(g2, kVRandom));
  EXPECT_EQ(Seeds(g1, kWRandom), Seeds(g2, kWRandom));
}

TEST(Seeds, GraphSeedOnly_DifferentVariablesDifferentSeeds) {
  vs::Graph g;
  BuildSeeded(g, false);
  EXPECT_NE(Seeds(g, kVRandom).second, Seeds(g, kWRandom).second);
  EXPECT_NE(Seeds(g, kVRandom), SeedPair(0, 0));
}

// =============================================================================================
// The three examples (EX1-EX3, docs/tf1-semantics.md section 9)
// =============================================================================================

TEST(DesignExamples, Example1_SharingThroughVariableScopeAndReuse) {
  vs::Graph g;
  vs::Variable w1, b1, w2, w3;
  {
    auto s1 = g.variable_scope("v_scope");
    w1 = g.get_variable("Weights", {.shape = vs::Shape{2, 3}});
    b1 = g.get_variable("bias", {.shape = vs::Shape{3}});
  }
  {
    auto s2 = g.variable_scope("v_scope", {.reuse = vs::Reuse::kTrue});
    w2 = g.get_variable("Weights");
  }
  {
    auto s3 = g.variable_scope("v_scope", {.reuse = vs::Reuse::kTrue});
    w3 = g.get_variable("Weights");
  }
  EXPECT_EQ(w1.name(), "v_scope/Weights:0");
  EXPECT_EQ(w2.name(), "v_scope/Weights:0");
  EXPECT_EQ(w3.name(), "v_scope/Weights:0");
  EXPECT_EQ(b1.name(), "v_scope/bias:0");
  EXPECT_TRUE(w1 == w2);
  EXPECT_TRUE(w1 == w3);
  EXPECT_EQ(Names(g.global_variables()),
            (std::vector<std::string>{"v_scope/Weights:0", "v_scope/bias:0"}));
}

TEST(DesignExamples, Example2_VariableScopePrefixesBothKinds) {
  vs::Graph g;
  vs::Variable a1, a2, a3, a4;
  {
    auto s = g.variable_scope("V1");
    a1 = g.get_variable("a1", {.shape = vs::Shape{1}, .initializer = vs::constant_initializer(1)});
    a2 = g.variable(vs::random_normal(g, {2, 3}, {.mean = 0, .stddev = 1}), {.name = "a2"});
  }
  {
    auto s = g.variable_scope("V2");
    a3 = g.get_variable("a1", {.shape = vs::Shape{1}, .initializer = vs::constant_initializer(1)});
    a4 = g.variable(vs::random_normal(g, {2, 3}, {.mean = 0, .stddev = 1}), {.name = "a2"});
  }
  EXPECT_EQ(a1.name(), "V1/a1:0");
  EXPECT_EQ(a2.name(), "V1/a2:0");
  EXPECT_EQ(a3.name(), "V2/a1:0");
  EXPECT_EQ(a4.name(), "V2/a2:0");
  EXPECT_EQ(a2.initial_value().name(), "V1/random_normal:0");
  EXPECT_EQ(a2.shape(), (vs::Shape{2, 3}));
  EXPECT_EQ(Names(g.global_variables()),
            (std::vector<std::string>{"V1/a1:0", "V1/a2:0", "V2/a1:0", "V2/a2:0"}));
  vs::Operation init = g.global_variables_initializer();
  EXPECT_EQ(init.name(), "init");
  EXPECT_EQ(init.type(), "NoOp");
  std::vector<std::string> deps;
  for (const vs::Operation& op : init.control_inputs())
    deps.push_back(op.name());
  std::sort(deps.begin(), deps.end());
  EXPECT_EQ(deps, (std::vector<std::string>{"V1/a1/Assign", "V1/a2/Assign", "V2/a1/Assign",
                                            "V2/a2/Assign"}));
}

TEST(DesignExamples, Example3_NameScopeDoesNotPrefixGetVariable) {
  {
    vs::Graph g2;
    const vs::GetVariableOptions one{.shape = vs::Shape{1},
                                     .initializer = vs::constant_initializer(1)};
    int line = 0;
    {
      auto s = g2.name_scope("V1");
      line = __LINE__ + 1;
      vs::Variable a1 = g2.get_variable("a1", one);
      vs::Variable a2 = g2.variable(vs::random_normal(g2, {2, 3}), {.name = "a2"});
      EXPECT_EQ(a1.name(), "a1:0");
      EXPECT_EQ(a2.name(), "V1/a2:0");
    }
    {
      auto s = g2.name_scope("V2");
      ExpectAlreadyExists(error_of<vs::ValueError>([&] { g2.get_variable("a1", one); }), "a1",
                          line);
    }
  }
  {
    // With get_variable removed.
    vs::Graph g2;
    vs::Variable a2;
    vs::Variable a4;
    {
      auto s = g2.name_scope("V1");
      a2 = g2.variable(vs::random_normal(g2, {2, 3}), {.name = "a2"});
    }
    {
      auto s = g2.name_scope("V2");
      a4 = g2.variable(vs::random_normal(g2, {2, 3}), {.name = "a2"});
    }
    EXPECT_EQ(a2.name(), "V1/a2:0");
    EXPECT_EQ(a4.name(), "V2/a2:0");
  }
}

// Found by fuzz/scope_fuzzer: an absolute name ("x/") is taken verbatim, so it can name an
// op that exists already; TF's C API refuses that ("Duplicate node name in graph").
TEST(Variables, AbsoluteNameOfAnExistingOpIsRefusedAndLeavesNoOps) {
  vs::Graph g;
  g.variable(1.0f, {.name = "x/"});
  const std::size_t ops = g.num_operations();
  try {
    g.get_variable("x/", {.shape = vs::Shape{1}});
    FAIL() << "no exception";
  } catch (const vs::ValueError& e) {
    EXPECT_STREQ(e.what(), "Duplicate node name in graph: 'x'");
  }
  EXPECT_EQ(g.num_operations(), ops);
  EXPECT_THROW(vs::constant(g, 1.0f, {.name = "x/"}), vs::ValueError);
  EXPECT_EQ(g.num_operations(), ops);
  // "x" was never marked used (absolute scopes are not), so TF's uniquifier hands it out
  // again and the node is refused the same way; the graph stays usable.
  EXPECT_THROW(vs::constant(g, 1.0f, {.name = "x"}), vs::ValueError);
  EXPECT_EQ(g.num_operations(), ops);
  EXPECT_EQ(vs::constant(g, 1.0f, {.name = "y"}).name(), "y:0");
}
