// Bad input to the public API: for each kind, the exception class and message, and that the
// graph and the session keep working and no variable changed afterwards. One test per row
// (or group of rows) of the table in tests/README.md. Expected texts are TensorFlow 1.15's
// where TF has the case (docs/errors.md); the CPU backend runs everything.
#include <cxxabi.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <atomic>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <typeinfo>
#include <utility>
#include <vector>

#include "test_util.h"
#include "varscope/varscope.h"

namespace vs = varscope;
namespace fs = std::filesystem;

namespace {

const vs::SessionOptions kCpu{.device = vs::DeviceKind::kCpu};

// 2^23 x 2^23 float32 = 2^48 bytes (256 TiB): more than any machine's memory and more than
// the 47-bit user address space, so the allocation fails whatever the overcommit policy.
const vs::Shape kHuge{std::int64_t{1} << 23, std::int64_t{1} << 23};

std::string TypeName(const std::type_info& type) {
  int status = 0;
  std::unique_ptr<char, void (*)(void*)> name(
      abi::__cxa_demangle(type.name(), nullptr, nullptr, &status), std::free);
  return status == 0 && name ? name.get() : type.name();
}

using varscope::testing::error_of;
using varscope::testing::StartsWith;

bool Contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// For the calls that crash today: runs f in a death-test child, so that a crash fails this
// test only. The child exits 0 when f threw E, 1 for anything else it threw, 2 when f
// returned; a crash shows as "Terminated by signal N".
template <typename E, typename F>
[[noreturn]] void ExitWithOutcome(F&& f) {
  try {
    f();
  } catch (const E& e) {
    std::fprintf(stderr, "threw the expected class: %s\n", e.what());
    std::_Exit(0);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "threw %s: %s\n", TypeName(typeid(e)).c_str(), e.what());
    std::_Exit(1);
  }
  std::fprintf(stderr, "did not throw\n");
  std::_Exit(2);
}

void UseThreadsafeDeathTests() {
#ifdef GTEST_FLAG_SET
  GTEST_FLAG_SET(death_test_style, "threadsafe");
#else
  ::testing::FLAGS_gtest_death_test_style = "threadsafe";
#endif
}

using vs::testing::Names;
using vs::testing::TempDir;

vs::HostTensor Floats(std::vector<float> values, vs::Shape shape) {
  return vs::HostTensor(values, std::move(shape));
}

// The model every test starts from: variables "model/w" (2x3) and "model/b" (3) made by
// get_variable, a tf.Variable "steps" (int64), a placeholder "x" (?x2) and y = x·w + b, in a
// CPU session where all three are initialized.
//
// Intact() is the promise of every row of the table: since Mark(), no op, variable or
// collection entry was added; the name scope and variable scope are where they were; every
// variable still holds its value (and the uninitialized ones are still uninitialized); and
// the graph and the session still work: a new get_variable is built, initialized and used in
// a run of y with a feed, giving the expected numbers.
class BadInput : public ::testing::Test {
 protected:
  enum class Ops { kUnchanged, kMayGrow };

  void SetUp() override {
    {
      auto s = g_.variable_scope("model");
      w_ = g_.get_variable("w", {.shape = vs::Shape{2, 3},
                                 .initializer = vs::constant_initializer({1, 2, 3, 4, 5, 6})});
      b_ = g_.get_variable("b",
                           {.shape = vs::Shape{3}, .initializer = vs::constant_initializer(0.5)});
    }
    steps_ = g_.variable(vs::HostTensor(std::int64_t{7}), {.name = "steps", .trainable = false});
    x_ = vs::placeholder(g_, vs::DType::kFloat32, vs::Shape{vs::kUnknownDim, 2}, "x");
    y_ = vs::matmul(x_, w_) + b_;
    sess_.emplace(g_, kCpu);
    sess_->run(g_.global_variables_initializer());
    Mark();
  }

  void Mark() {
    ops_ = g_.num_operations();
    globals_ = Names(g_.global_variables());
    locals_ = Names(g_.local_variables());
    trainables_ = Names(g_.trainable_variables());
    name_scope_ = g_.get_name_scope();
    variable_scope_ = g_.get_variable_scope().name();
    uninitialized_ = sess_->report_uninitialized_variables();
    values_.clear();
    for (const vs::Variable& v : g_.global_variables()) {
      if (sess_->is_initialized(v)) values_.emplace_back(v, sess_->run(v));
    }
  }

  ::testing::AssertionResult Intact(Ops ops = Ops::kUnchanged) {
    try {
      if (ops == Ops::kUnchanged && g_.num_operations() != ops_) {
        return ::testing::AssertionFailure()
               << "the graph has " << g_.num_operations() << " ops, " << ops_ << " before";
      }
      if (Names(g_.global_variables()) != globals_ || Names(g_.local_variables()) != locals_ ||
          Names(g_.trainable_variables()) != trainables_) {
        return ::testing::AssertionFailure() << "the variable collections changed";
      }
      if (g_.get_name_scope() != name_scope_) {
        return ::testing::AssertionFailure() << "the name scope is '" << g_.get_name_scope()
                                             << "', '" << name_scope_ << "' before";
      }
      if (g_.get_variable_scope().name() != variable_scope_) {
        return ::testing::AssertionFailure()
               << "the variable scope is '" << g_.get_variable_scope().name() << "', '"
               << variable_scope_ << "' before";
      }
      if (sess_->report_uninitialized_variables() != uninitialized_) {
        return ::testing::AssertionFailure() << "the set of uninitialized variables changed";
      }
      for (const auto& [v, value] : values_) {
        const vs::HostTensor now = sess_->run(v);
        if (!(now == value)) {
          return ::testing::AssertionFailure()
                 << v.name() << " is now " << now.to_string() << ", was " << value.to_string();
        }
      }
      // Still working: a new variable, its initializer, and a run with a feed.
      vs::Variable probe =
          g_.get_variable("probe_" + std::to_string(probes_++),
                          {.shape = vs::Shape{3}, .initializer = vs::ones_initializer()});
      sess_->run(probe.initializer());
      const vs::HostTensor got =
          sess_->run(y_ + probe, {{x_, Floats({1, 0, 0, 1, 1, 1}, vs::Shape{3, 2})}});
      const vs::HostTensor want =
          Floats({2.5f, 3.5f, 4.5f, 5.5f, 6.5f, 7.5f, 6.5f, 8.5f, 10.5f}, vs::Shape{3, 3});
      if (!(got == want)) {
        return ::testing::AssertionFailure() << "y + probe is " << got.to_string();
      }
    } catch (const std::exception& e) {
      return ::testing::AssertionFailure() << "checking the state threw: " << e.what();
    }
    Mark();
    return ::testing::AssertionSuccess();
  }

  vs::Graph g_;
  vs::Variable w_, b_, steps_;
  vs::Tensor x_, y_;
  std::optional<vs::Session> sess_;

 private:
  std::size_t ops_ = 0;
  std::vector<std::string> globals_, locals_, trainables_, uninitialized_;
  std::string name_scope_, variable_scope_;
  std::vector<std::pair<vs::Variable, vs::HostTensor>> values_;
  int probes_ = 0;
};

}  // namespace

// ================================= names =================================

TEST_F(BadInput, InvalidScopeNameAtTheRoot) {
  EXPECT_EQ(error_of<vs::ValueError>([&] { auto s = g_.name_scope("_x"); }),
            "'_x' is not a valid scope name");
  EXPECT_EQ(error_of<vs::ValueError>([&] { auto s = g_.variable_scope("_"); }),
            "'_' is not a valid scope name");
  EXPECT_TRUE(Intact());
}

TEST_F(BadInput, InvalidScopeNameNested) {
  {
    auto outer = g_.name_scope("outer");
    EXPECT_EQ(error_of<vs::ValueError>([&] { auto s = g_.name_scope("a b"); }),
              "'a b' is not a valid scope name");
    EXPECT_EQ(g_.get_name_scope(), "outer");
  }
  EXPECT_TRUE(Intact());
}

