// The array ops' cases (src/host/graph/op_rows/array_ops.cpp), in OpType order.
#include "op_cases/op_case.h"

namespace varscope::testing {

std::vector<OpCase> array_cases() {
  using namespace cases;
  using P = const std::vector<Tensor>&;
  return {
      {.op = OpType::kFill,
       .inputs = {},
       .build = [](Graph& g, P, DType t) -> OpOutput {
         const auto& impl = vd::Access::impl(g);
         return {impl->mutate([&] {
           return impl->tensor(vd::build_fill(*impl, Shape{40, 30}, t, 2.5, "fill"));
         })};
       },
       .reference = [](const Values&) { return std::vector<double>(1200, 2.5); }},
      {.op = OpType::kOnesLike,
       .inputs = {Shape{2, 3}},
       .build = [](Graph&, P p, DType) -> OpOutput { return {ones_like(p[0])}; },
       .reference = [](const Values&) { return std::vector<double>(6, 1.0); }},
      {.op = OpType::kZerosLike,
       .inputs = {Shape{2, 3}},
       .build = [](Graph&, P p, DType) -> OpOutput { return {zeros_like(p[0])}; },
       .reference = [](const Values&) { return std::vector<double>(6, 0.0); }},
      {.op = OpType::kReshape,
       .inputs = {Shape{2, 3}},
       .build = [](Graph&, P p, DType) -> OpOutput {
         return {reshape(p[0], {3, -1})};
       },
       .reference = [](const Values& v) { return v[0]; }},
      {.op = OpType::kExpandDims,
       .inputs = {Shape{2, 3}},
       .build = [](Graph&, P p, DType) -> OpOutput { return {expand_dims(p[0], -1)}; },
       .reference = [](const Values& v) { return v[0]; }},
      {.op = OpType::kSqueeze,
       .inputs = {Shape{2, 1, 3}},
       .build = [](Graph&, P p, DType) -> OpOutput { return {squeeze(p[0])}; },
       .reference = [](const Values& v) { return v[0]; }},
      // Shape, Size and Rank of a known shape are Consts (TF): the ops themselves.
      {.op = OpType::kShape,
       .inputs = {Shape{2, 3}},
       .build = [](Graph& g, P p, DType t) -> OpOutput {
         return {internal_node(g, OpType::kShape, {p[0]}, DType::kInt32, Shape{2},
                               {{"T", t}, {"out_type", DType::kInt32}})};
       },
       .reference =
           [](const Values&) {
             return std::vector<double>{2, 3};
           }},
      {.op = OpType::kSize,
       .inputs = {Shape{2, 3}},
       .build = [](Graph& g, P p, DType t) -> OpOutput {
         return {internal_node(g, OpType::kSize, {p[0]}, DType::kInt64, Shape{},
                               {{"T", t}, {"out_type", DType::kInt64}})};
       },
       .reference = [](const Values&) { return std::vector<double>{6}; }},
      {.op = OpType::kRank,
       .inputs = {Shape{2, 3}},
       .build = [](Graph& g, P p, DType t) -> OpOutput {
         return {internal_node(g, OpType::kRank, {p[0]}, DType::kInt32, Shape{}, {{"T", t}})};
       },
       .reference = [](const Values&) { return std::vector<double>{2}; }},
      {.op = OpType::kStopGradient,
       .inputs = {Shape{2, 3}},
       .build = [](Graph&, P p, DType) -> OpOutput { return {stop_gradient(p[0])}; },
       .reference = [](const Values& v) { return v[0]; }},
      {.op = OpType::kPreventGradient,
       .inputs = {Shape{2, 3}},
       .build = [](Graph& g, P p, DType t) -> OpOutput {
         return {internal_node(g, OpType::kPreventGradient, {p[0]}, t, Shape{2, 3},
                               {{vd::attr_name::kT, t}, {vd::attr_name::kMessage, std::string()}})};
       },
       .reference = [](const Values& v) { return v[0]; },
       .no_finite_differences = "its gradient is TF's refusal (import_graph_def_test)"},
      // r0 of [2,1,1,3] and [4,1,3]: the axes x's gradient sums over (both 1 at axis 2).
      {.op = OpType::kBroadcastGradientArgs,
       .inputs = {},
       .build = [](Graph& g, P, DType) -> OpOutput {
         const Tensor x = constant(g, HostTensor(std::vector<std::int32_t>{2, 1, 1, 3}));
         const Tensor y = constant(g, HostTensor(std::vector<std::int32_t>{4, 1, 3}));
         return {internal_node(g, OpType::kBroadcastGradientArgs, {x, y}, DType::kInt32,
                               Shape{kUnknownDim})};
       },
       .reference =
           [](const Values&) {
             return std::vector<double>{1, 2};
           }},
      {.op = OpType::kTranspose,
       .inputs = {Shape{2, 3, 4}},
       .build = [](Graph&, P p, DType) -> OpOutput {
         return {transpose(p[0], {2, 0, 1})};
       },
       .reference =
           [](const Values& v) {
             std::vector<double> y;  // y[k][i][j] = x[i][j][k]
             for (int k = 0; k < 4; ++k)
               for (int i = 0; i < 2; ++i)
                 for (int j = 0; j < 3; ++j)
                   y.push_back(v[0][std::size_t(i * 12 + j * 4 + k)]);
             return y;
           }},
      {.op = OpType::kInvertPermutation,
       .inputs = {},
       .build = [](Graph& g, P, DType) -> OpOutput {
         return {invert_permutation(
             constant(g, HostTensor(std::vector<std::int32_t>{2, 0, 3, 1}, Shape{4})))};
       },
       .reference =
           [](const Values&) {
             return std::vector<double>{1, 3, 0, 2};
           }},
      {.op = OpType::kPack,
       .inputs = {Shape{2, 3}, Shape{2, 3}},
       .build = [](Graph&, P p, DType) -> OpOutput {
         return {stack({p[0], p[1]}, 1)};
       },
       .reference =
           [](const Values& v) {
             std::vector<double> y;  // [2, 2, 3]: y[i][k][j] = values[k][i][j]
             for (int i = 0; i < 2; ++i)
               for (int k = 0; k < 2; ++k)
                 for (int j = 0; j < 3; ++j)
                   y.push_back(v[std::size_t(k)][std::size_t(i * 3 + j)]);
             return y;
           }},
      // Output 1 alone: the gradient fills the others with zeros (TF's zeros_like).
      {.op = OpType::kUnpack,
       .inputs = {Shape{2, 3}},
       .build = [](Graph&, P p, DType) -> OpOutput { return {unstack(p[0], std::nullopt, 1)[1]}; },
       .reference =
           [](const Values& v) {
             return std::vector<double>{v[0][1], v[0][4]};
           }},
      {.op = OpType::kConcatV2,
       .inputs = {Shape{2, 3}, Shape{2, 1}},
       .build = [](Graph&, P p, DType) -> OpOutput {
         return {concat({p[0], p[1]}, -1)};
       },
       .reference =
           [](const Values& v) {
             return std::vector<double>{v[0][0], v[0][1], v[0][2], v[1][0],
                                        v[0][3], v[0][4], v[0][5], v[1][1]};
           }},
      {.op = OpType::kSplit,
       .inputs = {Shape{2, 6}},
       .build = [](Graph&, P p, DType) -> OpOutput { return {split(p[0], 3, 1)[1]}; },
       .reference =
           [](const Values& v) {
             return std::vector<double>{v[0][2], v[0][3], v[0][8], v[0][9]};
           }},
      {.op = OpType::kSplitV,
       .inputs = {Shape{4, 2}},
       .build = [](Graph&, P p, DType) -> OpOutput {
         return {split(p[0], std::vector<std::int64_t>{1, -1, 2}, 0)[1]};
       },
       .reference =
           [](const Values& v) {
             return std::vector<double>{v[0][2], v[0][3]};
           }},
      {.op = OpType::kSlice,
       .inputs = {Shape{3, 4}},
       .build = [](Graph&, P p, DType) -> OpOutput {
         return {slice(p[0], {1, 1}, {2, -1})};
       },
       .reference =
           [](const Values& v) {
             return std::vector<double>{v[0][5], v[0][6], v[0][7], v[0][9], v[0][10], v[0][11]};
           }},
      {.op = OpType::kPad,
       .inputs = {Shape{2, 3}},
       .build = [](Graph&, P p, DType) -> OpOutput {
         return {pad(p[0], {{1, 0}, {0, 2}})};
       },
       .reference =
           [](const Values& v) {
             std::vector<double> y(15, 0.0);  // [3, 5]
             for (int i = 0; i < 2; ++i)
               for (int j = 0; j < 3; ++j)
                 y[std::size_t((i + 1) * 5 + j)] = v[0][std::size_t(i * 3 + j)];
             return y;
           }},
      {.op = OpType::kTile,
       .inputs = {Shape{2, 3}},
       .build = [](Graph&, P p, DType) -> OpOutput {
         return {tile(p[0], {2, 2})};
       },
       .reference =
           [](const Values& v) {
             std::vector<double> y;  // [4, 6]
             for (int i = 0; i < 4; ++i)
               for (int j = 0; j < 6; ++j)
                 y.push_back(v[0][std::size_t((i % 2) * 3 + j % 3)]);
             return y;
           }},
      {.op = OpType::kRange,
       .inputs = {},
       .build = [](Graph& g, P, DType) -> OpOutput { return {range(g, 2, 11, 3)}; },
       .reference =
           [](const Values&) {
             return std::vector<double>{2, 5, 8};
           }},
      {.op = OpType::kPlaceholderWithDefault,
       .inputs = {Shape{2, 3}},
       .build = [](Graph&, P p, DType) -> OpOutput {
         return {placeholder_with_default(p[0], Shape{2, 3}) * 2.0};
       },
       .reference = [](const Values& v) { return map(v[0], [](double x) { return 2 * x; }); }},
      // An index outside [0, depth) is a row of off_value (TF).
      {.op = OpType::kOneHot,
       .inputs = {},
       .build = [](Graph& g, P, DType t) -> OpOutput {
         const Tensor i = constant(g, HostTensor(std::vector<std::int32_t>{2, 5, -1, 0}, Shape{4}));
         return {one_hot(i, 3, {.on_value = 2.5, .off_value = -1, .axis = 0, .dtype = t})};
       },
       .reference =
           [](const Values&) {  // [3, 4]: row d, column j = (indices[j] == d)
             return std::vector<double>{-1, -1, -1, 2.5, -1, -1, -1, -1, 2.5, -1, -1, -1};
           }},
      // Axis 0 (its gradient, an IndexedSlices made dense), a repeated index accumulating.
      {.op = OpType::kGatherV2,
       .inputs = {Shape{4, 3}},
       .build = [](Graph& g, P p, DType) -> OpOutput {
         const Tensor i = constant(g, HostTensor(std::vector<std::int32_t>{3, 0, 3}, Shape{3}));
         return {gather(p[0], i)};
       },
       .reference =
           [](const Values& v) {
             std::vector<double> y;  // [3, 3]: y[j] = x[{3, 0, 3}[j]]
             for (int r : {3, 0, 3})
               for (int c = 0; c < 3; ++c)
                 y.push_back(v[0][std::size_t(r * 3 + c)]);
             return y;
           }},
      // x[1:, ::-2, -1] of a [3, 4, 5]: [2, 2].
      {.op = OpType::kStridedSlice,
       .inputs = {Shape{3, 4, 5}},
       .build = [](Graph&, P p, DType) -> OpOutput {
         return {index(p[0], {slice(1, {}), slice({}, {}, -2), -1})};
       },
       .reference =
           [](const Values& v) {
             std::vector<double> y;
             for (int i = 1; i < 3; ++i)
               for (int j : {3, 1})
                 y.push_back(v[0][std::size_t(i * 20 + j * 5 + 4)]);
             return y;
           }},
      // The gradient of x[:, None, 1:3, ::2] of a [2, 4, 5] (as tf.gradients builds it, x
      // not fed: its shape is a Const): dy scattered into zeros.
      {.op = OpType::kStridedSliceGrad,
       .inputs = {Shape{2, 1, 2, 3}},
       .build = [](Graph& g, P p, DType t) -> OpOutput {
         const Tensor x = placeholder(g, t, Shape{2, 4, 5}, "sliced");
         const Tensor y = index(x, {all, new_axis, slice(1, 3), slice({}, {}, 2)});
         return {gradients({y}, {x}, {p[0]})[0]};
       },
       .reference =
           [](const Values& v) {
             std::vector<double> dx(40, 0.0);
             std::size_t k = 0;
             for (int i = 0; i < 2; ++i)
               for (int j = 1; j < 3; ++j)
                 for (int l = 0; l < 5; l += 2)
                   dx[std::size_t(i * 20 + j * 5 + l)] = v[0][k++];
             return dx;
           }},
      // Ids {2, 0, 2, -1} into 3 segments: the negative one dropped (TF 1.15).
      {.op = OpType::kUnsortedSegmentSum,
       .inputs = {Shape{4, 3}},
       .build = [](Graph& g, P p, DType) -> OpOutput {
         const Tensor ids = constant(g, HostTensor(std::vector<std::int32_t>{2, 0, 2, -1}));
         return {unsorted_segment_sum(p[0], ids, 3)};
       },
       .reference =
           [](const Values& v) {
             std::vector<double> y(9, 0.0);
             const int ids[] = {2, 0, 2, -1};
             for (int j = 0; j < 4; ++j)
               for (int c = 0; ids[j] >= 0 && c < 3; ++c)
                 y[std::size_t(ids[j] * 3 + c)] += v[0][std::size_t(j * 3 + c)];
             return y;
           }},
      // Partitions {1, 0, 1, 2}: part 1 holds rows 0 and 2.
      {.op = OpType::kDynamicPartition,
       .inputs = {Shape{4, 3}},
       .build = [](Graph& g, P p, DType) -> OpOutput {
         const Tensor parts = constant(g, HostTensor(std::vector<std::int32_t>{1, 0, 1, 2}));
         // Reshaped: a part's length is known only at run time ([?, 3], as TF).
         return {reshape(dynamic_partition(p[0], parts, 3)[1], std::vector<std::int64_t>{2, 3})};
       },
       .reference =
           [](const Values& v) {
             std::vector<double> y(v[0].begin(), v[0].begin() + 3);
             y.insert(y.end(), v[0].begin() + 6, v[0].begin() + 9);
             return y;
           }},
      // Rows {2, 0} from the first data, {1} from the second.
      {.op = OpType::kParallelDynamicStitch,
       .inputs = {Shape{2, 3}, Shape{1, 3}},
       .build = [](Graph& g, P p, DType) -> OpOutput {
         const Tensor a = constant(g, HostTensor(std::vector<std::int32_t>{2, 0}));
         const Tensor b = constant(g, HostTensor(std::vector<std::int32_t>{1}));
         return {parallel_dynamic_stitch({a, b}, {p[0], p[1]})};
       },
       .reference =
           [](const Values& v) {
             std::vector<double> y(v[0].begin() + 3, v[0].begin() + 6);
             y.insert(y.end(), v[1].begin(), v[1].end());
             y.insert(y.end(), v[0].begin(), v[0].begin() + 3);
             return y;
           }},
  };
}

}  // namespace varscope::testing
