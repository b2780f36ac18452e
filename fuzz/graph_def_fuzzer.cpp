// libFuzzer target: any bytes as a GraphDef (binary or text) for import_graph_def. The
// import must either refuse with a vs::Error and leave the graph exactly as it was, or
// succeed; an imported graph must write back to a GraphDef and import again.
#include <cstdint>
#include <cstdlib>
#include <string>
#include <string_view>

#include "varscope/varscope.h"

namespace vs = varscope;

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  vs::Graph g;
  vs::placeholder(g, vs::DType::kFloat32, vs::Shape{3}, "x");
  try {
    vs::import_graph_def(g, bytes, {.name = ""});
  } catch (const vs::Error&) {
    // A clear refusal, and nothing of the GraphDef is left behind.
    if (g.num_operations() != 1 || g.unique_name("x", false) != "x_1" ||
        g.unique_name("import", false) != "import")
      std::abort();
    return 0;
  }
  // The round trip copies every constant twice more: only for small ones.
  std::int64_t elements = 0;
  for (const vs::Operation& op : g.operations()) {
    if (op.type() == "Const") elements += op.output(0).shape().num_elements();
  }
  if (elements > (1 << 20)) return 0;
  try {
    vs::Graph again;
    vs::import_graph_def(again, vs::graph_def_bytes(g), {.name = ""});
    if (again.num_operations() != g.num_operations()) std::abort();
  } catch (const vs::Error&) {
    // varscope's own helpers (SumToShape) are written as TF ops it does not import.
  }
  return 0;
}