TEST_F(BadInput, InvalidNodeName) {
  // tf.constant goes straight to create_op: the node-name check.
  EXPECT_EQ(error_of<vs::ValueError>([&] { vs::constant(g_, 1.0f, {.name = "a b"}); }),
            "'a b' is not a valid node name");
  // Ops built through _apply_op_helper (and their wrappers) enter name_scope(name) first.
  EXPECT_EQ(error_of<vs::ValueError>([&] { vs::add(x_, x_, "a b"); }),
            "'a b' is not a valid scope name");
  EXPECT_EQ(error_of<vs::ValueError>([&] { vs::matmul(x_, w_, {.name = "a b"}); }),
            "'a b' is not a valid scope name");
  EXPECT_EQ(error_of<vs::ValueError>(
                [&] { vs::placeholder(g_, vs::DType::kFloat32, vs::Shape{2}, "a b"); }),
            "'a b' is not a valid scope name");
  EXPECT_TRUE(Intact());
}

TEST_F(BadInput, InvalidVariableName) {
  EXPECT_EQ(error_of<vs::ValueError>([&] { g_.get_variable("_v", {.shape = vs::Shape{1}}); }),
            "'_v' is not a valid scope name");
  EXPECT_EQ(error_of<vs::ValueError>([&] { g_.variable(1.0f, {.name = "a b"}); }),
            "'a b' is not a valid scope name");
  EXPECT_TRUE(Intact());
}

// TF 1.15 at the root: get_variable("") -> RefVariable's name_scope("") resets to the root and
// yields "", so VariableV2 is created with the name "" and Operation() refuses it.
TEST_F(BadInput, EmptyGetVariableNameAtTheRootIsAnInvalidNodeName) {
  EXPECT_EQ(error_of<vs::ValueError>([&] { g_.get_variable("", {.shape = vs::Shape{1}}); }),
            "'' is not a valid node name");
  // TF leaves the initializer ops it built before the refusal; no variable is added.
  EXPECT_TRUE(Intact(Ops::kMayGrow));
}

TEST_F(BadInput, AbsoluteNameOfAnExistingOp) {
  EXPECT_EQ(error_of<vs::ValueError>([&] { vs::constant(g_, 1.0f, {.name = "x/"}); }),
            "Duplicate node name in graph: 'x'");
  EXPECT_EQ(error_of<vs::ValueError>([&] { g_.get_variable("x/", {.shape = vs::Shape{1}}); }),
            "Duplicate node name in graph: 'x'");
  EXPECT_TRUE(Intact());
}

TEST_F(BadInput, UnknownOperationOrTensorName) {
  EXPECT_EQ(error_of<vs::NotFoundError>([&] { g_.get_operation_by_name("nope"); }),
            "The name 'nope' refers to an Operation not in the graph.");
  EXPECT_EQ(error_of<vs::NotFoundError>([&] { g_.get_tensor_by_name("nope:0"); }),
            "The name 'nope' refers to an Operation not in the graph.");
  EXPECT_EQ(error_of<vs::ValueError>([&] { g_.get_tensor_by_name("x"); }),
            "The name 'x' looks like an (invalid) Operation name, not a Tensor. Tensor names "
            "must be of the form \"<op_name>:<output_index>\".");
  EXPECT_EQ(error_of<vs::NotFoundError>([&] { g_.get_tensor_by_name("x:1"); }),
            "The name 'x:1' refers to a Tensor which does not exist. The operation, 'x', exists "
            "but only has 1 outputs.");
  EXPECT_EQ(error_of<vs::ValueError>([&] { g_.get_tensor_by_name("x:one"); }),
            "The name 'x:one' has an invalid output index.");
  EXPECT_TRUE(Intact());
}

TEST_F(BadInput, OperationAttrMissingOrOfAnotherKind) {
  EXPECT_EQ(error_of<vs::NotFoundError>([&] { x_.op().attr_int("nope"); }),
            "Operation 'x' has no attr named 'nope'.");
  EXPECT_EQ(error_of<vs::InvalidArgumentError>([&] { x_.op().attr_int("dtype"); }),
            "Attr 'dtype' of operation 'x' is of another type");
  EXPECT_TRUE(Intact());
}

TEST_F(BadInput, OperationOutputOutOfRange) {
  EXPECT_EQ(error_of<vs::ValueError>([&] { x_.op().output(1); }), "Operation 'x' has no output 1");
  EXPECT_EQ(error_of<vs::ValueError>([&] { x_.op().output(-1); }),
            "Operation 'x' has no output -1");
  EXPECT_TRUE(Intact());
}

// TF: op.inputs[i] out of range is an IndexError. varscope has no IndexError; the expected
// class and text are those of Operation::output(i), the same mistake on the other side.
TEST_F(BadInput, OperationInputOutOfRange) {
  ASSERT_EQ(y_.op().name(), "add");
  ASSERT_EQ(y_.op().num_inputs(), 2);
  EXPECT_EQ(error_of<vs::ValueError>([&] { y_.op().input(2); }), "Operation 'add' has no input 2");
  EXPECT_EQ(error_of<vs::ValueError>([&] { x_.op().input(0); }), "Operation 'x' has no input 0");
  EXPECT_TRUE(Intact());
}

// TF: re.match("model/(", name) raises re.error. It must be a vs::Error naming the pattern.
TEST_F(BadInput, CollectionFilterThatIsNotARegex) {
  const std::string msg =
      error_of<vs::ValueError>([&] { g_.global_variables(std::string("model/(")); });
  EXPECT_TRUE(Contains(msg, "model/(")) << msg;
  EXPECT_TRUE(Contains(error_of<vs::ValueError>([&] {
                         g_.get_collection(vs::GraphKeys::kTrainableVariables, std::string("["));
                       }),
                       "["));
  EXPECT_TRUE(Intact());
}

TEST_F(BadInput, UnknownDtypeNameAndNegativeDimension) {
  EXPECT_EQ(error_of<vs::ValueError>([] { vs::dtype_from_name("float33"); }),
            "Unknown dtype name 'float33'");
  EXPECT_EQ(error_of<vs::ValueError>([] { (void)vs::Shape{2, -3}; }), "Dimension -3 must be >= 0");
  EXPECT_TRUE(Intact());
}

// ================================= scopes =================================

TEST_F(BadInput, VariableScopeWithoutNameOrDefaultName) {
  EXPECT_EQ(error_of<vs::TypeError>([&] { auto s = g_.variable_scope(std::nullopt, {}); }),
            "If default_name is None then name_or_scope is required");
  EXPECT_TRUE(Intact());
}

TEST_F(BadInput, ReuseWithoutAName) {
  for (vs::Reuse reuse : {vs::Reuse::kTrue, vs::Reuse::kAuto}) {
    EXPECT_EQ(error_of<vs::ValueError>([&] {
                auto s = g_.variable_scope(std::nullopt, {.default_name = "layer", .reuse = reuse});
              }),
              "reuse=True cannot be used without a name_or_scope");
  }
  EXPECT_TRUE(Intact());
  // "layer" is still free.
  auto s = g_.variable_scope(std::nullopt, {.default_name = "layer"});
  EXPECT_EQ(s.name(), "layer");
}

TEST_F(BadInput, ImproperNestingOfVariableScopes) {
  auto outer = std::make_unique<vs::VariableScopeGuard>(g_.variable_scope("outer"));
  auto inner = std::make_unique<vs::VariableScopeGuard>(g_.variable_scope("inner"));
  outer.reset();  // exits "outer" while "inner" is open: closes both and marks the graph
  EXPECT_EQ(error_of<vs::RuntimeError>([&] { g_.get_variable("v", {.shape = vs::Shape{1}}); }),
            "Improper nesting of variable_scope.");
  inner.reset();
  EXPECT_TRUE(Intact());
  EXPECT_EQ(g_.get_variable("v", {.shape = vs::Shape{1}}).name(), "v:0");
}

TEST_F(BadInput, EmptyVariableScopeHandle) {
  EXPECT_EQ(error_of<vs::ValueError>([&] { auto s = g_.variable_scope(vs::VariableScope()); }),
            "VariableScope handle is empty");
  EXPECT_EQ(error_of<vs::ValueError>([] { (void)vs::VariableScope().name(); }),
            "VariableScope handle is empty");
  EXPECT_TRUE(Intact());
}

// TF 1.15 would accept this (a VariableScope is not bound to a graph); varscope refuses it.
TEST_F(BadInput, VariableScopeOfAnotherGraph) {
  vs::Graph other;
  vs::VariableScope captured;
  {
    auto s = other.variable_scope("elsewhere");
    captured = s;
  }
  EXPECT_EQ(error_of<vs::ValueError>([&] { auto s = g_.variable_scope(captured); }),
            "variable_scope: the VariableScope 'elsewhere' belongs to another graph");
  EXPECT_TRUE(Intact());
}

// ============================ variables: reuse ============================

