// Issue 24's elementwise math and activations against TF 1.15 (tests/golden/
// math_ops_tf115.json, written by hand with tools/tf115/make_math_op_goldens.py): node names
// and types forward and in the gradients, the allowed dtypes in each row, TF's error texts,
// and the integer quotients' and Round's values. CPU backend (the op-table test runs every
// op on both backends against a double reference).
#include <gtest/gtest.h>
#include <varscope/varscope.h>

#include <fstream>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <set>
#include <string>
#include <vector>

#include "host/graph/op_defs.h"
#include "test_util.h"

namespace vs = varscope;
namespace d = varscope::detail;
using vs::testing::error_of;

namespace {

const nlohmann::json& golden() {
  static const nlohmann::json g = [] {
    std::ifstream in(std::string(VARSCOPE_GOLDEN_DIR) + "/math_ops_tf115.json");
    if (!in) throw std::runtime_error("cannot read tests/golden/math_ops_tf115.json");
    return nlohmann::json::parse(in);
  }();
  return g;
}

using Unary = std::function<vs::Tensor(const vs::Tensor&)>;
using Binary = std::function<vs::Tensor(const vs::Tensor&, const vs::Tensor&)>;

const std::map<std::string, Unary>& unary_ops() {
  static const std::map<std::string, Unary> ops = {
      {"sqrt", [](auto& x) { return vs::sqrt(x); }},
      {"rsqrt", [](auto& x) { return vs::rsqrt(x); }},
      {"abs", [](auto& x) { return vs::abs(x); }},
      {"sign", [](auto& x) { return vs::sign(x); }},
      {"reciprocal", [](auto& x) { return vs::reciprocal(x); }},
      {"floor", [](auto& x) { return vs::floor(x); }},
      {"ceil", [](auto& x) { return vs::ceil(x); }},
      {"round", [](auto& x) { return vs::round(x); }},
      {"leaky_relu", [](auto& x) { return vs::leaky_relu(x); }},
      {"elu", [](auto& x) { return vs::elu(x); }},
      {"softplus", [](auto& x) { return vs::softplus(x); }},
      {"relu6", [](auto& x) { return vs::relu6(x); }},
      {"logical_not", [](auto& x) { return vs::logical_not(x); }},
  };
  return ops;
}

const std::map<std::string, Binary>& binary_ops() {
  static const std::map<std::string, Binary> ops = {
      {"maximum", [](auto& x, auto& y) { return vs::maximum(x, y); }},
      {"minimum", [](auto& x, auto& y) { return vs::minimum(x, y); }},
      {"pow", [](auto& x, auto& y) { return vs::pow(x, y); }},
      {"squared_difference", [](auto& x, auto& y) { return vs::squared_difference(x, y); }},
      {"equal", [](auto& x, auto& y) { return vs::equal(x, y); }},
      {"not_equal", [](auto& x, auto& y) { return vs::not_equal(x, y); }},
      {"greater", [](auto& x, auto& y) { return vs::greater(x, y); }},
      {"greater_equal", [](auto& x, auto& y) { return vs::greater_equal(x, y); }},
      {"less", [](auto& x, auto& y) { return vs::less(x, y); }},
      {"less_equal", [](auto& x, auto& y) { return vs::less_equal(x, y); }},
      {"logical_and", [](auto& x, auto& y) { return vs::logical_and(x, y); }},
      {"logical_or", [](auto& x, auto& y) { return vs::logical_or(x, y); }},
      {"truncatediv", [](auto& x, auto& y) { return vs::truncatediv(x, y); }},
      {"floordiv", [](auto& x, auto& y) { return vs::floordiv(x, y); }},
      {"floormod", [](auto& x, auto& y) { return vs::floormod(x, y); }},
      {"divide", [](auto& x, auto& y) { return vs::divide(x, y); }},
  };
  return ops;
}

vs::DType input_dtype(const std::string& op) {
  if (op == "logical_not" || op == "logical_and" || op == "logical_or") return vs::DType::kBool;
  if (op == "truncatediv") return vs::DType::kInt32;
  return vs::DType::kFloat32;
}

// "name:Type" of the graph's operations from index `from` on.
std::vector<std::string> names_from(const vs::Graph& g, std::size_t from) {
  std::vector<std::string> out;
  const auto ops = g.operations();
  for (std::size_t i = from; i < ops.size(); ++i)
    out.push_back(ops[i].name() + ":" + ops[i].type());
  return out;
}

std::vector<std::string> strings(const nlohmann::json& j) {
  return j.get<std::vector<std::string>>();
}

// The nodes of "<op>_grad/" scopes only (TF's seed Shape/grad_ys/Fill differ by design).
std::vector<std::string> grad_scoped(const std::vector<std::string>& names) {
  std::vector<std::string> out;
  for (const std::string& n : names) {
    if (n.find("_grad/") != std::string::npos) out.push_back(n);
  }
  return out;
}

// Where varscope stands one op in for TF's several (docs/differences.md): its type and the
// types TF names that node with.
bool same_type(const std::string& ours, const std::string& tf) {
  if (ours == tf) return true;
  if (ours == "SumToShape") return tf == "Sum";
  if (ours == "ZerosLike") return tf == "Fill" || tf == "Const";
  if (ours == "OnesLike") return tf == "Fill";
  return false;
}

// Every gradient node varscope makes has TF's name and (stand-ins aside) type; every TF
// gradient node of an op varscope has (no Shape, BroadcastGradientArgs, Reshape or the
// Consts TF folds shapes into) is made.
void expect_gradient_names(const std::vector<std::string>& ours, const nlohmann::json& tf_json) {
  std::map<std::string, std::string> tf;
  for (const std::string& n : grad_scoped(strings(tf_json))) {
    const auto colon = n.rfind(':');
    tf[n.substr(0, colon)] = n.substr(colon + 1);
  }
  std::set<std::string> ours_names;
  for (const std::string& n : grad_scoped(ours)) {
    const auto colon = n.rfind(':');
    const std::string name = n.substr(0, colon), type = n.substr(colon + 1);
    ours_names.insert(name);
    const auto it = tf.find(name);
    if (it == tf.end()) {
      ADD_FAILURE() << "varscope's " << n << " is not in TF's gradient";
      continue;
    }
    EXPECT_TRUE(same_type(type, it->second)) << n << " is " << it->second << " in TF";
  }
  static const std::set<std::string> kStandIns = {"Const", "BroadcastGradientArgs", "Reshape",
                                                  "Fill", "Sum"};
  for (const auto& [name, type] : tf) {
    if (kStandIns.contains(type)) continue;
    EXPECT_TRUE(ours_names.contains(name)) << "TF's " << name << ":" << type << " is missing";
  }
}

TEST(MathOpsTf115, UnaryNodeNamesAndGradientNames) {
  for (const auto& [op, fn] : unary_ops()) {
    SCOPED_TRACE(op);
    const nlohmann::json& want = golden()["unary"][op];
    vs::Graph g;
    vs::Tensor x = vs::placeholder(g, input_dtype(op), vs::Shape{2, 3}, "x");
    vs::Tensor y = fn(x);
    EXPECT_EQ(names_from(g, 1), strings(want["forward"]));
    const std::size_t before = g.operations().size();
    if (!strings(want["gradient"]).empty()) {
      vs::gradients({y}, {x});
      expect_gradient_names(names_from(g, before), want["gradient"]);
    }
  }
}

TEST(MathOpsTf115, BinaryNodeNamesGradientNamesAndBroadcastErrors) {
  for (const auto& [op, fn] : binary_ops()) {
    SCOPED_TRACE(op);
    const nlohmann::json& want = golden()["binary"][op];
    vs::Graph g;
    vs::Tensor x = vs::placeholder(g, input_dtype(op), vs::Shape{2, 3}, "x");
    vs::Tensor y = vs::placeholder(g, input_dtype(op), vs::Shape{3}, "y");
    vs::Tensor z = fn(x, y);
    EXPECT_EQ(names_from(g, 2), strings(want["forward"]));
    if (!strings(want["gradient"]).empty()) {
      const std::size_t before = g.operations().size();
      vs::gradients({z}, {x, y});
      expect_gradient_names(names_from(g, before), want["gradient"]);
    }
    vs::Graph g2;
    vs::Tensor x2 = vs::placeholder(g2, input_dtype(op), vs::Shape{2, 3}, "x");
    vs::Tensor y2 = vs::placeholder(g2, input_dtype(op), vs::Shape{4}, "y");
    EXPECT_EQ(error_of<vs::ValueError>([&] { fn(x2, y2); }),
              want["broadcast_error"].get<std::string>());
  }
}

TEST(MathOpsTf115, WhereWhereV2AndClipByValueNames) {
  for (const std::string op : {"where", "where_v2", "clip_by_value"}) {
    SCOPED_TRACE(op);
    const nlohmann::json& want = golden()["binary"][op];
    vs::Graph g;
    vs::Tensor x = vs::placeholder(g, vs::DType::kFloat32, vs::Shape{2, 3}, "x");
    vs::Tensor y = vs::placeholder(g, vs::DType::kFloat32, vs::Shape{2, 3}, "y");
    vs::Tensor c = vs::placeholder(g, vs::DType::kBool, vs::Shape{2, 3}, "c");
    vs::Tensor z = op == "where"      ? vs::where(c, x, y)
                   : op == "where_v2" ? vs::where_v2(c, x, y)
                                      : vs::clip_by_value(x, -0.5f, 0.5f);
    EXPECT_EQ(names_from(g, 3), strings(want["forward"]));
    const std::size_t before = g.operations().size();
    if (op == "clip_by_value") {
      vs::gradients({z}, {x});
    } else {
      vs::gradients({z}, {x, y});
    }
    expect_gradient_names(names_from(g, before), want["gradient"]);
  }
}

TEST(MathOpsTf115, DivideOfIntegersIsTruedivWithCasts) {
  const std::map<std::string, vs::DType> dtypes = {{"int8", vs::DType::kInt8},
                                                   {"int16", vs::DType::kInt16},
                                                   {"uint8", vs::DType::kUInt8},
                                                   {"int32", vs::DType::kInt32},
                                                   {"int64", vs::DType::kInt64}};
  for (const auto& [name, dtype] : dtypes) {
    SCOPED_TRACE(name);
    const nlohmann::json& want = golden()["binary"]["divide_" + name];
    vs::Graph g;
    vs::Tensor x = vs::placeholder(g, dtype, vs::Shape{2}, "x");
    vs::Tensor y = vs::placeholder(g, dtype, vs::Shape{2}, "y");
    vs::Tensor z = vs::divide(x, y);
    EXPECT_EQ(names_from(g, 2), strings(want["forward"]));
    EXPECT_EQ(vs::dtype_name(z.dtype()), want["dtype"].get<std::string>());
  }
}

TEST(MathOpsTf115, RowsListTfsAllowedDtypes) {
  const nlohmann::json& types = golden()["types"];
  for (int i = 0; i < d::kNumOpTypes; ++i) {
    const d::OpDef& def = d::op_def(static_cast<d::OpType>(i));
    const std::string name(def.name);
    if (!types.contains(name + ":inputs")) continue;  // not one of issue 24's
    SCOPED_TRACE(name);
    EXPECT_EQ(std::string(def.inputs), types[name + ":inputs"].get<std::string>());
    EXPECT_EQ(std::string(def.outputs), types[name + ":outputs"].get<std::string>());
    if (types.contains(name)) {
      EXPECT_EQ(std::string(def.types.text()), types[name].get<std::string>());
    }
  }
}

TEST(MathOpsTf115, TypeErrorsAsTf) {
  const nlohmann::json& want = golden()["errors"];
  vs::Graph g;
  vs::Tensor xi = vs::placeholder(g, vs::DType::kInt32, vs::Shape{2}, "xi");
  EXPECT_EQ(error_of<vs::TypeError>([&] { vs::sqrt(xi); }), want["sqrt_int32"].get<std::string>());
  EXPECT_EQ(error_of<vs::TypeError>([&] { vs::floor(xi); }),
            want["floor_int32"].get<std::string>());
  EXPECT_EQ(error_of<vs::TypeError>([&] { vs::elu(xi); }), want["elu_int32"].get<std::string>());
  EXPECT_EQ(error_of<vs::TypeError>([&] { vs::logical_and(xi, xi); }),
            want["logical_and_int32"].get<std::string>());
  // leaky_relu casts integer features to float32 first, as TF.
  EXPECT_EQ(vs::leaky_relu(xi).dtype(), vs::DType::kFloat32);
}

std::vector<double> run_values(vs::Session& sess, const vs::Tensor& t) {
  const vs::HostTensor v = sess.run(t);
  std::vector<double> out;
  for (std::int64_t i = 0; i < v.num_elements(); ++i)
    out.push_back(v.element_as_double(i));
  return out;
}

TEST(MathOpsTf115, IntegerQuotientsAndRoundValuesAsTf) {
  const nlohmann::json& v = golden()["values"];
  vs::Graph g;
  const auto ints = [&](const char* key) {
    const auto d = v[key].get<std::vector<double>>();
    return vs::constant(g, vs::HostTensor(std::vector<std::int32_t>(d.begin(), d.end())));
  };
  const auto doubles = [&](const char* key) {
    return vs::constant(g, vs::HostTensor(v[key].get<std::vector<double>>()));
  };
  vs::Tensor x = ints("x"), y = ints("y"), fx = doubles("fx"), fy = doubles("fy");
  vs::Session sess(g);
  EXPECT_EQ(run_values(sess, vs::truncatediv(x, y)), v["truncatediv"].get<std::vector<double>>());
  EXPECT_EQ(run_values(sess, vs::floormod(x, y)), v["floormod"].get<std::vector<double>>());
  EXPECT_EQ(run_values(sess, vs::divide(x, y)), v["divide"].get<std::vector<double>>());
  EXPECT_EQ(run_values(sess, vs::floordiv(fx, fy)), v["floordiv_f"].get<std::vector<double>>());
  EXPECT_EQ(run_values(sess, vs::floormod(fx, fy)), v["floormod_f"].get<std::vector<double>>());
  // TF's floordiv of INT_MIN by 3 overflows in its |x| (715827882); varscope floors
  // (docs/differences.md). The other elements are TF's.
  std::vector<double> floordiv = v["floordiv"].get<std::vector<double>>();
  floordiv[4] = -715827883;
  EXPECT_EQ(run_values(sess, vs::floordiv(x, y)), floordiv);
  vs::Tensor halves =
      vs::constant(g, vs::HostTensor(std::vector<float>{0.5f, 1.5f, 2.5f, -0.5f, -1.5f, 2.4f}));
  EXPECT_EQ(run_values(sess, vs::round(halves)), v["round"].get<std::vector<double>>());
  vs::Tensor int_min = vs::constant(g, vs::HostTensor(std::vector<std::int32_t>{INT32_MIN}));
  vs::Tensor minus_one = vs::constant(g, vs::HostTensor(std::vector<std::int32_t>{-1}));
  EXPECT_EQ(run_values(sess, vs::divide(int_min, minus_one)),
            v["int_min_div"].get<std::vector<double>>());
  EXPECT_EQ(error_of<vs::InvalidArgumentError>([&] {
              sess.run(vs::floordiv(
                  x, vs::constant(g, vs::HostTensor(std::vector<std::int32_t>{1, 0, 1, 1, 1, 1}))));
            }).substr(0, 24),
            "Integer division by zero");
}

// Select's and SelectV2's shape errors as TF 1.15 gives them (checked with TF by hand), at
// graph building and, for fed shapes, at run time.
TEST(MathOpsTf115, WhereShapeErrors) {
  vs::Graph g;
  vs::Tensor c = vs::placeholder(g, vs::DType::kBool, vs::Shape{2, 3}, "c");
  vs::Tensor x = vs::placeholder(g, vs::DType::kFloat32, vs::Shape{2, 3}, "x");
  vs::Tensor y = vs::placeholder(g, vs::DType::kFloat32, vs::Shape{3}, "y");
  vs::Tensor y2 = vs::placeholder(g, vs::DType::kFloat32, vs::Shape{2, 4}, "y2");
  vs::Tensor cv = vs::placeholder(g, vs::DType::kBool, vs::Shape{3}, "cv");
  EXPECT_EQ(error_of<vs::ValueError>([&] { vs::where(c, x, y); }),
            "Shapes must be equal rank, but are 2 and 1 for 'Select' (op: 'Select') with input "
            "shapes: [2,3], [2,3], [3].");
  EXPECT_EQ(error_of<vs::ValueError>([&] { vs::where(c, x, y2); }),
            "Dimension 1 in both shapes must be equal, but are 3 and 4. Shapes are [2,3] and "
            "[2,4]. for 'Select' (op: 'Select') with input shapes: [2,3], [2,3], [2,4].");
  EXPECT_EQ(error_of<vs::ValueError>([&] { vs::where(cv, x, x); }),
            "Dimension 0 in both shapes must be equal, but are 3 and 2. Shapes are [3] and [2]. "
            "for 'Select' (op: 'Select') with input shapes: [3], [2,3], [2,3].");
  EXPECT_EQ(error_of<vs::ValueError>([&] { vs::where_v2(c, x, y2); }),
            "Dimensions must be equal, but are 3 and 4 for 'SelectV2' (op: 'SelectV2') with "
            "input shapes: [2,3], [2,3], [2,4].");
  EXPECT_EQ(error_of<vs::TypeError>([&] { vs::where(x, x, x); }),
            "Input 'condition' of 'Select' Op has type float32 that does not match expected "
            "type of bool.");
  vs::Tensor cf = vs::placeholder(g, vs::DType::kBool, vs::Shape{vs::kUnknownDim}, "cf");
  vs::Tensor xf = vs::placeholder(g, vs::DType::kFloat32, vs::Shape{vs::kUnknownDim}, "xf");
  vs::Tensor yf = vs::placeholder(g, vs::DType::kFloat32, vs::Shape{vs::kUnknownDim}, "yf");
  vs::Tensor v2 = vs::where_v2(cf, xf, yf);
  vs::Tensor v1 = vs::where(cf, xf, yf);
  vs::Session sess(g);
  const vs::FeedDict feeds = {{cf, vs::HostTensor(std::vector<bool>{true, false})},
                              {xf, vs::HostTensor(std::vector<float>{1, 2, 3})},
                              {yf, vs::HostTensor(std::vector<float>{1, 2})}};
  EXPECT_EQ(error_of<vs::InvalidArgumentError>([&] { sess.run(v2, feeds); }),
            "then [3] and else [2] must be broadcastable\n\t [[{{node SelectV2}}]]");
  EXPECT_EQ(error_of<vs::InvalidArgumentError>([&] { sess.run(v1, feeds); }),
            "Inputs to operation Select of type Select must have the same size and shape.  "
            "Input 0: [2] != input 1: [3]\n\t [[{{node Select}}]]");
}

// The integer and bool instantiations of the functor lists (the op table feeds floats).
TEST(MathOpsKernels, IntegerAndBoolElementTypes) {
  vs::Graph g;
  vs::Tensor i = vs::constant(g, vs::HostTensor(std::vector<std::int32_t>{INT32_MIN, -3, 0, 5}));
  vs::Tensor j = vs::constant(g, vs::HostTensor(std::vector<std::int64_t>{-7, 0, 7, 2}));
  vs::Tensor b = vs::constant(g, vs::HostTensor(std::vector<bool>{true, false, true, false}));
  vs::Tensor c = vs::constant(g, vs::HostTensor(std::vector<bool>{true, true, false, false}));
  vs::Session sess(g);
  // |INT_MIN| wraps to INT_MIN, as TF's Abs.
  EXPECT_EQ(run_values(sess, vs::abs(i)), (std::vector<double>{INT32_MIN, 3, 0, 5}));
  EXPECT_EQ(run_values(sess, vs::sign(j)), (std::vector<double>{-1, 0, 1, 1}));
  EXPECT_EQ(run_values(sess, vs::maximum(i, 1)), (std::vector<double>{1, 1, 1, 5}));
  EXPECT_EQ(run_values(sess, vs::minimum(j, 1)), (std::vector<double>{-7, 0, 1, 1}));
  EXPECT_EQ(run_values(sess, vs::squared_difference(j, 2)), (std::vector<double>{81, 4, 25, 0}));
  EXPECT_EQ(vs::round(i).name(), i.name());  // an integer tensor is its own rounding
  EXPECT_EQ(run_values(sess, vs::equal(b, c)), (std::vector<double>{1, 0, 0, 1}));
  EXPECT_EQ(run_values(sess, vs::not_equal(b, c)), (std::vector<double>{0, 1, 1, 0}));
  EXPECT_EQ(run_values(sess, vs::logical_and(b, c)), (std::vector<double>{1, 0, 0, 0}));
  EXPECT_EQ(run_values(sess, vs::logical_or(b, c)), (std::vector<double>{1, 1, 1, 0}));
  EXPECT_EQ(run_values(sess, vs::logical_not(b)), (std::vector<double>{0, 1, 0, 1}));
  EXPECT_EQ(run_values(sess, vs::greater_equal(j, 0)), (std::vector<double>{0, 1, 1, 1}));
  EXPECT_EQ(vs::less(i, 0).dtype(), vs::DType::kBool);
  EXPECT_EQ(run_values(sess, vs::where_v2(b, i, 9)), (std::vector<double>{INT32_MIN, 9, 0, 9}));
  EXPECT_EQ(run_values(sess, vs::clip_by_value(j, -1, 3)), (std::vector<double>{-1, 0, 3, 2}));
}

}  // namespace
