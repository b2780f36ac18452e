// One rule for failed calls: a call that throws leaves the graph exactly as it was — its
// operations, the names in use, variables, the store and collections — whatever it had
// built before it failed (docs/differences.md, "A failed call changes nothing"). And building a
// graph on one thread while a session runs it on another is safe.
#include <gtest/gtest.h>

#include <atomic>
#include <new>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "test_util.h"
#include "varscope/varscope.h"

namespace vs = varscope;
using vs::testing::error_of;

namespace {

// Everything a failed call could leave behind, as text.
std::string state_of(const vs::Graph& g) {
  std::string out;
  for (const vs::Operation& op : g.operations())
    out += op.name() + "(" + op.type() + ") ";
  out += "| ";
  for (const vs::Variable& v : g.get_collection(vs::GraphKeys::kGlobalVariables))
    out += v.name() + " ";
  out += "| ";
  for (const vs::Variable& v : g.get_collection(vs::GraphKeys::kTrainableVariables))
    out += v.name() + " ";
  return out;
}

vs::Graph model() {
  vs::Graph g;
  auto s = g.variable_scope("m");
  g.get_variable("w", {.shape = vs::Shape{2, 2}});
  return g;
}

}  // namespace

// E24 after the variable's scope and initializer ops were begun: its names are free again.
TEST(FailedCalls, GetVariableWithTooManyInitialValuesUsesNoName) {
  vs::Graph g = model();
  const std::string before = state_of(g);
  error_of<vs::ValueError>([&] {
    g.get_variable("c",
                   {.shape = vs::Shape{2}, .initializer = vs::constant_initializer({1, 2, 3})});
  });
  EXPECT_EQ(state_of(g), before);
  EXPECT_EQ(vs::constant(g, 1.f, {.name = "c"}).op().name(), "c");
  EXPECT_EQ(g.get_variable("c", {.shape = vs::Shape{3}}).name(), "c_1:0");
}

// E27: a normal initializer of an integer dtype.
TEST(FailedCalls, GetVariableWithAnIntegerNormalUsesNoName) {
  vs::Graph g = model();
  const std::string before = state_of(g);
  error_of<vs::ValueError>([&] {
    g.get_variable("d", {.shape = vs::Shape{2},
                         .dtype = vs::DType::kInt32,
                         .initializer = vs::random_normal_initializer()});
  });
  EXPECT_EQ(state_of(g), before);
  EXPECT_EQ(vs::constant(g, 1.f, {.name = "d"}).op().name(), "d");
}

TEST(FailedCalls, FailedOpLeavesItsNameUnused) {
  vs::Graph g;
  const vs::Tensor a = vs::constant(g, vs::HostTensor(std::vector<float>(6, 1.f), vs::Shape{2, 3}));
  const std::string before = state_of(g);
  error_of<vs::ValueError>([&] { vs::matmul(a, a); });
  EXPECT_EQ(state_of(g), before);
  const vs::Tensor b = vs::constant(g, vs::HostTensor(std::vector<float>(6, 1.f), vs::Shape{3, 2}));
  EXPECT_EQ(vs::matmul(a, b).op().name(), "MatMul");
}

// A callable initial value that builds ops and then fails: its ops, names, the variable's
// own ops and its collections are all undone.
TEST(FailedCalls, CallableInitialValueThatFailsLeavesNothing) {
  vs::Graph g = model();
  const std::string before = state_of(g);
  error_of<vs::ValueError>([&] {
    g.variable([&]() -> vs::Tensor {
      vs::constant(g, 2.f, {.name = "partial"});
      throw vs::ValueError("no initial value today");
    });
  });
  EXPECT_EQ(state_of(g), before);
  EXPECT_EQ(g.variable(vs::HostTensor(1.f)).name(), "Variable:0");
  EXPECT_EQ(vs::constant(g, 2.f, {.name = "partial"}).op().name(), "partial");
}

// No std:: exception escapes a building call; the graph is unchanged.
TEST(FailedCalls, ForeignExceptionsBecomeVsErrors) {
  vs::Graph g = model();
  const std::string before = state_of(g);
  const std::string msg = error_of<vs::InternalError>([&] {
    g.variable([&]() -> vs::Tensor {
      vs::constant(g, 2.f);
      throw std::runtime_error("from user code");
    });
  });
  EXPECT_NE(msg.find("from user code"), std::string::npos) << msg;
  error_of<vs::ResourceExhaustedError>([&] {
    g.variable([&]() -> vs::Tensor {
      vs::constant(g, 2.f);
      throw std::bad_alloc();
    });
  });
  EXPECT_EQ(state_of(g), before);
}