TEST_F(BadInput, VariableAlreadyExists) {
  {
    auto s = g_.variable_scope("model");
    const std::string msg = error_of<vs::ValueError>([&] {
      g_.get_variable("w", {.shape = vs::Shape{2, 3}});
    });
    EXPECT_TRUE(StartsWith(msg,
                           "Variable model/w already exists, disallowed. Did you mean to set "
                           "reuse=True or reuse=tf.AUTO_REUSE in VarScope? Originally defined "
                           "at:\n\n"))
        << msg;
    EXPECT_TRUE(Contains(msg, "bad_input_test.cpp")) << msg;
  }
  EXPECT_TRUE(Intact());
}

TEST_F(BadInput, VariableDoesNotExist) {
  {
    auto s = g_.variable_scope("model", {.reuse = vs::Reuse::kTrue});
    const std::string want =
        "Variable model/u does not exist, or was not created with tf.get_variable(). Did you "
        "mean to set reuse=tf.AUTO_REUSE in VarScope?";
    EXPECT_EQ(error_of<vs::ValueError>([&] { g_.get_variable("u", {.shape = vs::Shape{1}}); }),
              want);
    EXPECT_EQ(
        error_of<vs::ValueError>([&] { g_.get_local_variable("u", {.shape = vs::Shape{1}}); }),
        want);
  }
  EXPECT_TRUE(Intact());
}

TEST_F(BadInput, ShapeMismatchOnReuse) {
  {
    auto s = g_.variable_scope("model", {.reuse = vs::Reuse::kTrue});
    EXPECT_EQ(error_of<vs::ValueError>([&] {
                g_.get_variable("w", {.shape = vs::Shape{3, 2}});
              }),
              "Trying to share variable model/w, but specified shape (3, 2) and found shape (2, "
              "3).");
    EXPECT_EQ(error_of<vs::ValueError>([&] { g_.get_variable("b", {.shape = vs::Shape{}}); }),
              "Trying to share variable model/b, but specified shape () and found shape (3,).");
  }
  EXPECT_TRUE(Intact());
}

TEST_F(BadInput, DtypeMismatchOnReuse) {
  {
    auto s = g_.variable_scope("model", {.reuse = vs::Reuse::kAuto});
    EXPECT_EQ(error_of<vs::ValueError>([&] {
                g_.get_variable("w", {.shape = vs::Shape{2, 3}, .dtype = vs::DType::kFloat64});
              }),
              "Trying to share variable model/w, but specified dtype float64 and found dtype "
              "float32_ref.");
  }
  EXPECT_TRUE(Intact());
}

// ======================= variables: initial values ========================

TEST_F(BadInput, ConstantTensorInitializerWithAShape) {
  vs::Tensor c = vs::constant(g_, 0.1f);
  Mark();
  EXPECT_EQ(error_of<vs::ValueError>(
                [&] { g_.get_variable("c", {.shape = vs::Shape{1}, .initializer = c}); }),
            "If initializer is a constant, do not specify shape.");
  EXPECT_TRUE(Intact());
}

TEST_F(BadInput, UnknownDimsWhereGetVariableNeedsAFullShape) {
  const std::string kInvalid =
      "The initializer passed is not valid. It should be a callable with no arguments and the "
      "shape should not be provided or an instance of `tf.keras.initializers.*' and `shape` "
      "should be fully defined.\nVariable u needs a fully defined shape (got ";
  const auto invalid = [&kInvalid](const std::string& shape) {
    return kInvalid + shape + "): get_variable(\"u\", {.shape = vs::Shape{...}})";
  };
  EXPECT_EQ(error_of<vs::ValueError>([&] { g_.get_variable("u"); }), invalid("<unknown>"));
  EXPECT_EQ(error_of<vs::ValueError>([&] {
              g_.get_variable("u", {.shape = vs::Shape{vs::kUnknownDim, 3}});
            }),
            invalid("(?, 3)"));
  EXPECT_EQ(
      error_of<vs::ValueError>([&] { g_.get_variable("u", {.shape = vs::Shape::unknown_rank()}); }),
      invalid("<unknown>"));
  EXPECT_EQ(error_of<vs::ValueError>([&] {
              g_.get_variable("u", {.shape = vs::Shape{vs::kUnknownDim}, .validate_shape = false});
            }),
            invalid("(?,)"));
  EXPECT_TRUE(Intact());
}

TEST_F(BadInput, UnknownDimsInAnInitialValue) {
  const std::string want =
      "initial_value must have a shape specified: Tensor(\"x:0\", shape=(?, 2), dtype=float32)";
  EXPECT_EQ(error_of<vs::ValueError>([&] { g_.variable(x_, {.name = "v"}); }), want);
  EXPECT_EQ(error_of<vs::ValueError>([&] { g_.get_variable("v", {.initializer = x_}); }), want);
  EXPECT_TRUE(Intact());
}

// validate_shape=false builds (as in TF), but the session cannot size the variable.
TEST_F(BadInput, VariableWithoutAFullShapeAtRunTime) {
  vs::Variable dyn = g_.variable(x_, {.name = "dyn", .validate_shape = false});
  Mark();
  EXPECT_EQ(error_of<vs::UnimplementedError>([&] {
              sess_->run(dyn.initializer(), {{x_, Floats({1, 2}, vs::Shape{1, 2})}});
            }),
            "Variable dyn has no fully defined shape (validate_shape=false)");
  EXPECT_TRUE(Intact());
}

TEST_F(BadInput, NoDefaultInitializerForTheDtype) {
  EXPECT_EQ(error_of<vs::ValueError>([&] {
              g_.get_variable("c", {.shape = vs::Shape{2}, .dtype = vs::DType::kComplex64});
            }),
            "An initializer for variable c of <dtype: 'complex64'> is required");
  EXPECT_TRUE(Intact());
}

TEST_F(BadInput, InitializerDtypeAndExplicitDtypeDisagree) {
  vs::Tensor i = vs::constant(g_, 1);
  Mark();
  EXPECT_EQ(error_of<vs::ValueError>(
                [&] { g_.get_variable("i", {.dtype = vs::DType::kFloat32, .initializer = i}); }),
            "Initializer type '<dtype: 'int32'>' and explicit dtype '<dtype: 'float32'>' don't "
            "match.");
  EXPECT_TRUE(Intact());
}

TEST_F(BadInput, InitialValueMissing) {
  EXPECT_EQ(error_of<vs::ValueError>([&] { g_.variable(vs::Tensor(), {.name = "v"}); }),
            "initial_value must be specified.");
  EXPECT_EQ(error_of<vs::ValueError>([&] { g_.variable(std::function<vs::Tensor()>()); }),
            "initial_value must be specified.");
  // A callable that returns no tensor (TF: "None values not supported.").
  EXPECT_EQ(error_of<vs::ValueError>([&] {
              g_.variable(std::function<vs::Tensor()>([] { return vs::Tensor(); }), {.name = "v"});
            }),
            "The handle is empty (default-constructed)");
  EXPECT_TRUE(Intact());
}

TEST_F(BadInput, InitialValueOfAnotherDtype) {
  // TF appends ": 'Tensor(\"x:0\", ...)'" (repr of str(tensor)).
  const std::string msg =
      error_of<vs::ValueError>([&] { g_.variable(x_, {.dtype = vs::DType::kInt32}); });
  EXPECT_TRUE(
      StartsWith(msg, "Tensor conversion requested dtype int32 for Tensor with dtype float32"))
      << msg;
  EXPECT_EQ(error_of<vs::TypeError>([&] {
              g_.variable(vs::HostTensor(1.5f), {.name = "v", .dtype = vs::DType::kInt32});
            }),
            "Expected int32, got 1.5 of type 'float' instead.");
  EXPECT_TRUE(Intact());
}

TEST_F(BadInput, InitialValueFromAnotherGraph) {
  vs::Graph other;
  vs::Tensor c = vs::constant(other, 1.0f, {.name = "c"});
  const std::string want = "Tensor c:0 must be from the same graph as the op being built.";
  EXPECT_EQ(error_of<vs::ValueError>([&] { g_.variable(c, {.name = "v"}); }), want);
  EXPECT_EQ(error_of<vs::ValueError>([&] { g_.get_variable("v", {.initializer = c}); }), want);
  EXPECT_TRUE(Intact());
}

