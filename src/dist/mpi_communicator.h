// dist::Communicator over MPI (Open MPI): host memory, nonblocking calls polled against a
// deadline, so a rank that never joins is an error (StatusCode::kDeadlineExceeded), not a hang.
#pragma once

#include <mpi.h>

#include <mutex>
#include <string>
#include <vector>

#include "varscope/dist.h"

namespace varscope::dist {

class MpiCommunicator final : public Communicator {
 public:
  // Duplicates MPI_COMM_WORLD twice: one for the tensors, one for the fingerprints (so a
  // rank comparing fingerprints never matches another's allreduce).
  MpiCommunicator(int local_rank, double timeout_seconds);
  ~MpiCommunicator() override;
  int rank() const override { return rank_; }
  int size() const override { return size_; }
  int local_rank() const override { return local_rank_; }
  std::string name() const override { return "MPI"; }
  void allreduce(const CollectiveBuffer& buffer, ReduceOp op) override;
  void broadcast(const CollectiveBuffer& buffer, int root) override;
  std::vector<std::string> allgather(const std::string& mine) override;
  // The bytes of `size` as one MPI broadcast from `root` (NCCL's unique id), blocking.
  void broadcast_bytes(void* data, int size, int root);
  // After a timeout a collective is still pending: MPI cannot be finalized cleanly.
  bool broken() const { return broken_; }
  // The collectives' timeout (InitOptions::timeout_seconds, VARSCOPE_DIST_TIMEOUT_S); the
  // NCCL path polls against it too.
  double timeout_seconds() const { return timeout_seconds_; }

 private:
  // Polls against the timeout until `request` completes (E242 when it does not).
  void wait(MPI_Request& request, const char* what);
  // Until at least one of `requests` completes; the completed ones are removed. The timeout
  // counts from the call: a pipeline that keeps completing chunks never expires.
  void wait_some(std::vector<MPI_Request>& requests, const char* what);
  void check_usable() const;
  MPI_Comm data_ = MPI_COMM_NULL, control_ = MPI_COMM_NULL;
  int rank_ = 0, size_ = 1, local_rank_ = 0;
  double timeout_seconds_;
  bool broken_ = false;
  std::mutex mu_;  // one collective at a time (sessions may run on several threads)
};

// Throws vs::UnavailableError with MPI's text when rc is not MPI_SUCCESS.
void check_mpi(int rc, const char* call);

}  // namespace varscope::dist