// Session::run on one thread while another thread keeps building the same graph.
TEST(GraphThreads, RunWhileAnotherThreadBuilds) {
  vs::Graph g;
  const vs::Tensor x = vs::constant(g, vs::HostTensor(std::vector<float>{1, 2, 3}, vs::Shape{3}));
  const vs::Tensor y = x * 2.f + 1.f;
  vs::Session sess(g, {.device = vs::DeviceKind::kCpu});
  std::atomic<bool> done{false};
  std::thread builder([&] {
    for (int i = 0; i < 3000; ++i) {
      auto scope = g.variable_scope(std::string("layer").append(std::to_string(i % 7)));
      g.get_variable(std::string("w").append(std::to_string(i)), {.shape = vs::Shape{4}});
      vs::constant(g, static_cast<float>(i)) + 1.f;
    }
    done = true;
  });
  int runs = 0;
  while (!done || runs < 10) {
    EXPECT_EQ(vs::testing::values(sess.run(y)), (std::vector<float>{3, 5, 7}));
    ++runs;
  }
  builder.join();
  EXPECT_EQ(g.get_collection(vs::GraphKeys::kGlobalVariables).size(), 3000u);
}

// Where TF and varscope both refuse a call, the error is TF's: the one TF reaches first.
TEST(FailedCalls, InvalidNameIsReportedBeforeTheShapeError) {
  vs::Graph g;
  const vs::Tensor a = vs::constant(g, vs::HostTensor(std::vector<float>(6, 1.f), vs::Shape{2, 3}));
  EXPECT_EQ(error_of<vs::ValueError>([&] { vs::matmul(a, a, {.name = "_a"}); }),
            "'_a' is not a valid scope name");
  const vs::Tensor b = vs::constant(g, vs::HostTensor(std::vector<float>(4, 1.f), vs::Shape{4}));
  EXPECT_EQ(error_of<vs::ValueError>([&] { vs::add(a, b, "_b"); }),
            "'_b' is not a valid scope name");
}

TEST(FailedCalls, InitializerDtypeErrorComesBeforeTheDuplicateName) {
  vs::Graph g;
  g.variable(1.0f, {.name = "x/"});
  const std::string before = state_of(g);
  EXPECT_EQ(error_of<vs::ValueError>([&] {
              g.get_variable("x/", {.shape = vs::Shape{1},
                                    .dtype = vs::DType::kInt32,
                                    .initializer = vs::random_normal_initializer()});
            }),
            "Expected floating point type, got <dtype: 'int32'>.");
  EXPECT_EQ(state_of(g), before);
}

// get_tensor_by_name parses the index as TF does (Python's int()), before the op lookup.
TEST(TensorNames, OutputIndexIsParsedLikePythonInt) {
  vs::Graph g;
  vs::constant(g, 1.f, {.name = "x"});
  for (const char* bad : {"x:0abc", "x:0.9", "x:0 junk", "x:", "x:0:0", "nope:zero", "x:_0"}) {
    EXPECT_EQ(error_of<vs::ValueError>([&] { g.get_tensor_by_name(bad); }),
              "The name '" + std::string(bad) + "' has an invalid output index.");
  }
  for (const char* good : {"x:0", "x: 0 ", "x:+0", "x:0_0"})
    EXPECT_EQ(g.get_tensor_by_name(good).name(), "x:0") << good;
  error_of<vs::NotFoundError>([&] { g.get_tensor_by_name("x:99999999999999999999"); });
}

// Collection filters are user regexes: matched by RE2 (linear time, no recursion).
TEST(CollectionFilters, HostileRegexesAreRefusedOrFast) {
  vs::Graph g;
  {
    auto s = g.variable_scope(std::string(200000, 'a'));
    g.get_variable("w", {.shape = vs::Shape{1}});
  }
  EXPECT_EQ(g.get_collection(vs::GraphKeys::kGlobalVariables, "(a|a)*b").size(), 0u);
  EXPECT_EQ(g.get_collection(vs::GraphKeys::kGlobalVariables, "(a|aa)*/w").size(), 1u);
  const std::string msg =
      error_of<vs::ValueError>([&] { g.get_collection(vs::GraphKeys::kGlobalVariables, "a**"); });
  EXPECT_NE(msg.find("not a regular expression"), std::string::npos) << msg;
}