// float16/bfloat16 variables build (as in TF) but the backends have no elementwise kernels.
TEST_F(BadInput, HalfPrecisionVariableWithARandomInitializer) {
  vs::Variable h = g_.get_variable("h", {.shape = vs::Shape{2}, .dtype = vs::DType::kFloat16});
  Mark();
  EXPECT_EQ(error_of<vs::UnimplementedError>([&] { sess_->run(h.initializer()); }),
            "Sub on float16");
  EXPECT_TRUE(Intact());
}

// ============================== initializers ==============================

TEST_F(BadInput, ConstantInitializerWithTooManyValues) {
  EXPECT_EQ(error_of<vs::ValueError>([&] {
              g_.get_variable("c",
                              {.shape = vs::Shape{2, 3},
                               .initializer = vs::constant_initializer({1, 2, 3, 4, 5, 6, 7})});
            }),
            "Too many elements provided. Needed at most 6, but received 7");
  EXPECT_EQ(
      error_of<vs::ValueError>([&] {
        vs::constant(g_, vs::HostTensor(std::vector<float>{1, 2, 3}), {.shape = vs::Shape{2}});
      }),
      "Too many elements provided. Needed at most 2, but received 3");
  EXPECT_TRUE(Intact());
}

TEST_F(BadInput, ConstantInitializerShapeNotVerified) {
  EXPECT_EQ(error_of<vs::TypeError>([&] {
              g_.get_variable("c", {.shape = vs::Shape{2, 3},
                                    .initializer = vs::constant_initializer(
                                        {1, 2, 3, 4, 5, 6}, {.verify_shape = true})});
            }),
            "Expected Tensor's shape: (2, 3), got (6,).");
  EXPECT_EQ(error_of<vs::TypeError>([&] {
              vs::constant(g_, vs::HostTensor(std::vector<float>{1, 2, 3}),
                           {.shape = vs::Shape{3, 1}, .verify_shape = true});
            }),
            "Expected Tensor's shape: (3, 1), got (3,).");
  EXPECT_TRUE(Intact());
}

TEST_F(BadInput, FractionalValueForAnIntegerDtype) {
  EXPECT_EQ(error_of<vs::TypeError>([&] {
              g_.get_variable("c", {.shape = vs::Shape{2},
                                    .dtype = vs::DType::kInt32,
                                    .initializer = vs::constant_initializer(2.5)});
            }),
            "Expected int32, got 2.5 of type 'float' instead.");
  EXPECT_EQ(error_of<vs::TypeError>([&] { vs::constant(g_, 2.5f, {.dtype = vs::DType::kInt32}); }),
            "Expected int32, got 2.5 of type 'float' instead.");
  EXPECT_TRUE(Intact());
}

TEST_F(BadInput, UniformInitializerOfAnIntegerOrBoolDtype) {
  EXPECT_EQ(error_of<vs::ValueError>([&] {
              g_.get_variable("c", {.shape = vs::Shape{3},
                                    .dtype = vs::DType::kInt32,
                                    .initializer = vs::random_uniform_initializer()});
            }),
            "Must specify maxval for integer dtype tf.int32");
  EXPECT_EQ(error_of<vs::ValueError>(
                [&] { vs::random_uniform(g_, vs::Shape{3}, {.dtype = vs::DType::kInt64}); }),
            "Must specify maxval for integer dtype tf.int64");
  EXPECT_EQ(error_of<vs::ValueError>([&] {
              g_.get_variable("c", {.shape = vs::Shape{3},
                                    .dtype = vs::DType::kBool,
                                    .initializer = vs::random_uniform_initializer({.maxval = 1})});
            }),
            "Invalid dtype tf.bool");
  EXPECT_TRUE(Intact());
}

TEST_F(BadInput, IntegerUniformWithMinvalNotBelowMaxval) {
  vs::Tensor r =
      vs::random_uniform(g_, vs::Shape{3}, {.minval = 3, .maxval = 1, .dtype = vs::DType::kInt32});
  Mark();
  const std::string msg = error_of<vs::InvalidArgumentError>([&] { sess_->run(r); });
  EXPECT_TRUE(StartsWith(msg, "Need minval < maxval: 3 >= 1")) << msg;
  EXPECT_TRUE(Intact());
}

TEST_F(BadInput, NormalInitializersOfAnIntegerDtype) {
  for (const vs::Initializer& init :
       {vs::random_normal_initializer(), vs::truncated_normal_initializer(),
        vs::glorot_uniform_initializer(), vs::variance_scaling_initializer()}) {
    EXPECT_EQ(error_of<vs::ValueError>([&] {
                g_.get_variable(
                    "c", {.shape = vs::Shape{3}, .dtype = vs::DType::kInt32, .initializer = init});
              }),
              "Expected floating point type, got <dtype: 'int32'>.");
  }
  EXPECT_EQ(error_of<vs::TypeError>(
                [&] { vs::random_normal(g_, vs::Shape{3}, {.dtype = vs::DType::kInt32}); }),
            "Value passed to parameter 'dtype' has DataType int32 not in list of allowed values: "
            "float16, bfloat16, float32, float64");
  EXPECT_TRUE(Intact());
}

TEST_F(BadInput, VarianceScalingWithANonPositiveScale) {
  EXPECT_EQ(error_of<vs::ValueError>([] { vs::variance_scaling_initializer({.scale = 0.0}); }),
            "`scale` must be positive float.");
  EXPECT_EQ(error_of<vs::ValueError>([] { vs::variance_scaling_initializer({.scale = -2.0}); }),
            "`scale` must be positive float.");
  EXPECT_TRUE(Intact());
}

TEST_F(BadInput, UnknownDimsWhereARandomOrConstantNeedsAFullShape) {
  EXPECT_EQ(error_of<vs::ValueError>([&] { vs::random_normal(g_, vs::Shape{vs::kUnknownDim}); }),
            "RandomStandardNormal needs a fully defined shape, got (?,)");
  EXPECT_EQ(error_of<vs::ValueError>([&] { vs::truncated_normal(g_, vs::Shape::unknown_rank()); }),
            "TruncatedNormal needs a fully defined shape, got <unknown>");
  EXPECT_EQ(error_of<vs::ValueError>([&] {
              vs::random_uniform(g_, vs::Shape{vs::kUnknownDim, 2});
            }),
            "RandomUniform needs a fully defined shape, got (?, 2)");
  EXPECT_EQ(error_of<vs::ValueError>(
                [&] { vs::constant(g_, 1.0f, {.shape = vs::Shape{vs::kUnknownDim}}); }),
            "Cannot create a constant of partially known shape (?,)");
  EXPECT_EQ(error_of<vs::ValueError>(
                [] { vs::HostTensor t(vs::DType::kFloat32, vs::Shape{vs::kUnknownDim}); }),
            "A HostTensor needs a fully defined shape, got (?,)");
  EXPECT_TRUE(Intact());
}

// ============================ ops: graph building =========================

TEST_F(BadInput, InputsOfTwoDtypes) {
  vs::Tensor i =
      vs::constant(g_, vs::HostTensor(std::vector<std::int32_t>{1, 2, 3, 4}, vs::Shape{2, 2}));
  vs::Tensor f = vs::constant(g_, Floats({1, 2, 3, 4}, vs::Shape{2, 2}));
  vs::Tensor b_as_int = vs::cast(b_, vs::DType::kInt32);
  Mark();
  EXPECT_EQ(error_of<vs::TypeError>([&] { vs::add(f, i); }),
            "Input 'y' of 'Add' Op has type int32 that does not match type float32 of argument "
            "'x'.");
  EXPECT_EQ(error_of<vs::TypeError>([&] { (void)(f + i); }),
            "Input 'y' of 'AddV2' Op has type int32 that does not match type float32 of argument "
            "'x'.");
  EXPECT_EQ(error_of<vs::TypeError>([&] { (void)(f - i); }),
            "Input 'y' of 'Sub' Op has type int32 that does not match type float32 of argument "
            "'x'.");
  EXPECT_EQ(error_of<vs::TypeError>([&] { (void)(f * i); }),
            "Input 'y' of 'Mul' Op has type int32 that does not match type float32 of argument "
            "'x'.");
  EXPECT_EQ(error_of<vs::TypeError>([&] { vs::matmul(f, i); }),
            "Input 'b' of 'MatMul' Op has type int32 that does not match type float32 of "
            "argument 'a'.");
  EXPECT_EQ(error_of<vs::TypeError>([&] { vs::assign(b_, b_as_int); }),
            "Input 'value' of 'Assign' Op has type int32 that does not match type float32 of "
            "argument 'ref'.");
  EXPECT_TRUE(Intact());
}

