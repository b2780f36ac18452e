// HorovodAllreduce and HorovodBroadcast: the step's tensors (one, or a fused bucket of
// allreduces) copied into one buffer, one call of the process's dist::Communicator, the
// outputs aliasing that buffer. On the plan's first run the ranks first compare the plan's
// collectives (a mismatch is an error, not a hang).
#include <algorithm>
#include <string>
#include <vector>

#include "host/core/byte_size.h"
#include "host/graph/dist/collective_attrs.h"
#include "host/graph/op_defs.h"
#include "host/runtime/run_context.h"
#include "host/runtime/session_impl.h"
#include "varscope/dist.h"
#include "varscope/errors.h"

namespace varscope::detail {
namespace {

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::size_t start = 0;
  while (start < text.size()) {
    std::size_t end = text.find('\n', start);
    if (end == std::string::npos) end = text.size();
    out.push_back(text.substr(start, end - start));
    start = end + 1;
  }
  return out;
}

// Every rank's ordered collectives; the first difference names each rank's op there.
void check_fingerprints(dist::Communicator& comm, const std::string& mine) {
  const std::vector<std::string> all = comm.allgather(mine);
  if (std::all_of(all.begin(), all.end(), [&](const std::string& f) { return f == mine; })) return;
  std::vector<std::vector<std::string>> lists;
  std::size_t longest = 0;
  for (const std::string& f : all) {
    lists.push_back(lines_of(f));
    longest = std::max(longest, lists.back().size());
  }
  std::size_t first = 0;
  while (first < longest && std::all_of(lists.begin(), lists.end(), [&](const auto& l) {
           return first < l.size() && first < lists[0].size() && l[first] == lists[0][first];
         })) {
    ++first;
  }
  std::string message = "Collective ops differ across ranks at collective #" +
                        std::to_string(first) + " of this run:";
  for (std::size_t r = 0; r < lists.size(); ++r) {
    message += " rank " + std::to_string(r) + ": " +
               (first < lists[r].size() ? lists[r][first] : std::string("(none)")) +
               (r + 1 < lists.size() ? ";" : "");
  }
  throw FailedPreconditionError(message);
}

}  // namespace

void SessionImpl::execute_collective(const Step& step, std::vector<Value>& slots, RunContext& ctx) {
  const std::shared_ptr<dist::Communicator> comm = dist::communicator();
  if (comm == nullptr) {
    throw FailedPreconditionError("Horovod has not been initialized; use hvd.init().");
  }
  if (!step.fingerprint.empty() && !step.fingerprint_checked) {
    if (comm->size() > 1) check_fingerprints(*comm, step.fingerprint);
    step.fingerprint_checked = true;
  }
  if (step.fused.empty()) return;  // a bucket's member: its last step runs it
  const Node& last = graph->node(step.node);
  const DType dtype = last.outputs.at(0).dtype;
  std::vector<std::size_t> offsets;
  std::size_t total = 0;
  for (const Step::CollectiveMember& m : step.fused) {
    const Value& in = slots[static_cast<std::size_t>(m.input)];
    if (in.variable >= 0 && !variables[static_cast<std::size_t>(in.variable)].initialized) {
      throw_uninitialized(in.variable, m.node);
    }
    offsets.push_back(total);
    total += byte_size(in.shape.num_elements(), in.dtype);
  }
  std::shared_ptr<void> buffer = ctx.temporary(std::max<std::size_t>(total, 1));
  auto* base = static_cast<char*>(buffer.get());
  for (std::size_t i = 0; i < step.fused.size(); ++i) {
    const Value& in = slots[static_cast<std::size_t>(step.fused[i].input)];
    const std::size_t bytes = byte_size(in.shape.num_elements(), in.dtype);
    if (bytes > 0) ctx.backend().copy(base + offsets[i], in.data.get(), bytes);
  }
  const std::int64_t count = static_cast<std::int64_t>(total / dtype_size(dtype));
  auto call = [&](void* data, bool on_device) {
    const dist::CollectiveBuffer b{data, count, dtype, on_device, ctx.backend().native_stream()};
    if (last.op == OpType::kHorovodBroadcast) {
      const auto root = attr<std::int64_t>(last, collective_attr::kRootRank);
      if (root >= comm->size()) {
        throw InvalidArgumentError("root_rank " + std::to_string(root) + " of " + last.name +
                                   " is not a rank: there are " + std::to_string(comm->size()));
      }
      comm->broadcast(b, static_cast<int>(root));
    } else {
      const auto op = attr<std::int64_t>(last, collective_attr::kReduceOp);
      comm->allreduce(b, op == 0 ? dist::ReduceOp::kAverage : dist::ReduceOp::kSum);
    }
  };
  if (total > 0) {
    if (ctx.backend().kind() == DeviceKind::kCpu) {
      call(base, false);
    } else if (comm->accepts_device_memory()) {
      call(base, true);
    } else {  // staged through host memory: the transport takes none on the device
      std::vector<char> host(total);
      ctx.backend().copy_to_host(host.data(), base, total);
      call(host.data(), false);
      ctx.backend().copy_from_host(base, host.data(), total);
    }
  }
  for (std::size_t i = 0; i < step.fused.size(); ++i) {
    const Value& in = slots[static_cast<std::size_t>(step.fused[i].input)];
    slots[static_cast<std::size_t>(step.fused[i].output)] =
        Value{std::shared_ptr<void>(buffer, base + offsets[i]), in.dtype, in.shape, -1};
  }
}

}  // namespace varscope::detail