// What Python's re.match would do with each filter, or its refusal; never a silent
// difference (RE2 reads `{,2}` and counts past 10^8 as literal text).
TEST(CollectionFilters, PythonSyntaxIsMatchedAsPythonWouldOrRefused) {
  vs::Graph g = model();  // m/w:0
  const std::string before = state_of(g);
  const auto matches = [&g](const std::string& filter) {
    return g.get_collection(vs::GraphKeys::kGlobalVariables, filter).size();
  };
  EXPECT_EQ(matches("m{,2}/w"), 1u);  // Python: {0,2}
  EXPECT_EQ(matches("x{,}m/"), 1u);   // Python: {0,}
  EXPECT_EQ(matches("m{001}/"), 1u);  // Python: {1}
  EXPECT_EQ(matches("m{}/"), 0u);     // a literal "{}" in both
  EXPECT_EQ(matches("m{x}/"), 0u);
  EXPECT_EQ(matches("[{,1}]?m/"), 1u);  // braces in a class are characters
  EXPECT_EQ(error_of<vs::InvalidArgumentError>([&] { g.global_variables("a{99999999999}"); }),
            "Invalid collection scope filter 'a{99999999999}': the repetition number is too large");
  EXPECT_EQ(error_of<vs::InvalidArgumentError>([&] { g.global_variables("m{4294967295}"); }),
            "Invalid collection scope filter 'm{4294967295}': the repetition number is too large");
  EXPECT_EQ(error_of<vs::InvalidArgumentError>([&] { g.global_variables("m{0,2000}"); }),
            "Collection scope filter 'm{0,2000}' cannot be matched as Python's re would: RE2 "
            "allows repetition counts up to 1000");
  EXPECT_EQ(error_of<vs::InvalidArgumentError>([&] { g.trainable_variables("m(?=/)"); }),
            "Collection scope filter 'm(?=/)' cannot be matched as Python's re would: invalid "
            "perl operator: (?=");
  EXPECT_EQ(error_of<vs::InvalidArgumentError>([&] { g.global_variables("(m{50}){50}"); }),
            "Collection scope filter '(m{50}){50}' cannot be matched as Python's re would: "
            "invalid repetition size: {50}");
  EXPECT_EQ(error_of<vs::ValueError>([&] { g.global_variables("m{3,2}"); }),
            "Invalid collection scope filter 'm{3,2}': not a regular expression (min repeat "
            "greater than max repeat)");
  EXPECT_EQ(error_of<vs::ValueError>([&] { g.global_variables("(?z)m"); }),
            "Invalid collection scope filter '(?z)m': not a regular expression (invalid perl "
            "operator: (?z)");
  EXPECT_EQ(state_of(g), before);
}

// Placeholders of unknown rank fed values the op cannot take: TF's run-time errors.
TEST(UnknownRankFeeds, RankErrorsAtRunTime) {
  vs::Graph g;
  const vs::Tensor x = vs::placeholder(g, vs::DType::kFloat32, std::nullopt, "x");
  const vs::Tensor b = vs::placeholder(g, vs::DType::kFloat32, std::nullopt, "b");
  const vs::Tensor sm = vs::softmax(x);
  const vs::Tensor ba = vs::bias_add(x, b);
  const vs::Tensor mm = vs::matmul(x, x);
  vs::Session sess(g, {.device = vs::DeviceKind::kCpu});
  const vs::HostTensor scalar(2.f);
  const vs::HostTensor vec(std::vector<float>{1, 2, 3}, vs::Shape{3});
  EXPECT_EQ(error_of<vs::InvalidArgumentError>([&] {
              sess.run(sm, {{x, scalar}});
            }).find("logits must have >= 1 dimension, got []"),
            0u);
  EXPECT_EQ(error_of<vs::InvalidArgumentError>([&] {
              sess.run(ba, {{x, vec}, {b, vec}});
            }).find("Input tensor must be at least 2D: [3]"),
            0u);
  error_of<vs::InvalidArgumentError>([&] { sess.run(mm, {{x, vec}}); });
  error_of<vs::InvalidArgumentError>([&] { sess.run(mm, {{x, scalar}}); });
  // And the session still works.
  EXPECT_EQ(vs::testing::values(sess.run(sm, {{x, vec}})).size(), 3u);
}