// TF 1.15's truediv (tf.divide and the / operator) checks the dtypes itself, before any op:
// _truediv_python3 raises TypeError("x and y must have the same dtype, got %r != %r").
TEST_F(BadInput, DivideOfTwoDtypes) {
  vs::Tensor i = vs::constant(g_, vs::HostTensor(std::vector<std::int32_t>{1, 2}));
  vs::Tensor f = vs::constant(g_, Floats({1, 2}, vs::Shape{2}));
  Mark();
  EXPECT_EQ(error_of<vs::TypeError>([&] { vs::divide(f, i); }),
            "x and y must have the same dtype, got tf.float32 != tf.int32");
  EXPECT_EQ(error_of<vs::TypeError>([&] { (void)(f / i); }),
            "x and y must have the same dtype, got tf.float32 != tf.int32");
  EXPECT_TRUE(Intact());
}

// TF 1.15's nn.bias_add converts the bias with dtype=value.dtype first: a ValueError from
// convert_to_tensor, not the op's TypeError.
TEST_F(BadInput, BiasAddOfAnotherDtype) {
  vs::Tensor bias64 = vs::constant(g_, vs::HostTensor(std::vector<double>{1, 2, 3}));
  Mark();
  const std::string msg = error_of<vs::ValueError>([&] { vs::bias_add(y_, bias64); });
  EXPECT_TRUE(
      StartsWith(msg, "Tensor conversion requested dtype float32 for Tensor with dtype float64"))
      << msg;
  EXPECT_TRUE(Intact());
}

// TF's type lists (op_def_library's message, the op table's types column).
TEST_F(BadInput, ActivationOfAnIntegerDtype) {
  vs::Tensor i = vs::constant(g_, vs::HostTensor(std::vector<std::int32_t>{1, 2}));
  Mark();
  EXPECT_EQ(error_of<vs::TypeError>([&] { vs::sigmoid(i); }),
            "Value passed to parameter 'x' has DataType int32 not in list of allowed values: "
            "bfloat16, float16, float32, float64, complex64, complex128");
  EXPECT_EQ(error_of<vs::TypeError>([&] { vs::tanh(i); }),
            "Value passed to parameter 'x' has DataType int32 not in list of allowed values: "
            "bfloat16, float16, float32, float64, complex64, complex128");
  EXPECT_EQ(error_of<vs::TypeError>([&] { vs::softmax(i); }),
            "Value passed to parameter 'logits' has DataType int32 not in list of allowed "
            "values: float16, bfloat16, float32, float64");
  EXPECT_EQ(error_of<vs::TypeError>([&] { vs::exp(i); }),
            "Value passed to parameter 'x' has DataType int32 not in list of allowed values: "
            "bfloat16, float16, float32, float64, complex64, complex128");
  EXPECT_TRUE(Intact());
}

// TF's Relu takes integers (realnumbertypes): the graph builds, and the run is refused
// before it starts, since varscope's kernel computes float32 and float64 only.
TEST_F(BadInput, ReluOfAnIntegerBuildsAndItsRunIsRefused) {
  vs::Tensor i = vs::constant(g_, vs::HostTensor(std::vector<std::int32_t>{1, 2}));
  vs::Tensor r = vs::relu(i);
  Mark();
  EXPECT_EQ(error_of<vs::UnimplementedError>([&] { sess_->run(r); }), "Relu on int32");
  EXPECT_TRUE(Intact());
}

TEST_F(BadInput, AssignOfAnotherShape) {
  vs::Tensor v32 = vs::constant(g_, Floats({1, 2, 3, 4, 5, 6}, vs::Shape{3, 2}));
  vs::Tensor v3 = vs::constant(g_, Floats({1, 2, 3}, vs::Shape{3}));
  Mark();
  EXPECT_EQ(error_of<vs::ValueError>([&] { vs::assign(w_, v32); }),
            "Dimension 0 in both shapes must be equal, but are 2 and 3. Shapes are [2,3] and "
            "[3,2]. for 'Assign' (op: 'Assign') with input shapes: [2,3], [3,2].");
  EXPECT_EQ(error_of<vs::ValueError>([&] { vs::assign_add(w_, v3); }),
            "Shapes must be equal rank, but are 2 and 1 for 'AssignAdd' (op: 'AssignAdd') with "
            "input shapes: [2,3], [3].");
  EXPECT_EQ(error_of<vs::ValueError>([&] { vs::assign(w_, 1.5f); }),
            "Shapes must be equal rank, but are 2 and 0 for 'Assign' (op: 'Assign') with input "
            "shapes: [2,3], [].");
  EXPECT_TRUE(Intact());
}

TEST_F(BadInput, MatMulAndBroadcastShapeMismatch) {
  vs::Tensor a = vs::constant(g_, vs::HostTensor(vs::DType::kFloat32, vs::Shape{2, 4}));
  Mark();
  EXPECT_EQ(error_of<vs::ValueError>([&] { vs::matmul(a, w_); }),
            "Dimensions must be equal, but are 4 and 2 for 'MatMul_1' (op: 'MatMul') with input "
            "shapes: [2,4], [2,3].");
  EXPECT_EQ(error_of<vs::ValueError>([&] { (void)(a + w_); }),
            "Dimensions must be equal, but are 4 and 3 for 'add_1' (op: 'AddV2') with input "
            "shapes: [2,4], [2,3].");
  EXPECT_TRUE(Intact());
}

// Documented limits: tf.cast between float32, float64, int32 and int64 only (refused when the
// op is built); MatMul on float32/float64 only (TF also has int32; refused when it runs).
TEST_F(BadInput, UnsupportedCastOrMatMulDtype) {
  vs::Tensor i = vs::constant(g_, vs::HostTensor(vs::DType::kInt32, vs::Shape{2, 2}));
  vs::Tensor product = vs::matmul(i, i);
  Mark();
  EXPECT_EQ(error_of<vs::UnimplementedError>([&] { vs::cast(x_, vs::DType::kBool); }),
            "Cast from float32 to bool is not supported");
  EXPECT_EQ(error_of<vs::UnimplementedError>([&] { sess_->run(product); }), "MatMul on int32");
  EXPECT_TRUE(Intact());
}

TEST_F(BadInput, EmptyHandlesAndOpsWithNoGraph) {
  const std::string empty = "The handle is empty (default-constructed)";
  EXPECT_EQ(error_of<vs::ValueError>([&] { vs::add(vs::Tensor(), x_); }), empty);
  EXPECT_EQ(error_of<vs::ValueError>([&] { vs::assign(vs::Variable(), x_); }), empty);
  EXPECT_EQ(error_of<vs::ValueError>([&] { vs::group({vs::Operation()}); }), empty);
  EXPECT_EQ(error_of<vs::ValueError>([] { (void)vs::Tensor().name(); }), empty);
  EXPECT_EQ(error_of<vs::ValueError>([&] { sess_->run(vs::Tensor()); }), empty);
  EXPECT_EQ(error_of<vs::ValueError>([&] { sess_->run(vs::Operation()); }), empty);
  EXPECT_EQ(error_of<vs::ValueError>([&] { sess_->run(vs::Variable()); }), empty);
  EXPECT_EQ(error_of<vs::ValueError>([&] {
              sess_->run(y_, {{vs::Tensor(), vs::HostTensor(1.0f)}});
            }),
            empty);
  EXPECT_EQ(error_of<vs::ValueError>([&] { vs::add(1.0f, 2.0f); }),
            "An op needs at least one Tensor input to know its graph");
  EXPECT_EQ(error_of<vs::ValueError>([&] { vs::group({}); }),
            "group needs at least one input to know its graph");
  EXPECT_TRUE(Intact());
}

TEST_F(BadInput, OpsMixingTwoGraphs) {
  vs::Graph other;
  vs::Tensor c = vs::constant(other, 1.0f, {.name = "c"});
  vs::Variable v = other.get_variable("v", {.shape = vs::Shape{1}});
  EXPECT_EQ(error_of<vs::ValueError>([&] { vs::add(x_, c); }),
            "Tensor c:0 must be from the same graph as the op being built.");
  EXPECT_EQ(error_of<vs::ValueError>([&] { vs::assign(b_, vs::Input(c)); }),
            "Tensor c:0 must be from the same graph as the op being built.");
  EXPECT_EQ(error_of<vs::ValueError>([&] {
              g_.variables_initializer({w_, v});
            }),
            "variables_initializer: variable v:0 is from another graph");
  EXPECT_EQ(error_of<vs::ValueError>([&] { g_.is_variable_initialized(v); }),
            "is_variable_initialized: variable v:0 is from another graph");
  EXPECT_EQ(error_of<vs::ValueError>([&] {
              vs::group({w_.initializer(), v.initializer()});
            }),
            "group: all inputs must be from the same graph");
  EXPECT_TRUE(Intact());
}

