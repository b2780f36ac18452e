// Naming: Graph.unique_name, name_scope and op default names (docs/tf1-semantics.md section 1,
// N1-N9, and the name errors E16/E17 of docs/errors.md). Every expected string is what TF 1.15
// prints.
#include <gtest/gtest.h>

#include <exception>
#include <optional>
#include <string>
#include <typeinfo>
#include <vector>

#include "test_util.h"
#include "varscope/varscope.h"

namespace vs = varscope;

namespace {

using varscope::testing::error_of;

// tf.constant(0., name=name); an empty name gives TF's default "Const".
vs::Tensor Const(vs::Graph& g, const std::string& name = {}) {
  return vs::constant(g, 0.0f, {.name = name});
}

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
