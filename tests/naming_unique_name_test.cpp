// Naming N1-N5: Graph.unique_name, repeated and case-insensitive names, default op names.
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

vs::Tensor Matrix(vs::Graph& g, float v) {
  return vs::constant(g, vs::HostTensor(std::vector<float>{v}, vs::Shape{1, 1}));
}

}  // namespace

// ---------------------------------------------------------------------------------------------
// N1. Graph.unique_name
// ---------------------------------------------------------------------------------------------

TEST(Naming, N1_UniqueNameAppendsSuffixes) {
  vs::Graph g;
  EXPECT_EQ(g.unique_name("foo"), "foo");
  EXPECT_EQ(g.unique_name("foo"), "foo_1");
  EXPECT_EQ(g.unique_name("foo"), "foo_2");
  EXPECT_EQ(g.unique_name("bar"), "bar");
}

TEST(Naming, N1_MarkAsUsedFalseOnlyPeeks) {
  vs::Graph g;
  EXPECT_EQ(g.unique_name("x", /*mark_as_used=*/false), "x");
  EXPECT_EQ(g.unique_name("x", /*mark_as_used=*/false), "x");
  EXPECT_EQ(g.unique_name("x"), "x");
  EXPECT_EQ(g.unique_name("x", /*mark_as_used=*/false), "x_1");
  EXPECT_EQ(g.unique_name("x", /*mark_as_used=*/false), "x_1");
  EXPECT_EQ(g.unique_name("x"), "x_1");
  // Peeking did not take anything: an op named "x_2" is still free.
  EXPECT_EQ(Const(g, "x_2").name(), "x_2:0");
}

TEST(Naming, N1_UniqueNameIsCaseInsensitive) {
  vs::Graph g;
  EXPECT_EQ(g.unique_name("Foo"), "Foo");
  EXPECT_EQ(g.unique_name("foo"), "foo_1");
  EXPECT_EQ(g.unique_name("FOO"), "FOO_2");
  // The composed name is marked too, case-insensitively.
  EXPECT_EQ(g.unique_name("FOO_1"), "FOO_1_1");
}

TEST(Naming, N1_UniqueNameIsRelativeToTheNameScope) {
  vs::Graph g;
  {
    auto s = g.name_scope("s");
    EXPECT_EQ(g.unique_name("x"), "s/x");
    EXPECT_EQ(Const(g, "x").name(), "s/x_1:0");
  }
  EXPECT_EQ(g.unique_name("x"), "x");
}

TEST(Naming, N1_KeysAreFullPathsWithoutHierarchy) {
  vs::Graph g;
  {
    auto a = g.name_scope("a");
    EXPECT_EQ(Const(g, "b").name(), "a/b:0");
  }
  // "a/b" was taken from inside the scope; the same full path at the root collides.
  EXPECT_EQ(Const(g, "a/b").name(), "a/b_1:0");
  // "b" alone was never taken.
  EXPECT_EQ(Const(g, "b").name(), "b:0");
}

TEST(Naming, N1_OpsAndScopesShareOneTable) {
  vs::Graph g;
  {
    auto s = g.name_scope("s");
    EXPECT_EQ(s.name(), "s/");
  }
  EXPECT_EQ(Const(g, "s").name(), "s_1:0");
  EXPECT_EQ(g.unique_name("s"), "s_2");
  {
    auto s = g.name_scope("S");
    EXPECT_EQ(s.name(), "S_3/");
  }
}

// ---------------------------------------------------------------------------------------------
// N2-N4
// ---------------------------------------------------------------------------------------------

TEST(Naming, N2_RepeatedNames) {
  vs::Graph g;
  vs::Tensor c0 = Const(g, "c");
  vs::Tensor c1 = Const(g, "c");
  vs::Tensor c2 = Const(g, "c");
  EXPECT_EQ(c0.name(), "c:0");
  EXPECT_EQ(c1.name(), "c_1:0");
  EXPECT_EQ(c2.name(), "c_2:0");
  EXPECT_EQ(c0.op().name(), "c");
  EXPECT_EQ(c0.op().type(), "Const");
  // No name: the op type.
  EXPECT_EQ(Const(g).name(), "Const:0");
  EXPECT_EQ(Const(g).name(), "Const_1:0");
  EXPECT_EQ(Const(g).name(), "Const_2:0");
}

