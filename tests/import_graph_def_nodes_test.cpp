// import_graph_def on hand-written GraphDefs (the text format): TF 1.15's names (import/,
// import_1/, name ""), nodes in any order, input_map, return_elements, Const values in every
// form, control inputs, devices, and the errors with TF's texts (E190-E196), the graph
// intact after each.
#include <gtest/gtest.h>
#include <varscope/varscope.h>

#include <complex>
#include <string>
#include <vector>

namespace {

namespace vs = varscope;

std::string const_node(const std::string& name,
                       const std::string& tensor,
                       const std::string& dtype = "DT_FLOAT") {
  return "node { name: '" + name + "' op: 'Const' attr { key: 'dtype' value { type: " + dtype +
         " } } attr { key: 'value' value { tensor { dtype: " + dtype + " " + tensor + " } } } }\n";
}

std::string unary_node(const std::string& name,
                       const std::string& op,
                       const std::string& input,
                       const std::string& dtype = "DT_FLOAT") {
  return "node { name: '" + name + "' op: '" + op + "' input: '" + input +
         "' attr { key: 'T' value { type: " + dtype + " } } }\n";
}

const std::string kVector = const_node("c", "tensor_shape { dim { size: 3 } } float_val: 1.5");

vs::HostTensor run(vs::Graph& g, const std::string& name) {
  vs::Session sess(g, {.device = vs::DeviceKind::kCpu});
  return sess.run(g.get_tensor_by_name(name));
}

template <typename T>
std::vector<T> values(const vs::HostTensor& t) {
  const auto d = t.data<T>();
  return {d.begin(), d.end()};
}

TEST(ImportGraphDef, NamesAsTf115) {
  // TF 1.15: ['s/import/c', 's_1/import/c', 'c', 'import/c', 'import_1/c'] (tools/tf115 check
  // in the script's docstring), and "" uniquifies a taken name.
  vs::Graph g;
  {
    auto s = g.name_scope("s");
    vs::constant(g, 1.0f, {.name = "import/c"});
  }
  {
    auto s = g.name_scope("s");
    vs::import_graph_def(g, kVector);
    vs::import_graph_def(g, kVector, {.name = ""});
  }
  vs::import_graph_def(g, kVector);
  vs::import_graph_def(g, kVector);
  vs::import_graph_def(g, kVector, {.name = ""});
  std::vector<std::string> names;
  for (const vs::Operation& op : g.operations())
    names.push_back(op.name());
  EXPECT_EQ(names, (std::vector<std::string>{"s/import/c", "s_1/import/c", "c", "import/c",
                                             "import_1/c", "c_1"}));
  EXPECT_EQ(g.unique_name("import/c", false), "import/c_1");
  EXPECT_EQ(g.unique_name("import", false), "import_2");
  EXPECT_EQ(values<float>(run(g, "import/c:0")), (std::vector<float>{1.5f, 1.5f, 1.5f}));
}

TEST(ImportGraphDef, NodesInAnyOrderAndDeepChainsWithoutRecursion) {
  // A chain of 100000 Identity nodes written last-first: built in dependency order.
  constexpr int kDepth = 100000;
  std::string text;
  for (int i = kDepth; i >= 1; --i) {
    std::string name = "n", input = "n";  // appended, not "n" + ...: GCC 12's -Wrestrict
    name += std::to_string(i);
    input += std::to_string(i - 1);
    text += unary_node(name, "Identity", input);
  }
  text += const_node("n0", "float_val: 2.5");
  vs::Graph g;
  vs::import_graph_def(g, text, {.name = ""});
  EXPECT_EQ(g.num_operations(), static_cast<std::size_t>(kDepth + 1));
  EXPECT_EQ(g.operations().front().name(), "n0");
  EXPECT_EQ(g.get_operation_by_name("n1").input(0).name(), "n0:0");
}

TEST(ImportGraphDef, InputMapReturnElementsAndControlInputs) {
  vs::Graph g;
  const vs::Tensor fed = vs::constant(g, vs::HostTensor({4.0f, 5.0f, 6.0f}, vs::Shape{3}));
  const std::string text = kVector + unary_node("r", "Relu", "c") +
                           "node { name: 'after' op: 'NoOp' input: '^r' input: '^c' }\n";
  const auto out = vs::import_graph_def(
      g, text, {.input_map = {{"c", fed}}, .return_elements = {"r:0", "after"}});
  ASSERT_EQ(out.size(), 2u);
  const vs::Tensor r = std::get<vs::Tensor>(out[0]);
  EXPECT_EQ(r.name(), "import/r:0");
  EXPECT_EQ(r.op().input(0).name(), fed.name());
  const vs::Operation after = std::get<vs::Operation>(out[1]);
  ASSERT_EQ(after.control_inputs().size(), 2u);
  EXPECT_EQ(after.control_inputs()[0].name(), "import/r");
  EXPECT_EQ(after.control_inputs()[1].name(), "import/c");
  EXPECT_EQ(values<float>(run(g, "import/r:0")), (std::vector<float>{4, 5, 6}));
}

TEST(ImportGraphDef, ConstValuesInEveryFormAndDtype) {
  const std::string text =
      const_node(
          "content",
          "tensor_shape { dim { size: 2 } } tensor_content: '\\000\\000\\200?\\000\\000\\000@'") +
      const_node("fill",
                 "tensor_shape { dim { size: 2 } dim { size: 2 } } float_val: 1 float_val: 7") +
      const_node("zeros", "tensor_shape { dim { size: 2 } }") +
      const_node("d", "tensor_shape { dim { size: 2 } } double_val: 0.25 double_val: -2",
                 "DT_DOUBLE") +
      const_node("i64", "int64_val: 9000000000", "DT_INT64") +
      const_node("i8", "tensor_shape { dim { size: 2 } } int_val: -3 int_val: 100", "DT_INT8") +
      const_node("u8", "tensor_shape { dim { size: 1 } } int_val: 200", "DT_UINT8") +
      const_node("b", "tensor_shape { dim { size: 3 } } bool_val: true bool_val: false",
                 "DT_BOOL") +
      const_node("h", "tensor_shape { dim { size: 2 } } half_val: 15360", "DT_HALF") +
      const_node("cx", "scomplex_val: 1 scomplex_val: -2", "DT_COMPLEX64");
  vs::Graph g;
  vs::import_graph_def(g, text, {.name = ""});
  const auto value = [&](const std::string& n) {
    return g.get_operation_by_name(n).attr_tensor("value");
  };
  EXPECT_EQ(values<float>(value("content")), (std::vector<float>{1, 2}));
  EXPECT_EQ(values<float>(value("fill")), (std::vector<float>{1, 7, 7, 7}));
  EXPECT_EQ(values<float>(value("zeros")), (std::vector<float>{0, 0}));
  EXPECT_EQ(values<double>(value("d")), (std::vector<double>{0.25, -2}));
  EXPECT_EQ(values<std::int64_t>(value("i64")), (std::vector<std::int64_t>{9000000000}));
  EXPECT_EQ(values<std::int8_t>(value("i8")), (std::vector<std::int8_t>{-3, 100}));
  EXPECT_EQ(values<std::uint8_t>(value("u8")), (std::vector<std::uint8_t>{200}));
  EXPECT_EQ(values<bool>(value("b")), (std::vector<bool>{true, false, false}));
  EXPECT_EQ(value("h").dtype(), vs::DType::kFloat16);
  EXPECT_EQ(value("h").cast(vs::DType::kFloat32).data<float>()[1], 1.0f);  // 0x3C00 repeated
  EXPECT_EQ(value("cx").dtype(), vs::DType::kComplex64);
  EXPECT_EQ(g.get_operation_by_name("fill").output(0).shape(), (vs::Shape{2, 2}));
}

TEST(ImportGraphDef, DevicesInTfsCanonicalFormMergedWithTheScope) {
  const std::string text =
      "node { name: 'p' op: 'Placeholder' device: '/gpu:1' attr { key: 'dtype' value { type: "
      "DT_FLOAT } } }\n"
      "node { name: 'q' op: 'Placeholder' attr { key: 'dtype' value { type: DT_FLOAT } } }\n";
  vs::Graph g;
  {
    auto d = g.device("/job:w/task:1");
    vs::import_graph_def(g, text);
  }
  EXPECT_EQ(g.get_operation_by_name("import/p").device(), "/job:w/task:1/device:GPU:1");
  EXPECT_EQ(g.get_operation_by_name("import/q").device(), "/job:w/task:1");
  EXPECT_FALSE(g.get_operation_by_name("import/q").output(0).shape().has_rank());
}

// Each bad GraphDef: the error class, TF's text, and the graph as it was (names included).
struct BadCase {
  const char* what;
  std::string text;
  vs::StatusCode code;
  std::string message;
  vs::ImportGraphDefOptions options{};
};

TEST(ImportGraphDef, ErrorsAsTf115AndTheGraphUnchanged) {
  const std::string f = "attr { key: 'T' value { type: DT_FLOAT } }";
  std::vector<BadCase> cases = {
      {"unknown op", "node { name: 'a' op: 'Foo' }", vs::StatusCode::kNotFound,
       "Op type not registered 'Foo' in binary running varscope. varscope imports these op "
       "types: "},
      {"missing input", unary_node("a", "Identity", "b"), vs::StatusCode::kInvalidArgument,
       "Node 'a': Unknown input node 'b'"},
      {"missing control input", kVector + "node { name: 'a' op: 'NoOp' input: '^b' }",
       vs::StatusCode::kInvalidArgument, "Node 'a': Unknown input node '^b'"},
      {"bad output", kVector + unary_node("a", "Identity", "c:3"), vs::StatusCode::kInvalidArgument,
       "Node 'a': Connecting to invalid output 3 of source node c which has 1 outputs."},
      {"cycle", unary_node("a", "Identity", "b") + unary_node("b", "Identity", "a"),
       vs::StatusCode::kInvalidArgument, "2 nodes in a cycle"},
      {"duplicate", kVector + kVector, vs::StatusCode::kInvalidArgument, "Node 'c' is not unique"},
      {"bad name", "node { name: 'a b' op: 'NoOp' }", vs::StatusCode::kInvalidArgument,
       "Node 'a b': Node name contains invalid characters"},
      {"unknown attr", "node { name: 'a' op: 'NoOp' attr { key: 'foo' value { i: 1 } } }",
       vs::StatusCode::kInvalidArgument,
       "NodeDef mentions attr 'foo' not in Op<name=NoOp>; NodeDef: {{node import/a}}. (Check "
       "whether your GraphDef-interpreting binary is up to date with your GraphDef-generating "
       "binary.)."},
      {"missing attr", "node { name: 'a' op: 'Placeholder' }", vs::StatusCode::kInvalidArgument,
       "NodeDef missing attr 'dtype' from Op<name=Placeholder>; NodeDef: {{node import/a}}"},
      {"attr kind", "node { name: 'a' op: 'Placeholder' attr { key: 'dtype' value { i: 1 } } }",
       vs::StatusCode::kInvalidArgument,
       "AttrValue had value with type 'int' when 'type' expected for attr 'dtype'; NodeDef: "
       "{{node import/a}}"},
      {"input dtype", kVector + unary_node("a", "Relu", "c", "DT_INT32"),
       vs::StatusCode::kInvalidArgument,
       "Input 0 of node import/a was passed float32 from import/c:0 incompatible with expected "
       "int32."},
      {"shape function",
       kVector + "node { name: 'a' op: 'MatMul' input: 'c' input: 'c' " + f + " }",
       vs::StatusCode::kInvalidArgument,
       "Shape must be rank 2 but is rank 1 for 'import/a' (op: 'MatMul') with input shapes: [3], "
       "[3]."},
      {"control first",
       kVector + "node { name: 'a' op: 'Identity' input: '^c' input: 'c' " + f + " }",
       vs::StatusCode::kInvalidArgument,
       "Node 'a': Control dependencies must come after regular dependencies"},
      {"input count", kVector + "node { name: 'a' op: 'Identity' input: 'c' input: 'c' " + f + " }",
       vs::StatusCode::kInvalidArgument,
       "NodeDef expected 1 inputs do not match 2 inputs specified; Op<name=Identity>; NodeDef: "
       "{{node import/a}}"},
      {"tensor content size",
       const_node("c", "tensor_shape { dim { size: 3 } } tensor_content: 'abc'"),
       vs::StatusCode::kInvalidArgument,
       "Node 'import/c': Unable to parse tensor proto: tensor_content holds 3 bytes, float32 (3,) "
       "needs 12"},
      {"too many values",
       const_node("c", "tensor_shape { dim { size: 1 } } float_val: 1 float_val: 2"),
       vs::StatusCode::kInvalidArgument,
       "Node 'import/c': Unable to parse tensor proto: too many values: 2 for a tensor of 1 "
       "elements"},
      {"huge constant", const_node("c", "tensor_shape { dim { size: 1000000000 } }"),
       vs::StatusCode::kInvalidArgument,
       "Node 'import/c': Unable to parse tensor proto: a constant of shape (1000000000,) is larger "
       "than 2GB, TF's largest in a GraphDef"},
      {"const dtype mismatch",
       "node { name: 'c' op: 'Const' attr { key: 'dtype' value { type: DT_INT32 } } attr { key: "
       "'value' value { tensor { dtype: DT_FLOAT float_val: 1 } } } }",
       vs::StatusCode::kInvalidArgument,
       "Node 'import/c': Type mismatch between value (float32) and dtype (int32)"},
      {"data_format",
       kVector + "node { name: 'a' op: 'BiasAdd' input: 'c' input: 'c' " + f +
           " attr { key: 'data_format' value { s: 'NCHW' } } }",
       vs::StatusCode::kUnimplemented,
       "Node 'import/a': varscope supports attr 'data_format' of BiasAdd only at TF's default"},
      {"not a GraphDef", "node {", vs::StatusCode::kInvalidArgument,
       "Cannot parse the GraphDef: it is neither a binary nor a text protocol buffer"},
      {"input_map key", kVector, vs::StatusCode::kInvalidArgument,
       "Attempted to map inputs that were not found in graph_def: [zz:0]"},
      {"input_map index", kVector, vs::StatusCode::kInvalidArgument,
       "Attempted to map inputs that were not found in graph_def: [c:1]"},
      {"return tensor", kVector, vs::StatusCode::kInvalidArgument,
       "Requested return tensor 'zz:0' not found in graph def"},
      {"return node", kVector, vs::StatusCode::kInvalidArgument,
       "Requested return node 'zz' not found in graph def"},
      {"return output", kVector, vs::StatusCode::kInvalidArgument,
       "Invalid return output 1 of node 'c', which has 1 output(s)"},
      {"scope name", kVector, vs::StatusCode::kInvalidArgument,
       "'bad name!' is not a valid scope name"},
  };
  for (BadCase& c : cases) {
    vs::Graph g;
    const vs::Tensor one = vs::constant(g, vs::HostTensor({1.0f, 2.0f, 3.0f}, vs::Shape{3}));
    const std::string what = c.what;
    if (what == "input_map key") c.options.input_map = {{"zz", one}};
    if (what == "input_map index") c.options.input_map = {{"c:1", one}};
    if (what == "return tensor") c.options.return_elements = {"zz:0"};
    if (what == "return node") c.options.return_elements = {"zz"};
    if (what == "return output") c.options.return_elements = {"c:1"};
    if (what == "scope name") c.options.name = "bad name!";
    try {
      vs::import_graph_def(g, c.text, c.options);
      ADD_FAILURE() << c.what << ": imported";
    } catch (const vs::Error& e) {
      EXPECT_EQ(e.code(), c.code) << c.what << ": " << e.what();
      EXPECT_EQ(std::string(e.what()).substr(0, c.message.size()), c.message) << c.what;
    }
    EXPECT_EQ(g.num_operations(), 1u) << c.what;
    EXPECT_EQ(g.unique_name("import", false), "import") << c.what;
    EXPECT_EQ(g.unique_name("c", false), "c") << c.what;
  }
}

}  // namespace