// ================================ session =================================

TEST_F(BadInput, MissingFeed) {
  EXPECT_EQ(error_of<vs::InvalidArgumentError>([&] { sess_->run(y_); }),
            "You must feed a value for placeholder tensor 'x' with dtype float32 and shape [?,2]");
  EXPECT_TRUE(Intact());
}

TEST_F(BadInput, WrongFeedShapeOrDtype) {
  vs::Tensor update = vs::assign_add(b_, vs::reduce_sum(y_, {.axes = std::vector<int>{0}}));
  Mark();
  EXPECT_EQ(error_of<vs::InvalidArgumentError>([&] {
              sess_->run(y_, {{x_, Floats({1, 2, 3, 4, 5, 6}, vs::Shape{2, 3})}});
            }),
            "Cannot feed value of shape (2, 3) for Tensor 'x:0', which has shape '(?, 2)'");
  EXPECT_EQ(error_of<vs::InvalidArgumentError>([&] {
              sess_->run(y_, {{x_, vs::HostTensor(vs::DType::kFloat64, vs::Shape{1, 2})}});
            }),
            "Cannot feed value of dtype float64 for Tensor 'x:0', which has dtype float32");
  EXPECT_EQ(error_of<vs::InvalidArgumentError>([&] {
              sess_->run(update, {{x_, Floats({1, 2, 3}, vs::Shape{1, 3})}});
            }),
            "Cannot feed value of shape (1, 3) for Tensor 'x:0', which has shape '(?, 2)'");
  // Any tensor can be fed, with its own shape and dtype.
  EXPECT_EQ(error_of<vs::InvalidArgumentError>([&] {
              sess_->run(y_, {{x_, Floats({1, 0}, vs::Shape{1, 2})},
                              {b_.value(), Floats({1, 2}, vs::Shape{2})}});
            }),
            "Cannot feed value of shape (2,) for Tensor 'model/b/read:0', which has shape '(3,)'");
  EXPECT_TRUE(Intact());
}

// A variable's own output fed while an op writes through it (TF1's ref input): TF's executor
// refuses the graph at the feed, naming its feed node "_arg_<op>_<output>_<k>", k the feed's
// place among the fed names in order. Nothing runs, so the variable keeps its value.
TEST_F(BadInput, AssignToAFedVariableIsRefusedAtTheFeed) {
  vs::Tensor assign = vs::assign(b_, Floats({7, 8, 9}, vs::Shape{3}));
  vs::Tensor add = vs::assign_add(steps_, vs::HostTensor(std::int64_t{1}));
  vs::Tensor init = g_.is_variable_initialized(b_);
  Mark();
  // The variables' own outputs ("model/b:0"; a Variable converts to "model/b/read:0").
  const vs::Tensor b_out = b_.op().output(0), steps_out = steps_.op().output(0);
  const vs::HostTensor b_value = Floats({1, 1, 1}, vs::Shape{3});
  EXPECT_EQ(error_of<vs::InvalidArgumentError>([&] {
              sess_->run(assign, {{b_out, b_value}});
            }),
            "Input 0 of node Assign was passed float from _arg_model/b_0_0:0 incompatible with "
            "expected float_ref.");
  // k = 1: the names in order are model/b:0, steps:0.
  EXPECT_EQ(error_of<vs::InvalidArgumentError>([&] {
              sess_->run({add}, {{steps_out, vs::HostTensor(std::int64_t{3})}, {b_out, b_value}});
            }),
            "Input 0 of node AssignAdd was passed int64 from _arg_steps_0_1:0 incompatible with "
            "expected int64_ref.");
  EXPECT_EQ(error_of<vs::InvalidArgumentError>([&] {
              sess_->run(init, {{b_out, b_value}});
            }),
            "Input 0 of node IsVariableInitialized was passed float from _arg_model/b_0_0:0 "
            "incompatible with expected float_ref.");
  // Reading a fed variable is a feed like any other, and so is feeding its read.
  EXPECT_EQ(sess_->run(b_out, {{b_out, b_value}}), b_value);
  EXPECT_TRUE(Intact());
}

// Not an error, as in TF (a feed_dict holding one tensor under two keys): the last value wins.
TEST_F(BadInput, TheSameTensorFedTwice) {
  const vs::HostTensor got = sess_->run(
      y_, {{x_, Floats({0, 0}, vs::Shape{1, 2})}, {x_, Floats({1, 0}, vs::Shape{1, 2})}});
  EXPECT_EQ(got, Floats({1.5f, 2.5f, 3.5f}, vs::Shape{1, 3}));
  EXPECT_TRUE(Intact());
}

TEST_F(BadInput, ElementsOfAnotherGraphInASession) {
  vs::Graph other;
  vs::Tensor c = vs::constant(other, 1.0f, {.name = "c"});
  vs::Variable v = other.get_variable("v", {.shape = vs::Shape{1}});
  const std::string tensor = "Tensor c:0 is not an element of this session's graph.";
  const std::string variable = "Variable v:0 is not an element of this session's graph.";
  EXPECT_EQ(error_of<vs::InvalidArgumentError>([&] { sess_->run(c); }), tensor);
  EXPECT_EQ(error_of<vs::InvalidArgumentError>([&] {
              sess_->run(y_, {{x_, Floats({1, 0}, vs::Shape{1, 2})}, {c, vs::HostTensor(2.0f)}});
            }),
            tensor);
  EXPECT_EQ(error_of<vs::InvalidArgumentError>([&] { sess_->run(v.initializer()); }),
            "Operation v/Assign is not an element of this session's graph.");
  EXPECT_EQ(error_of<vs::InvalidArgumentError>([&] { sess_->run(v); }), variable);
  EXPECT_EQ(error_of<vs::InvalidArgumentError>([&] { sess_->is_initialized(v); }), variable);
  EXPECT_EQ(error_of<vs::InvalidArgumentError>(
                [&] { sess_->load_variable(v, Floats({1}, vs::Shape{1})); }),
            variable);
  EXPECT_EQ(error_of<vs::InvalidArgumentError>([&] { sess_->data_ptr(v); }), variable);
  EXPECT_EQ(error_of<vs::InvalidArgumentError>([&] {
              sess_->report_uninitialized_variables(std::vector<vs::Variable>{w_, v});
            }),
            variable);
  EXPECT_TRUE(Intact());
}

TEST_F(BadInput, UninitializedRead) {
  vs::Variable fresh =
      g_.get_variable("fresh", {.shape = vs::Shape{3}, .initializer = vs::ones_initializer()});
  vs::Tensor through_op = y_ + fresh;
  vs::Tensor bump = vs::assign_add(fresh, b_);
  Mark();
  EXPECT_EQ(error_of<vs::FailedPreconditionError>([&] { sess_->run(fresh); }),
            "Attempting to use uninitialized value fresh");
  for (const vs::Tensor& t : {through_op, bump}) {
    const std::string msg = error_of<vs::FailedPreconditionError>([&] {
      sess_->run(t, {{x_, Floats({1, 0}, vs::Shape{1, 2})}});
    });
    EXPECT_TRUE(StartsWith(msg, "Attempting to use uninitialized value fresh")) << msg;
  }
  EXPECT_TRUE(Intact());
  EXPECT_FALSE(sess_->is_initialized(fresh));
}

TEST_F(BadInput, ReduceOverADuplicateAxis) {
  vs::Tensor sum = vs::reduce_sum(w_, {.axes = std::vector<int>{0, 0}});
  vs::Tensor mean = vs::reduce_mean(w_, {.axes = std::vector<int>{1, -1}});
  Mark();
  // TF's ReductionHelper: an InvalidArgumentError at run time (with node context appended).
  const std::string sum_msg = error_of<vs::InvalidArgumentError>([&] { sess_->run(sum); });
  EXPECT_TRUE(
      StartsWith(sum_msg, "Invalid reduction arguments: Axes contains duplicate dimension: 0"))
      << sum_msg;
  const std::string mean_msg = error_of<vs::InvalidArgumentError>([&] { sess_->run(mean); });
  EXPECT_TRUE(
      StartsWith(mean_msg, "Invalid reduction arguments: Axes contains duplicate dimension: 1"))
      << mean_msg;
  EXPECT_TRUE(Intact());
}