TEST(Naming, N3_ExplicitSuffixIsSkipped) {
  vs::Graph g;
  EXPECT_EQ(vs::constant(g, 0, {.name = "a"}).name(), "a:0");
  EXPECT_EQ(vs::constant(g, 0, {.name = "a_1"}).name(), "a_1:0");
  EXPECT_EQ(vs::constant(g, 0, {.name = "a"}).name(), "a_2:0");
  EXPECT_EQ(vs::constant(g, 0, {.name = "a_1"}).name(), "a_1_1:0");
}

TEST(Naming, N3_GeneratedSuffixIsMarkedUsed) {
  vs::Graph g;
  EXPECT_EQ(vs::constant(g, 0, {.name = "a"}).name(), "a:0");
  EXPECT_EQ(vs::constant(g, 0, {.name = "a"}).name(), "a_1:0");
  EXPECT_EQ(vs::constant(g, 0, {.name = "a_1"}).name(), "a_1_1:0");
}

TEST(Naming, N4_CaseInsensitiveNames) {
  vs::Graph g;
  EXPECT_EQ(vs::constant(g, 0, {.name = "Foo"}).name(), "Foo:0");
  EXPECT_EQ(vs::constant(g, 0, {.name = "foo"}).name(), "foo_1:0");
  EXPECT_EQ(vs::constant(g, 0, {.name = "FOO"}).name(), "FOO_2:0");
  vs::Tensor a = vs::constant(g, 1.0f);
  vs::Tensor b = vs::constant(g, 2.0f);
  EXPECT_EQ(a.name(), "Const:0");
  EXPECT_EQ(b.name(), "Const_1:0");
  EXPECT_EQ((a + b).name(), "add:0");
  EXPECT_EQ(vs::add(a, b).name(), "Add_1:0");
}

// ---------------------------------------------------------------------------------------------
// N5. Default op names
// ---------------------------------------------------------------------------------------------

TEST(Naming, N5_DefaultOpNamesMatMulAndNesting) {
  vs::Graph g;
  vs::Tensor a = Matrix(g, 1.0f);
  vs::Tensor b = Matrix(g, 2.0f);
  vs::Tensor m0 = vs::matmul(a, b);
  EXPECT_EQ(m0.name(), "MatMul:0");
  EXPECT_EQ(m0.op().type(), "MatMul");
  EXPECT_EQ(vs::matmul(a, b).name(), "MatMul_1:0");
  {
    auto layer = g.name_scope("layer");
    EXPECT_EQ(vs::matmul(a, b).name(), "layer/MatMul:0");
    EXPECT_EQ(vs::matmul(a, b).name(), "layer/MatMul_1:0");
  }
  EXPECT_EQ((a * b).name(), "mul:0");
  EXPECT_EQ(vs::multiply(a, b).name(), "Mul_1:0");
}

TEST(Naming, N5_OperatorAndFunctionNames) {
  vs::Graph g;
  vs::Tensor a = vs::constant(g, 1.0f);
  vs::Tensor b = vs::constant(g, 2.0f);
  EXPECT_EQ((a - b).name(), "sub:0");
  EXPECT_EQ(vs::subtract(a, b).name(), "Sub_1:0");
  EXPECT_EQ((a / b).name(), "truediv:0");
  EXPECT_EQ((a + b).name(), "add:0");
  EXPECT_EQ((a + b).name(), "add_1:0");
  EXPECT_EQ(vs::add(a, b).name(), "Add_2:0");
  EXPECT_EQ(vs::add(a, b, "sum").name(), "sum:0");
  vs::Tensor m = Matrix(g, 1.0f);
  EXPECT_EQ(vs::matmul(m, m, {.name = "mm"}).op().name(), "mm");
}

TEST(Naming, N5_OpNameIsTheUniquifiedScopeOfItsType) {
  vs::Graph g;
  vs::Tensor a = Matrix(g, 1.0f);
  // A name scope "MatMul" occupies the name: the op becomes MatMul_1, as TF's
  // `with name_scope("MatMul")` inside the op wrapper gives.
  {
    auto s = g.name_scope("MatMul");
    EXPECT_EQ(s.name(), "MatMul/");
  }
  EXPECT_EQ(vs::matmul(a, a).name(), "MatMul_1:0");
}
