// FusedBatchNormV3 and FusedBatchNormGradV3 on the CPU: oneDNN's batch normalization
// primitives over the NHWC input seen as [rows, channels] (the statistics are per channel,
// so the spatial dimensions fold into the rows). A step's primitive is built once and kept
// in its PreparedSlot, rebuilt when the shape, mode or thread count changes. oneDNN gives the
// biased variance; TF's batch_variance output is its n/(n-1) form.
#include <algorithm>
#include <cstring>
#include <dnnl.hpp>

#include "host/runtime/cpu/cpu_ops.h"
#include "host/runtime/cpu/omp_threads.h"
#include "host/runtime/cpu/thread_pool.h"
#include "varscope/errors.h"

namespace varscope::runtime::cpu {
namespace {

using dnnl::memory;
using kernels::BatchNormArgs;
using kernels::BatchNormPass;
using Flags = dnnl::normalization_flags;

const dnnl::engine& engine() {
  static const dnnl::engine e(dnnl::engine::kind::cpu, 0);
  return e;
}

struct Key {
  BatchNormPass pass{};
  bool training = true;
  std::int64_t rows = 0, channels = 0;
  float epsilon = 0;
  int threads = 0;
  bool operator==(const Key&) const = default;
};

struct PreparedBatchNorm {
  Key key;
  dnnl::primitive primitive;
};

memory::desc data_desc(const Key& k) {
  return memory::desc({k.rows, k.channels}, memory::data_type::f32, memory::format_tag::nc);
}
memory::desc channel_desc(const Key& k) {
  return memory::desc({k.channels}, memory::data_type::f32, memory::format_tag::a);
}

PreparedBatchNorm prepare(const Key& k) {
  // Inference (and its gradient) treats the given statistics as constants.
  const Flags flags =
      Flags::use_scale | Flags::use_shift | (k.training ? Flags::none : Flags::use_global_stats);
  const dnnl::batch_normalization_forward::desc fwd_desc(
      k.pass == BatchNormPass::kForward && !k.training ? dnnl::prop_kind::forward_inference
                                                       : dnnl::prop_kind::forward_training,
      data_desc(k), k.epsilon, flags);
  const dnnl::batch_normalization_forward::primitive_desc fwd(fwd_desc, engine());
  PreparedBatchNorm p{k, {}};
  if (k.pass == BatchNormPass::kForward) {
    p.primitive = dnnl::batch_normalization_forward(fwd);
  } else {
    const dnnl::batch_normalization_backward::desc d(dnnl::prop_kind::backward, data_desc(k),
                                                     data_desc(k), k.epsilon, flags);
    p.primitive = dnnl::batch_normalization_backward(
        dnnl::batch_normalization_backward::primitive_desc(d, engine(), fwd));
  }
  return p;
}

memory user(const memory::desc& d, const void* ptr) {
  return memory(d, engine(), const_cast<void*>(ptr));
}

}  // namespace

void batch_norm(const BatchNormArgs& a) {
  if (a.rows == 0 || a.channels == 0) return;  // execute_conv.cpp filled the outputs
  const Key key{a.pass, a.training, a.rows, a.channels, a.epsilon, pool_threads()};
  ScopedOmpThreads threads(key.threads);
  if (a.prepared == nullptr) throw InternalError("oneDNN primitives need a prepared slot");
  auto* p = static_cast<PreparedBatchNorm*>(a.prepared->get());
  if (p == nullptr || !(p->key == key)) {
    *a.prepared = std::make_shared<PreparedBatchNorm>(prepare(key));
    p = static_cast<PreparedBatchNorm*>(a.prepared->get());
  }
  const memory::desc data = data_desc(key), channel = channel_desc(key);
  const auto bytes = static_cast<std::size_t>(a.channels) * sizeof(float);
  dnnl::stream stream(engine());
  if (a.pass == BatchNormPass::kForward) {
    if (a.training) {
      p->primitive.execute(stream, {{DNNL_ARG_SRC, user(data, a.x)},
                                    {DNNL_ARG_SCALE, user(channel, a.scale)},
                                    {DNNL_ARG_SHIFT, user(channel, a.offset)},
                                    {DNNL_ARG_MEAN, user(channel, a.saved_mean)},
                                    {DNNL_ARG_VARIANCE, user(channel, a.saved_variance)},
                                    {DNNL_ARG_DST, user(data, a.y)}});
      stream.wait();
      // TF's rest_size_adjust: n / (n - 1), 1 for a batch of one.
      const double n = static_cast<double>(a.rows);
      const auto adjust = static_cast<float>(a.rows > 1 ? n / (n - 1) : 1.0);
      const auto* biased = static_cast<const float*>(a.saved_variance);
      auto* corrected = static_cast<float*>(a.batch_variance);
      for (std::int64_t c = 0; c < a.channels; ++c)
        corrected[c] = biased[c] * adjust;
      std::memcpy(a.batch_mean, a.saved_mean, bytes);
    } else {
      p->primitive.execute(stream, {{DNNL_ARG_SRC, user(data, a.x)},
                                    {DNNL_ARG_SCALE, user(channel, a.scale)},
                                    {DNNL_ARG_SHIFT, user(channel, a.offset)},
                                    {DNNL_ARG_MEAN, user(channel, a.mean)},
                                    {DNNL_ARG_VARIANCE, user(channel, a.variance)},
                                    {DNNL_ARG_DST, user(data, a.y)}});
      stream.wait();
      for (void* out : {a.batch_mean, a.saved_mean})
        std::memcpy(out, a.mean, bytes);
      for (void* out : {a.batch_variance, a.saved_variance})
        std::memcpy(out, a.variance, bytes);
    }
    return;
  }
  // oneDNN 2.6's backward asks for the shift memory with use_shift but does not read it (the
  // gradient op has no offset input): scale's buffer stands in.
  p->primitive.execute(stream, {{DNNL_ARG_SRC, user(data, a.x)},
                                {DNNL_ARG_MEAN, user(channel, a.mean)},
                                {DNNL_ARG_VARIANCE, user(channel, a.variance)},
                                {DNNL_ARG_DIFF_DST, user(data, a.dy)},
                                {DNNL_ARG_SCALE, user(channel, a.scale)},
                                {DNNL_ARG_SHIFT, user(channel, a.scale)},
                                {DNNL_ARG_DIFF_SRC, user(data, a.y)},
                                {DNNL_ARG_DIFF_SCALE, user(channel, a.dscale)},
                                {DNNL_ARG_DIFF_SHIFT, user(channel, a.doffset)}});
  stream.wait();
}

}  // namespace varscope::runtime::cpu
