// Convolution and pooling on the CPU. float32 runs oneDNN's primitives: activations stay in
// the graph's NHWC; the filter is reordered into the layout the primitive chose (format
// `any`: oneDNN's fast kernels want blocked weights; 64x64x3x3 is 37k floats, small beside
// the activations). A step's primitives are built once and kept in its PreparedSlot, rebuilt
// when the geometry (a new feed shape) or the thread count changes. oneDNN has no float64
// convolution: float64 runs kernels/conv.h's loops, one output element each, over the pool.
// MaxPoolGrad gets no workspace from TF's graph, so oneDNN's forward runs again to make it.
#include "kernels/conv.h"

#include <algorithm>
#include <dnnl.hpp>
#include <string>
#include <unordered_map>

#include "host/runtime/cpu/cpu_ops.h"
#include "host/runtime/cpu/omp_threads.h"
#include "host/runtime/cpu/thread_pool.h"
#include "varscope/errors.h"

namespace varscope::runtime::cpu {
namespace {

using dnnl::memory;
using Tag = memory::format_tag;
using kernels::ConvPass;
using kernels::WindowGeometry;

const dnnl::engine& cpu_engine() {
  static const dnnl::engine engine(dnnl::engine::kind::cpu, 0);
  return engine;
}

memory::desc nhwc(std::int64_t n, std::int64_t h, std::int64_t w, std::int64_t c) {
  return memory::desc({n, c, h, w}, memory::data_type::f32, Tag::nhwc);
}
memory::desc input_desc(const WindowGeometry& g) {
  return nhwc(g.n, g.h, g.w, g.c);
}
memory::desc output_desc(const WindowGeometry& g) {
  return nhwc(g.n, g.out_h, g.out_w, g.out_c);
}
memory::desc filter_desc(const WindowGeometry& g, Tag tag) {
  return memory::desc({g.out_c, g.c, g.kh, g.kw}, memory::data_type::f32, tag);
}
memory::dims strides(const WindowGeometry& g) {
  return {g.stride_h, g.stride_w};
}
memory::dims dilates(const WindowGeometry& g) {  // oneDNN counts the gaps: dilation - 1
  return {g.dilation_h - 1, g.dilation_w - 1};
}
memory::dims pad_l(const WindowGeometry& g) {
  return {g.pad_top, g.pad_left};
}
memory::dims pad_r(const WindowGeometry& g) {
  return {g.pad_bottom, g.pad_right};
}

// What a prepared object was built for.
struct Key {
  int kind = 0;  // the pass, or 10 + pool op (+ 20 backward)
  WindowGeometry g;
  int threads = 0;
  bool operator==(const Key& o) const {
    return kind == o.kind && threads == o.threads && kernels::same_geometry(g, o.g);
  }
};

struct PreparedConv {
  Key key;
  dnnl::primitive primitive;
  memory::desc filter;  // the primitive's layout of the filter (or of its gradient)
  bool reorder = false;
  dnnl::memory filter_mem;       // kForward, kBackwardData: the filter reordered; else dfilter
  dnnl::reorder filter_reorder;  // HWIO -> the primitive's layout, or back for dfilter
};

PreparedConv prepare_conv(const Key& key) {
  const WindowGeometry& g = key.g;
  const auto& eng = cpu_engine();
  const memory::desc any_filter = filter_desc(g, Tag::any);
  const dnnl::convolution_forward::desc fwd_desc(
      key.kind == int(ConvPass::kForward) ? dnnl::prop_kind::forward_inference
                                          : dnnl::prop_kind::forward_training,
      dnnl::algorithm::convolution_direct, input_desc(g), any_filter, output_desc(g), strides(g),
      dilates(g), pad_l(g), pad_r(g));
  const dnnl::convolution_forward::primitive_desc fwd(fwd_desc, eng);
  PreparedConv p;
  p.key = key;
  switch (static_cast<ConvPass>(key.kind)) {
    case ConvPass::kForward:
      p.primitive = dnnl::convolution_forward(fwd);
      p.filter = fwd.weights_desc();
      break;
    case ConvPass::kBackwardData: {
      const dnnl::convolution_backward_data::desc d(dnnl::algorithm::convolution_direct,
                                                    input_desc(g), any_filter, output_desc(g),
                                                    strides(g), dilates(g), pad_l(g), pad_r(g));
      const dnnl::convolution_backward_data::primitive_desc pd(d, eng, fwd);
      p.primitive = dnnl::convolution_backward_data(pd);
      p.filter = pd.weights_desc();
      break;
    }
    case ConvPass::kBackwardFilter: {
      const dnnl::convolution_backward_weights::desc d(dnnl::algorithm::convolution_direct,
                                                       input_desc(g), any_filter, output_desc(g),
                                                       strides(g), dilates(g), pad_l(g), pad_r(g));
      const dnnl::convolution_backward_weights::primitive_desc pd(d, eng, fwd);
      p.primitive = dnnl::convolution_backward_weights(pd);
      p.filter = pd.diff_weights_desc();
      break;
    }
  }
  const memory::desc hwio = filter_desc(g, Tag::hwio);
  p.reorder = p.filter != hwio;
  if (p.reorder) {
    p.filter_mem = dnnl::memory(p.filter, eng);
    p.filter_reorder = static_cast<ConvPass>(key.kind) == ConvPass::kBackwardFilter
                           ? dnnl::reorder(dnnl::reorder::primitive_desc(eng, p.filter, eng, hwio))
                           : dnnl::reorder(dnnl::reorder::primitive_desc(eng, hwio, eng, p.filter));
  }
  return p;
}

struct PreparedPool {
  Key key;
  dnnl::pooling_forward forward;
  dnnl::pooling_backward backward;
  dnnl::memory workspace, scratch_y;  // max backward: the forward's argmax and its output
};

PreparedPool prepare_pool(const Key& key, kernels::PoolOp op, bool backward) {
  const WindowGeometry& g = key.g;
  const auto& eng = cpu_engine();
  const dnnl::algorithm algorithm = op == kernels::PoolOp::kMax
                                        ? dnnl::algorithm::pooling_max
                                        : dnnl::algorithm::pooling_avg_exclude_padding;
  const memory::dims kernel{g.kh, g.kw};
  const dnnl::pooling_forward::desc fwd_desc(
      backward ? dnnl::prop_kind::forward_training : dnnl::prop_kind::forward_inference, algorithm,
      input_desc(g), output_desc(g), strides(g), kernel, pad_l(g), pad_r(g));
  const dnnl::pooling_forward::primitive_desc fwd(fwd_desc, eng);
  PreparedPool p;
  p.key = key;
  p.forward = dnnl::pooling_forward(fwd);
  if (backward) {
    const dnnl::pooling_backward::desc d(algorithm, input_desc(g), output_desc(g), strides(g),
                                         kernel, pad_l(g), pad_r(g));
    p.backward = dnnl::pooling_backward(dnnl::pooling_backward::primitive_desc(d, eng, fwd));
    if (op == kernels::PoolOp::kMax) {
      p.workspace = dnnl::memory(fwd.workspace_desc(), eng);
      p.scratch_y = dnnl::memory(output_desc(g), eng);
    }
  }
  return p;
}

// The step's prepared object of type P for `key`, built where there is none or it was
// built for another key.
template <class P, class Make>
P& prepared(kernels::PreparedSlot* slot, const Key& key, Make make) {
  if (slot == nullptr) throw InternalError("oneDNN primitives need a prepared slot");
  auto* p = static_cast<P*>(slot->get());
  if (p == nullptr || !(p->key == key)) {
    *slot = std::make_shared<P>(make());
    p = static_cast<P*>(slot->get());
  }
  return *p;
}

dnnl::memory user(const memory::desc& d, const void* ptr) {
  return dnnl::memory(d, cpu_engine(), const_cast<void*>(ptr));
}

// The filter's reorder: 37k floats for 64x64x3x3, a copy of microseconds on one thread,
// while oneDNN's OpenMP team took 8-24 ms for it on a loaded 2-CPU machine (waking the
// team costs more than the copy).
void reorder_filter(PreparedConv& p, dnnl::stream& stream, dnnl::memory& from, dnnl::memory& to) {
  ScopedOmpThreads one_thread(1);
  p.filter_reorder.execute(stream, from, to);
  stream.wait();
}

void conv2d_f32(const kernels::Conv2DArgs& a) {
  const WindowGeometry& g = a.geometry;
  const Key key{int(a.pass), g, pool_threads()};
  ScopedOmpThreads threads(key.threads);
  PreparedConv& p = prepared<PreparedConv>(a.prepared, key, [&] { return prepare_conv(key); });
  dnnl::stream stream(cpu_engine());
  const memory::desc hwio = filter_desc(g, Tag::hwio);
  switch (a.pass) {
    case ConvPass::kForward:
    case ConvPass::kBackwardData: {
      dnnl::memory filter = user(hwio, a.filter);
      if (p.reorder) {
        reorder_filter(p, stream, filter, p.filter_mem);
        filter = p.filter_mem;
      }
      if (a.pass == ConvPass::kForward) {
        p.primitive.execute(stream, {{DNNL_ARG_SRC, user(input_desc(g), a.x)},
                                     {DNNL_ARG_WEIGHTS, filter},
                                     {DNNL_ARG_DST, user(output_desc(g), a.out)}});
      } else {
        p.primitive.execute(stream, {{DNNL_ARG_DIFF_DST, user(output_desc(g), a.dy)},
                                     {DNNL_ARG_WEIGHTS, filter},
                                     {DNNL_ARG_DIFF_SRC, user(input_desc(g), a.out)}});
      }
      break;
    }
    case ConvPass::kBackwardFilter: {
      dnnl::memory dfilter = user(hwio, a.out);
      p.primitive.execute(stream, {{DNNL_ARG_SRC, user(input_desc(g), a.x)},
                                   {DNNL_ARG_DIFF_DST, user(output_desc(g), a.dy)},
                                   {DNNL_ARG_DIFF_WEIGHTS, p.reorder ? p.filter_mem : dfilter}});
      if (p.reorder) reorder_filter(p, stream, p.filter_mem, dfilter);
      break;
    }
  }
  stream.wait();
}

void pool2d_f32(const kernels::Pool2DArgs& a) {
  const WindowGeometry& g = a.geometry;
  const Key key{10 + int(a.op) + (a.backward ? 20 : 0), g, pool_threads()};
  ScopedOmpThreads threads(key.threads);
  PreparedPool& p =
      prepared<PreparedPool>(a.prepared, key, [&] { return prepare_pool(key, a.op, a.backward); });
  dnnl::stream stream(cpu_engine());
  if (!a.backward) {
    p.forward.execute(stream, {{DNNL_ARG_SRC, user(input_desc(g), a.x)},
                               {DNNL_ARG_DST, user(output_desc(g), a.out)}});
  } else {
    std::unordered_map<int, dnnl::memory> args{{DNNL_ARG_DIFF_DST, user(output_desc(g), a.dy)},
                                               {DNNL_ARG_DIFF_SRC, user(input_desc(g), a.out)}};
    if (a.op == kernels::PoolOp::kMax) {
      p.forward.execute(stream, {{DNNL_ARG_SRC, user(input_desc(g), a.x)},
                                 {DNNL_ARG_DST, p.scratch_y},
                                 {DNNL_ARG_WORKSPACE, p.workspace}});
      args.emplace(DNNL_ARG_WORKSPACE, p.workspace);
    }
    p.backward.execute(stream, args);
  }
  stream.wait();
}

// float64: one output element per iteration, kernels/conv.h's loops.
template <class F>
void each(std::int64_t count, std::int64_t work_per_element, F f) {
  const std::int64_t min = std::max<std::int64_t>(1, (std::int64_t{1} << 14) / work_per_element);
  parallel_for(count, min, [&](std::int64_t begin, std::int64_t end) {
    for (std::int64_t i = begin; i < end; ++i)
      f(i);
  });
}

void conv2d_f64(const kernels::Conv2DArgs& a) {
  const WindowGeometry& g = a.geometry;
  const auto* x = static_cast<const double*>(a.x);
  const auto* f = static_cast<const double*>(a.filter);
  const auto* dy = static_cast<const double*>(a.dy);
  auto* out = static_cast<double*>(a.out);
  switch (a.pass) {
    case ConvPass::kForward:
      return each(g.output_count(), g.kh * g.kw * g.c,
                  [&](std::int64_t i) { out[i] = kernels::conv2d_forward_element(g, x, f, i); });
    case ConvPass::kBackwardData:
      return each(g.input_count(), g.kh * g.kw * g.out_c, [&](std::int64_t i) {
        out[i] = kernels::conv2d_backward_data_element(g, dy, f, i);
      });
    case ConvPass::kBackwardFilter:
      return each(g.filter_count(), g.n * g.out_h * g.out_w, [&](std::int64_t i) {
        out[i] = kernels::conv2d_backward_filter_element(g, x, dy, i);
      });
  }
}

void pool2d_f64(const kernels::Pool2DArgs& a) {
  const WindowGeometry& g = a.geometry;
  const auto* x = static_cast<const double*>(a.x);
  const auto* dy = static_cast<const double*>(a.dy);
  auto* out = static_cast<double*>(a.out);
  const bool max = a.op == kernels::PoolOp::kMax;
  if (a.backward) {
    return each(g.input_count(), 4 * g.kh * g.kw,
                [&](std::int64_t i) { out[i] = kernels::pool_backward_element(g, max, x, dy, i); });
  }
  each(g.output_count(), g.kh * g.kw, [&](std::int64_t i) {
    out[i] = max ? x[kernels::max_pool_argmax(g, x, i)] : kernels::avg_pool_element(g, x, i);
  });
}

[[noreturn]] void rethrow_dnnl(const dnnl::error& e, const char* what) {
  throw InternalError(std::string("oneDNN ") + what + " failed: " + e.what() + " (status " +
                      std::to_string(static_cast<int>(e.status)) + ")");
}

}  // namespace

void conv2d(const kernels::Conv2DArgs& a) {
  if (a.dtype == DType::kFloat64) return conv2d_f64(a);
  if (a.dtype != DType::kFloat32) {
    throw UnimplementedError("Conv2D on " + std::string(dtype_name(a.dtype)));
  }
  try {
    conv2d_f32(a);
  } catch (const dnnl::error& e) {
    rethrow_dnnl(e, "convolution");
  }
}

void pool2d(const kernels::Pool2DArgs& a) {
  if (a.dtype == DType::kFloat64) return pool2d_f64(a);
  if (a.dtype != DType::kFloat32) {
    throw UnimplementedError("pooling on " + std::string(dtype_name(a.dtype)));
  }
  try {
    pool2d_f32(a);
  } catch (const dnnl::error& e) {
    rethrow_dnnl(e, "pooling");
  }
}

}  // namespace varscope::runtime::cpu
