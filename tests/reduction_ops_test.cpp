// reduce_max/min/prod, argmax/argmin and cumsum against TF 1.15 (tests/golden/
// reductions_tf115.json, written by hand with tools/tf115/make_reduction_goldens.py): node
// names, attributes and auxiliary Consts, gradient node names, the rows' dtypes, and TF's
// graph-time and run-time error texts (a failed build leaves the graph as it was).
#include "reduction_ops_test.h"

#include <gtest/gtest.h>
#include <varscope/varscope.h>

#include <cmath>
#include <functional>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "host/graph/op_defs.h"
#include "kernels/axis_ops.h"
#include "test_util.h"

namespace vs = varscope;
namespace d = varscope::detail;
using vs::testing::error_of;
using vs::testing::reductions_golden;

namespace {

using Build = std::function<vs::Tensor(const vs::Tensor&)>;

const std::map<std::string, Build>& builders() {
  static const std::map<std::string, Build> b = {
      {"reduce_max", [](auto& x) { return vs::reduce_max(x); }},
      {"reduce_max_axis",
       [](auto& x) { return vs::reduce_max(x, {.axes = std::vector<int>{-1}, .keepdims = true}); }},
      {"reduce_min", [](auto& x) { return vs::reduce_min(x, {.axes = std::vector<int>{0}}); }},
      {"reduce_prod",
       [](auto& x) {
         return vs::reduce_prod(x, {.axes = std::vector<int>{0, 1}});
       }},
      {"reduce_prod_all", [](auto& x) { return vs::reduce_prod(x); }},
      {"argmax", [](auto& x) { return vs::argmax(x); }},
      {"argmax_axis",
       [](auto& x) { return vs::argmax(x, {.axis = 1, .output_type = vs::DType::kInt32}); }},
      {"argmin", [](auto& x) { return vs::argmin(x, {.axis = -1}); }},
      {"argmax_named", [](auto& x) { return vs::argmax(x, {.axis = 1, .name = "best"}); }},
      {"cumsum", [](auto& x) { return vs::cumsum(x); }},
      {"cumsum_flags",
       [](auto& x) { return vs::cumsum(x, {.axis = 1, .exclusive = true, .reverse = true}); }},
      {"cumsum_named", [](auto& x) { return vs::cumsum(x, {.axis = -1, .name = "running"}); }},
      {"cumprod", [](auto& x) { return vs::cumprod(x, {.axis = 1, .exclusive = true}); }},
  };
  return b;
}

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

vs::Tensor zeros(vs::Graph& g, vs::Shape shape) {
  return vs::constant(g, vs::HostTensor(vs::DType::kFloat32, std::move(shape)));
}

std::string first_line(const std::string& s) {
  return s.substr(0, s.find('\n'));
}

TEST(ReductionsTf115, NodeNamesAttributesAndConstsAsTf) {
  for (const auto& [name, build] : builders()) {
    SCOPED_TRACE(name);
    const nlohmann::json& want = reductions_golden()["builders"][name];
    vs::Graph g;
    const vs::Tensor x = vs::placeholder(g, vs::DType::kFloat32, vs::Shape{2, 3}, "x");
    const vs::Tensor y = build(x);
    EXPECT_EQ(names_from(g, 1), strings(want["forward"]));
    EXPECT_EQ(y.name(), want["output"].get<std::string>());
    EXPECT_EQ(y.shape().dims(), want["shape"].get<std::vector<std::int64_t>>());
    EXPECT_EQ(vs::dtype_name(y.dtype()), want["dtype"].get<std::string>());
    for (const auto& [attr, value] : want["attrs"].items()) {
      if (attr == "Tidx") continue;  // implied by the axis input's dtype (graph_def.cpp)
      SCOPED_TRACE(attr);
      if (value.is_boolean()) {
        EXPECT_EQ(y.op().attr_bool(attr), value.get<bool>());
      } else {
        EXPECT_EQ(vs::dtype_name(y.op().attr_dtype(attr)), value.get<std::string>());
      }
    }
    for (const auto& [const_name, value] : want["consts"].items()) {
      const vs::HostTensor t = g.get_operation_by_name(const_name).attr_tensor("value");
      EXPECT_EQ(vs::dtype_name(t.dtype()), value["dtype"].get<std::string>());
      std::vector<double> got;
      for (std::int64_t i = 0; i < t.num_elements(); ++i)
        got.push_back(t.element_as_double(i));
      const nlohmann::json& v = value["value"];
      EXPECT_EQ(got,
                v.is_array() ? v.get<std::vector<double>>() : std::vector<double>{v.get<double>()});
    }
  }
}

// Our gradient nodes have TF's names and types, and the gradient is TF's tensor. Stand-ins:
// BroadcastToShape for TF's Reshape to the kept dims (which broadcasts later) and for
// Prod's Reshape + Tile ("Tile"); Consts for the permutations and shapes TF computes in the
// graph (ConcatV2, Pack), not compared.
TEST(ReductionsTf115, GradientNamesAsTf) {
  for (const std::string name : {"reduce_max", "reduce_max_axis", "reduce_min", "reduce_prod",
                                 "cumsum", "cumsum_flags", "cumprod", "argmax"}) {
    SCOPED_TRACE(name);
    const nlohmann::json& want = reductions_golden()["builders"][name];
    std::map<std::string, std::string> tf;
    for (const std::string& n : strings(want["gradient"]))
      tf[n.substr(0, n.rfind(':'))] = n.substr(n.rfind(':') + 1);
    vs::Graph g;
    const vs::Tensor x = vs::placeholder(g, vs::DType::kFloat32, vs::Shape{2, 3}, "x");
    const vs::Tensor y = builders().at(name)(x);
    const std::size_t before = g.num_operations();
    const std::vector<vs::Tensor> dx = vs::gradients({y}, {x});
    if (want["gradient_output"].is_null()) {
      EXPECT_FALSE(dx[0].valid());  // ArgMax: not differentiable, no error (TF's None)
      continue;
    }
    EXPECT_EQ(dx[0].name(), want["gradient_output"].get<std::string>());
    int compared = 0;
    for (const std::string& n : names_from(g, before)) {
      const std::string node = n.substr(0, n.rfind(':')), type = n.substr(n.rfind(':') + 1);
      if (node.find("_grad/") == std::string::npos || type == "Const") continue;
      ASSERT_TRUE(tf.contains(node)) << n << " is not in TF's gradient";
      const std::string& theirs = tf[node];
      EXPECT_TRUE(type == theirs ||
                  (type == "BroadcastToShape" && (theirs == "Reshape" || theirs == "Tile")))
          << n << " is " << theirs << " in TF";
      ++compared;
    }
    EXPECT_GT(compared, 0);
  }
}

// Prod's gradient computes its permutation and shapes when it is built (TF: in the graph):
// an input of unknown shape is refused (E145), and the graph is left as it was.
TEST(ReductionsTf115, ProdGradientNeedsAKnownShape) {
  vs::Graph g;
  const vs::Tensor x = vs::placeholder(g, vs::DType::kFloat32, vs::Shape{vs::kUnknownDim, 3}, "x");
  const vs::Tensor y = vs::reduce_prod(x, {.axes = std::vector<int>{1}});
  const std::size_t before = g.num_operations();
  EXPECT_EQ(error_of<vs::UnimplementedError>([&] { vs::gradients({y}, {x}); }),
            "The gradient of Prod needs constant axes and an input of known shape");
  EXPECT_EQ(g.num_operations(), before);
}

TEST(ReductionsTf115, RowsHaveTfsInputsOutputsAndDtypes) {
  const nlohmann::json& types = reductions_golden()["types"];
  for (const d::OpType op : {d::OpType::kMax, d::OpType::kMin, d::OpType::kProd, d::OpType::kArgMax,
                             d::OpType::kArgMin, d::OpType::kCumsum}) {
    const d::OpDef& def = d::op_def(op);
    const std::string type(def.name);
    SCOPED_TRACE(type);
    EXPECT_EQ(def.types.text(), types[type].get<std::string>());
    EXPECT_EQ(def.inputs, types[type + ":inputs"].get<std::string>());
    EXPECT_EQ(def.outputs, types[type + ":outputs"].get<std::string>());
  }
}

TEST(ReductionsTf115, GraphTimeErrorsAsTfAndTheGraphIntact) {
  const nlohmann::json& want = reductions_golden()["errors"];
  vs::Graph g;
  const vs::Tensor x = zeros(g, vs::Shape{2, 3});
  const std::size_t before = g.num_operations();
  auto text = [](const nlohmann::json& j) {
    const std::string s = j.get<std::string>();
    return s.substr(s.find(": ") + 2);  // "ValueError: <text>"
  };
  EXPECT_EQ(error_of<vs::ValueError>([&] { vs::reduce_max(x, {.axes = std::vector<int>{5}}); }),
            text(want["max_axis_graph"]));
  EXPECT_EQ(error_of<vs::ValueError>([&] { vs::argmax(x, {.axis = 5}); }),
            text(want["argmax_axis_graph"]));
  EXPECT_EQ(error_of<vs::ValueError>([&] { vs::argmin(x, {.axis = -3}); }),
            text(want["argmin_axis_graph"]));
  const vs::Tensor b = vs::constant(g, vs::HostTensor(std::vector<bool>{true}, vs::Shape{1}));
  const std::size_t with_b = g.num_operations();
  EXPECT_EQ(error_of<vs::TypeError>([&] { vs::argmax(b); }), text(want["argmax_bool"]));
  EXPECT_EQ(error_of<vs::TypeError>([&] { vs::reduce_max(b); }), text(want["max_bool"]));
  EXPECT_EQ(error_of<vs::TypeError>([&] { vs::argmax(x, {.output_type = vs::DType::kFloat32}); }),
            text(want["argmax_float_output"]));
  EXPECT_EQ(g.num_operations(), with_b);
  EXPECT_EQ(with_b, before + 1);
}

TEST(ReductionsTf115, RunTimeErrorsAsTf) {
  const nlohmann::json& want = reductions_golden()["errors"];
  auto text = [](const nlohmann::json& j) {
    const std::string s = j.get<std::string>();
    return s.substr(s.find(": ") + 2);
  };
  {
    vs::Graph g;
    const vs::Tensor x = vs::placeholder(g, vs::DType::kFloat32, std::nullopt, "x");
    const vs::Tensor m = vs::reduce_max(x, {.axes = std::vector<int>{5}});
    const vs::Tensor a = vs::argmax(x, {.axis = 5});
    vs::Session sess(g);
    const vs::HostTensor fed(vs::DType::kFloat32, vs::Shape{2, 3});
    EXPECT_EQ(first_line(error_of<vs::InvalidArgumentError>([&] {
                sess.run(m, {{x, fed}});
              })),
              text(want["max_axis_run"]));
    EXPECT_EQ(first_line(error_of<vs::InvalidArgumentError>([&] {
                sess.run(a, {{x, fed}});
              })),
              text(want["argmax_axis_run"]));
  }
  vs::Graph g;
  const vs::Tensor v = zeros(g, vs::Shape{3});
  const vs::Tensor empty = zeros(g, vs::Shape{0, 3});
  const vs::Tensor m = zeros(g, vs::Shape{2, 3});
  const vs::Tensor cases[] = {vs::argmax(v, {.axis = 2}), vs::argmax(empty, {.axis = 0}),
                              vs::cumsum(m, {.axis = 5}), vs::cumsum(m, {.axis = -3})};
  const char* keys[] = {"argmax_vector_axis_run", "argmax_empty_run", "cumsum_axis_run",
                        "cumsum_negative_axis_run"};
  vs::Session sess(g);
  for (std::size_t i = 0; i < std::size(cases); ++i) {
    SCOPED_TRACE(keys[i]);
    const std::string got = error_of<vs::InvalidArgumentError>([&] { sess.run(cases[i]); });
    EXPECT_EQ(first_line(got), text(want[keys[i]]));
    EXPECT_NE(got.find("[[{{node " + cases[i].op().name() + "}}]]"), std::string::npos) << got;
  }
}

// The GPU's arg-reduction combines per-thread partial results in a tree (CUB's
// BlockReduce): any tree of arg_combine must give the sequential line's answer (the first
// best index; NaN never; 0 when nothing beats the start), which is what the CPU runs.
TEST(ArgReduceKernel, AnyTreeOfCombinesGivesTheSequentialAnswer) {
  namespace k = vs::kernels;
  const float nan = std::nanf("");
  const std::vector<std::vector<float>> lines = {
      {1, 3, 3, 2, 3},        {nan, 1, 2, 2},         {nan, nan},
      {-INFINITY, -INFINITY}, {5, nan, 5, 7, 7, nan}, {2, 2, 2, 2, 2, 2, 2, 2, 2, 1, 0, -1, 2}};
  for (const k::ArgReduceOp op : {k::ArgReduceOp::kArgMax, k::ArgReduceOp::kArgMin}) {
    for (const std::vector<float>& line : lines) {
      const auto n = static_cast<std::int64_t>(line.size());
      std::int64_t want = -1;
      k::arg_reduce_line(op, line.data(), &want, 0, n, 1);
      // Threads take elements t, t + step, ...; partials are then combined pairwise, as
      // a block reduction does, for several thread counts.
      for (int threads = 1; threads <= 8; ++threads) {
        std::vector<k::ArgBest<float>> partial(static_cast<std::size_t>(threads),
                                               k::arg_identity<float>(op));
        for (std::int64_t i = 0; i < n; ++i) {
          auto& p = partial[static_cast<std::size_t>(i % threads)];
          p = k::arg_combine(op, p, k::ArgBest<float>{line[static_cast<std::size_t>(i)], i});
        }
        for (std::size_t width = 1; width < partial.size(); width *= 2) {
          for (std::size_t i = 0; i + width < partial.size(); i += 2 * width)
            partial[i] = k::arg_combine(op, partial[i], partial[i + width]);
        }
        EXPECT_EQ(partial[0].index, want) << threads << " threads";
      }
    }
  }
}

}  // namespace
