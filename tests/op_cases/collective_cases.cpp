// The collectives' cases (src/host/graph/op_rows/collective_ops.cpp): one process standing
// in for three identical ranks, so a sum is three times the tensor and a broadcast keeps it.
#include "op_cases/op_case.h"
#include "varscope/dist.h"

namespace varscope::testing {
namespace {

class MirrorCommunicator final : public dist::Communicator {
 public:
  int rank() const override { return 0; }
  int size() const override { return 3; }
  int local_rank() const override { return 0; }
  std::string name() const override { return "mirror"; }
  void allreduce(const dist::CollectiveBuffer& b, dist::ReduceOp op) override {
    if (op != dist::ReduceOp::kSum) return;  // the average of equal tensors
    if (b.dtype == DType::kFloat32) triple(static_cast<float*>(b.data), b.count);
    if (b.dtype == DType::kFloat64) triple(static_cast<double*>(b.data), b.count);
  }
  void broadcast(const dist::CollectiveBuffer&, int) override {}
  std::vector<std::string> allgather(const std::string& mine) override {
    return {mine, mine, mine};
  }

 private:
  template <typename T>
  static void triple(T* x, std::int64_t n) {
    for (std::int64_t i = 0; i < n; ++i)
      x[i] *= 3;
  }
};

void install_mirror() {
  if (dist::communicator() == nullptr)
    dist::set_communicator(std::make_shared<MirrorCommunicator>());
}

}  // namespace

std::vector<OpCase> collective_cases() {
  using namespace cases;
  using P = const std::vector<Tensor>&;
  return {
      {.op = OpType::kHorovodAllreduce,
       .inputs = {Shape{2, 3}},
       .build = [](Graph&, P p, DType) -> OpOutput {
         install_mirror();
         return {dist::allreduce(p[0], dist::ReduceOp::kSum)};
       },
       .reference = [](const Values& v) { return map(v[0], [](double x) { return 3 * x; }); }},
      {.op = OpType::kHorovodBroadcast,
       .inputs = {Shape{4}},
       .build = [](Graph&, P p, DType) -> OpOutput {
         install_mirror();
         return {dist::broadcast(p[0], 0)};
       },
       .reference = [](const Values& v) { return v[0]; }},
  };
}

}  // namespace varscope::testing