TEST_F(BadInput, OutOfMemoryInASession) {
  vs::Variable huge =
      g_.get_variable("huge", {.shape = kHuge, .initializer = vs::zeros_initializer()});
  vs::Tensor noise = vs::random_normal(g_, kHuge);
  Mark();
  const std::string want = "OOM when allocating 281474976710656 bytes of host memory";
  EXPECT_EQ(error_of<vs::ResourceExhaustedError>([&] { sess_->run(huge.initializer()); }), want);
  EXPECT_EQ(error_of<vs::ResourceExhaustedError>([&] { sess_->data_ptr(huge); }), want);
  EXPECT_EQ(error_of<vs::ResourceExhaustedError>([&] { sess_->run(noise); }), want);
  EXPECT_TRUE(Intact());
  EXPECT_FALSE(sess_->is_initialized(huge));
}

// TF stores a scalar constant of any shape compactly and fails only when the kernel
// allocates (ResourceExhaustedError at run time). varscope must not throw std::bad_alloc.
TEST_F(BadInput, OutOfMemoryForAHugeConstant) {
  const std::string msg = error_of<vs::ResourceExhaustedError>([&] {
    vs::Tensor big = vs::constant(g_, 1.0f, {.shape = kHuge});
    sess_->run(vs::reduce_sum(big));
  });
  EXPECT_TRUE(StartsWith(msg, "OOM when allocating ")) << msg;
  const std::string init_msg = error_of<vs::ResourceExhaustedError>([&] {
    vs::Variable v =
        g_.get_variable("big", {.shape = kHuge, .initializer = vs::constant_initializer(1)});
    sess_->run(v.initializer());
  });
  EXPECT_TRUE(StartsWith(init_msg, "OOM when allocating ")) << init_msg;
  EXPECT_TRUE(Intact(Ops::kMayGrow));
}

// A HostTensor too big for host memory: a vs::ResourceExhaustedError, not std::bad_alloc.
TEST_F(BadInput, OutOfMemoryForAHugeHostTensor) {
  const std::string msg =
      error_of<vs::ResourceExhaustedError>([] { vs::HostTensor t(vs::DType::kFloat32, kHuge); });
  EXPECT_TRUE(StartsWith(msg, "OOM when allocating ")) << msg;
  EXPECT_TRUE(Intact());
}

TEST_F(BadInput, HostTensorMisuse) {
  EXPECT_EQ(error_of<vs::InvalidArgumentError>([] {
              Floats({1, 2, 3}, vs::Shape{2});
            }),
            "HostTensor: 3 values for shape (2,), which holds 2");
  EXPECT_EQ(error_of<vs::InvalidArgumentError>([] { vs::HostTensor(1.0f).data<std::int32_t>(); }),
            "HostTensor holds float32, not int32");
  EXPECT_EQ(
      error_of<vs::InvalidArgumentError>([] { (void)vs::HostTensor(1.0f).element_as_double(5); }),
      "HostTensor index out of range");
  EXPECT_TRUE(Intact());
}

TEST_F(BadInput, LoadVariableOfAnotherShapeOrDtype) {
  EXPECT_EQ(error_of<vs::InvalidArgumentError>([&] {
              sess_->load_variable(w_, Floats({1, 2, 3, 4, 5, 6}, vs::Shape{3, 2}));
            }),
            "Cannot load a value of dtype float32 and shape (3, 2) into variable model/w of "
            "dtype float32 and shape (2, 3)");
  EXPECT_EQ(
      error_of<vs::InvalidArgumentError>([&] { sess_->load_variable(steps_, vs::HostTensor(7)); }),
      "Cannot load a value of dtype int32 and shape () into variable steps of dtype int64 "
      "and shape ()");
  EXPECT_TRUE(Intact());
}

TEST_F(BadInput, CudaDeviceThatIsNotThere) {
  const std::string msg = error_of<vs::UnavailableError>([] { vs::cuda_device_info(99); });
  EXPECT_TRUE(StartsWith(msg, "CUDA device 99 is not available")) << msg;
  if (!vs::cuda_available()) {
    const std::string forced = error_of<vs::UnavailableError>(
        [&] { vs::Session s(g_, {.device = vs::DeviceKind::kCuda}); });
    EXPECT_TRUE(StartsWith(forced, "CUDA was requested but is not usable: ")) << forced;
  }
  EXPECT_TRUE(Intact());
}

// ================================ lifetimes ===============================

TEST_F(BadInput, HandlesOfADestroyedGraph) {
  vs::Variable v;
  vs::Tensor t;
  vs::Operation op;
  vs::VariableScope scope;
  {
    vs::Graph gone;
    auto s = gone.variable_scope("gone");
    scope = s;
    v = gone.get_variable("v", {.shape = vs::Shape{3}});
    t = v.value();
    op = v.initializer();
  }
  const std::string dead = "The graph of this handle has been destroyed";
  EXPECT_EQ(error_of<vs::FailedPreconditionError>([&] { (void)v.name(); }), dead);
  EXPECT_EQ(error_of<vs::FailedPreconditionError>([&] { (void)t.shape(); }), dead);
  EXPECT_EQ(error_of<vs::FailedPreconditionError>([&] { (void)op.name(); }), dead);
  EXPECT_EQ(error_of<vs::FailedPreconditionError>([&] { (void)v.graph(); }), dead);
  EXPECT_EQ(error_of<vs::FailedPreconditionError>([&] { (void)(b_ + v); }), dead);
  EXPECT_EQ(error_of<vs::FailedPreconditionError>([&] { vs::assign(v, 1.0f); }), dead);
  EXPECT_EQ(error_of<vs::FailedPreconditionError>([&] { g_.variable(t); }), dead);
  EXPECT_EQ(
      error_of<vs::FailedPreconditionError>([&] { g_.get_variable("v", {.initializer = t}); }),
      dead);
  EXPECT_EQ(error_of<vs::FailedPreconditionError>([&] { g_.variables_initializer({v}); }), dead);
  EXPECT_EQ(error_of<vs::FailedPreconditionError>([&] { sess_->run(v); }), dead);
  EXPECT_EQ(error_of<vs::FailedPreconditionError>([&] { sess_->run(t); }), dead);
  EXPECT_EQ(error_of<vs::FailedPreconditionError>([&] { sess_->run(op); }), dead);
  EXPECT_EQ(error_of<vs::FailedPreconditionError>([&] {
              sess_->load_variable(v, Floats({1, 2, 3}, vs::Shape{3}));
            }),
            dead);
  EXPECT_EQ(error_of<vs::FailedPreconditionError>(
                [&] { vs::Saver(g_, {.variables = std::vector<vs::Variable>{v}}); }),
            dead);
  EXPECT_EQ(error_of<vs::FailedPreconditionError>([&] { auto s = g_.variable_scope(scope); }),
            "The graph of variable scope 'gone' has been destroyed");
  EXPECT_EQ(error_of<vs::FailedPreconditionError>([&] { scope.global_variables(); }),
            "The graph of variable scope 'gone' has been destroyed");
  EXPECT_TRUE(Intact());
}

// Not an error: a Session keeps its graph alive after the last Graph handle is gone.
TEST(BadInputLifetime, SessionWhoseGraphHandleIsDestroyedKeepsWorking) {
  std::optional<vs::Session> sess;
  vs::Variable v;
  vs::Tensor x, y;
  {
    vs::Graph g;
    v = g.get_variable("v", {.shape = vs::Shape{2}, .initializer = vs::constant_initializer(3)});
    x = vs::placeholder(g, vs::DType::kFloat32, vs::Shape{2}, "x");
    y = x * v;
    sess.emplace(g, kCpu);
  }
  sess->run(v.initializer());
  EXPECT_EQ(v.name(), "v:0");
  EXPECT_EQ(sess->run(y, {{x, Floats({1, 2}, vs::Shape{2})}}), Floats({3, 6}, vs::Shape{2}));
  // Building goes on through a handle's graph().
  vs::Graph again = v.graph();
  vs::Variable w =
      again.get_variable("w", {.shape = vs::Shape{2}, .initializer = vs::ones_initializer()});
  sess->run(w.initializer());
  EXPECT_EQ(sess->run(vs::add(w, v)), Floats({4, 4}, vs::Shape{2}));
}

// A moved-from Graph is a handle without a graph: like a handle of a destroyed graph, its
// use must throw vs::FailedPreconditionError, never dereference null (it crashes today).
TEST(BadInputLifetime, MovedFromGraphThrowsInsteadOfCrashing) {
  UseThreadsafeDeathTests();
  auto moved_from = [] {
    auto g = std::make_unique<vs::Graph>();
    vs::Graph keep = std::move(*g);
    (void)keep;
    return g;
  };
  EXPECT_EXIT(ExitWithOutcome<vs::FailedPreconditionError>(
                  [&] { moved_from()->get_variable("v", {.shape = vs::Shape{1}}); }),
              ::testing::ExitedWithCode(0), "threw the expected class");
  EXPECT_EXIT(
      ExitWithOutcome<vs::FailedPreconditionError>([&] { (void)moved_from()->num_operations(); }),
      ::testing::ExitedWithCode(0), "threw the expected class");
  // A session on it: refused when it is made, not left to crash later.
  EXPECT_EXIT(ExitWithOutcome<vs::FailedPreconditionError>([&] {
                auto g = moved_from();
                vs::Session s(*g, kCpu);
                s.report_uninitialized_variables();
              }),
              ::testing::ExitedWithCode(0), "threw the expected class");
  // The graph it was moved into works.
  vs::Graph g;
  vs::Graph moved = std::move(g);
  vs::Variable v =
      moved.get_variable("v", {.shape = vs::Shape{1}, .initializer = vs::ones_initializer()});
  vs::Session sess(moved, kCpu);
  sess.run(v.initializer());
  EXPECT_EQ(sess.run(v), Floats({1}, vs::Shape{1}));
}

// Same for a moved-from Session (it crashes today).
TEST(BadInputLifetime, MovedFromSessionThrowsInsteadOfCrashing) {
  UseThreadsafeDeathTests();
  vs::Graph g;
  vs::Tensor c = vs::constant(g, 2.0f);
  EXPECT_EXIT(ExitWithOutcome<vs::FailedPreconditionError>([&] {
                vs::Session s(g, kCpu);
                vs::Session keep = std::move(s);
                s.run(c);
              }),
              ::testing::ExitedWithCode(0), "threw the expected class");
  vs::Session s(g, kCpu);
  vs::Session moved = std::move(s);
  EXPECT_EQ(moved.run(c), vs::HostTensor(2.0f));
}

// ============================== checkpoints ===============================

TEST_F(BadInput, RestoreFromAMissingOrCorruptFile) {
  TempDir dir;
  const std::string missing = dir.file("missing.safetensors");
  const std::string msg =
      error_of<vs::NotFoundError>([&] { vs::Saver(g_).restore(*sess_, missing); });
  EXPECT_TRUE(Contains(msg, missing)) << msg;
  EXPECT_TRUE(Contains(msg, "No such file or directory")) << msg;

  // A good checkpoint of other values, then truncated.
  const std::string path = dir.file("ckpt.safetensors");
  {
    vs::Session other(g_, kCpu);
    other.load_variable(w_, Floats({9, 9, 9, 9, 9, 9}, vs::Shape{2, 3}));
    other.load_variable(b_, Floats({9, 9, 9}, vs::Shape{3}));
    other.load_variable(steps_, vs::HostTensor(std::int64_t{9}));
    vs::Saver(g_).save(other, path);
  }
  const auto size = fs::file_size(path);
  fs::resize_file(path, size - 4);
  const std::string corrupt =
      error_of<vs::DataLossError>([&] { vs::Saver(g_).restore(*sess_, path); });
  EXPECT_TRUE(StartsWith(corrupt, "Corrupt safetensors file " + path + ": ")) << corrupt;
  EXPECT_TRUE(Contains(corrupt, "(truncated data)")) << corrupt;
  EXPECT_TRUE(Intact());
}

TEST_F(BadInput, RestoreWithAMissingKeyOrAnotherShape) {
  TempDir dir;
  const std::string path = dir.file("other.safetensors");
  vs::Graph other;
  vs::Variable ow;
  {
    auto s = other.variable_scope("model");
    ow = other.get_variable("w", {.shape = vs::Shape{3, 2}, .initializer = vs::ones_initializer()});
  }
  vs::Session os(other, kCpu);
  os.run(other.global_variables_initializer());
  vs::Saver(other).save(os, path);
  EXPECT_EQ(error_of<vs::NotFoundError>([&] { vs::Saver(g_).restore(*sess_, path); }),
            "Keys model/b, steps not found in checkpoint " + path);
  EXPECT_EQ(error_of<vs::InvalidArgumentError>([&] {
              vs::Saver(g_, {.variables = std::vector<vs::Variable>{w_}}).restore(*sess_, path);
            }),
            "Cannot restore from checkpoint " + path +
                ": checkpoint entry model/w has dtype float32 and shape (3, 2), but variable "
                "model/w has dtype float32 and shape (2, 3)");
  // A Saver of one graph with the session of another.
  EXPECT_EQ(error_of<vs::InvalidArgumentError>([&] { vs::Saver(other).restore(*sess_, path); }),
            "Variable model/w:0 is not an element of this session's graph.");
  EXPECT_TRUE(Intact());
}

TEST_F(BadInput, SaveErrors) {
  TempDir dir;
  vs::Variable fresh = g_.get_variable("fresh", {.shape = vs::Shape{1}});
  Mark();
  const std::string path = dir.file("ckpt.safetensors");
  const std::string uninit =
      error_of<vs::FailedPreconditionError>([&] { vs::Saver(g_).save(*sess_, path); });
  EXPECT_TRUE(StartsWith(uninit, "Attempting to use uninitialized value fresh")) << uninit;
  EXPECT_FALSE(fs::exists(path));
  const vs::Saver saver(g_, {.variables = std::vector<vs::Variable>{w_, b_}});
  const std::string target = dir.file("no/such/dir/ckpt.safetensors");
  const std::string missing_dir = error_of<vs::NotFoundError>([&] { saver.save(*sess_, target); });
  EXPECT_TRUE(Contains(missing_dir, "No such file or directory")) << missing_dir;
  fs::create_directory(dir.file("adir.safetensors"));
  const std::string onto_dir =
      error_of<vs::InternalError>([&] { saver.save(*sess_, dir.file("adir.safetensors")); });
  EXPECT_TRUE(StartsWith(onto_dir, "rename(")) << onto_dir;
  EXPECT_TRUE(Contains(onto_dir, "Is a directory")) << onto_dir;
  EXPECT_TRUE(Intact());
}

TEST_F(BadInput, SaverOfBadVariableLists) {
  vs::Graph other;
  vs::Variable v = other.get_variable("v", {.shape = vs::Shape{1}});
  EXPECT_EQ(
      error_of<vs::ValueError>([&] {
        vs::Saver(g_, {.variables = std::vector<vs::Variable>{w_}, .name_map = {{"model/w", b_}}});
      }),
      "At least two variables have the same name: model/w");
  EXPECT_EQ(error_of<vs::ValueError>([&] {
              vs::Saver(g_, {.variables = std::vector<vs::Variable>{w_, v}});
            }),
            "Variable v:0 is not an element of this graph.");
  EXPECT_EQ(error_of<vs::ValueError>(
                [&] { vs::Saver(g_, {.variables = std::vector<vs::Variable>{vs::Variable()}}); }),
            "The handle is empty (default-constructed)");
  EXPECT_TRUE(Intact());
}

TEST_F(BadInput, FileFormatMisuse) {
  TempDir dir;
  EXPECT_EQ(
      error_of<vs::InvalidArgumentError>([&] {
        vs::write_safetensors(dir.file("m.safetensors"), {{"__metadata__", vs::HostTensor(1.0f)}});
      }),
      "A safetensors tensor cannot be named __metadata__");
  EXPECT_EQ(error_of<vs::InvalidArgumentError>([&] {
              vs::write_npy(dir.file("b.npy"), vs::HostTensor(vs::DType::kBFloat16, vs::Shape{2}));
            }),
            "NumPy has no dtype for bfloat16; cast it or save it to safetensors");
  EXPECT_EQ(error_of<vs::InternalError>([&] { vs::read_npy(dir.path()); }),
            "open(" + dir.path() + ") failed: Is a directory");
  EXPECT_EQ(error_of<vs::InternalError>([&] { vs::read_safetensors(dir.path()); }),
            "open(" + dir.path() + ") failed: Is a directory");
  const std::string missing = dir.file("none.npy");
  EXPECT_EQ(error_of<vs::NotFoundError>([&] { vs::read_npy(missing); }),
            "open(" + missing + ") failed: No such file or directory");
  EXPECT_TRUE(Intact());
}
