#include "dist/mpi_communicator.h"

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <thread>

#include "varscope/errors.h"

namespace varscope::dist {
namespace {

// An allreduce's pipeline: chunks of this many bytes, this many in flight.
constexpr std::int64_t kAllreduceChunkBytes = std::int64_t{4} << 20;
constexpr std::size_t kAllreduceChunksInFlight = 4;

// The MPI type of an allreduce's elements; float16/bfloat16 have none in MPI.
MPI_Datatype mpi_type(DType dtype) {
  switch (dtype) {
    case DType::kFloat32:
      return MPI_FLOAT;
    case DType::kFloat64:
      return MPI_DOUBLE;
    case DType::kInt32:
      return MPI_INT32_T;
    case DType::kInt64:
      return MPI_INT64_T;
    case DType::kInt8:
      return MPI_INT8_T;
    case DType::kUInt8:
      return MPI_UINT8_T;
    default:
      throw UnimplementedError("HorovodAllreduce over MPI on " + std::string(dtype_name(dtype)));
  }
}

// Horovod's Average: the sum divided by the number of ranks, on every rank alike.
template <typename T>
void divide(void* data, std::int64_t count, int size) {
  auto* x = static_cast<T*>(data);
  for (std::int64_t i = 0; i < count; ++i)
    x[i] = static_cast<T>(x[i] / static_cast<T>(size));
}

}  // namespace

void check_mpi(int rc, const char* call) {
  if (rc == MPI_SUCCESS) return;
  char text[MPI_MAX_ERROR_STRING];
  int length = 0;
  MPI_Error_string(rc, text, &length);
  throw UnavailableError(std::string(call) + " failed: " + std::string(text, length));
}

MpiCommunicator::MpiCommunicator(int local_rank, double timeout_seconds)
    : local_rank_(local_rank), timeout_seconds_(timeout_seconds) {
  check_mpi(MPI_Comm_dup(MPI_COMM_WORLD, &data_), "MPI_Comm_dup");
  check_mpi(MPI_Comm_dup(MPI_COMM_WORLD, &control_), "MPI_Comm_dup");
  for (MPI_Comm c : {data_, control_})
    check_mpi(MPI_Comm_set_errhandler(c, MPI_ERRORS_RETURN), "MPI_Comm_set_errhandler");
  check_mpi(MPI_Comm_rank(data_, &rank_), "MPI_Comm_rank");
  check_mpi(MPI_Comm_size(data_, &size_), "MPI_Comm_size");
}

MpiCommunicator::~MpiCommunicator() {
  if (broken_) return;  // a pending request: freeing would wait for it
  MPI_Comm_free(&data_);
  MPI_Comm_free(&control_);
}

void MpiCommunicator::check_usable() const {
  if (broken_) {
    throw FailedPreconditionError(
        "A collective timed out earlier; this process's MPI communicator can no longer be used");
  }
}

void MpiCommunicator::wait(MPI_Request& request, const char* what) {
  std::vector<MPI_Request> one = {request};
  wait_some(one, what);
  request = MPI_REQUEST_NULL;
}

void MpiCommunicator::wait_some(std::vector<MPI_Request>& requests, const char* what) {
  const auto deadline =
      std::chrono::steady_clock::now() + std::chrono::duration<double>(timeout_seconds_);
  auto pause = std::chrono::microseconds(1);
  std::vector<int> done(requests.size());
  for (;;) {
    int count = 0;
    check_mpi(MPI_Testsome(static_cast<int>(requests.size()), requests.data(), &count, done.data(),
                           MPI_STATUSES_IGNORE),
              "MPI_Testsome");
    if (count > 0) {  // MPI_Testsome set them to MPI_REQUEST_NULL
      std::erase(requests, MPI_REQUEST_NULL);
      return;
    }
    if (std::chrono::steady_clock::now() > deadline) {
      broken_ = true;
      throw Error(StatusCode::kDeadlineExceeded,
                  std::string(what) + " did not complete on all " + std::to_string(size_) +
                      " ranks within " + std::to_string(timeout_seconds_) + " s (rank " +
                      std::to_string(rank_) + "): a rank is running other collectives, or none");
    }
    std::this_thread::sleep_for(pause);
    pause = std::min(pause * 2, std::chrono::microseconds(200));
  }
}

void MpiCommunicator::allreduce(const CollectiveBuffer& buffer, ReduceOp op) {
  if (buffer.on_device) throw InternalError("MPI allreduce was handed device memory");
  std::lock_guard<std::mutex> lock(mu_);
  check_usable();
  const MPI_Datatype type = mpi_type(buffer.dtype);
  if (buffer.count > INT32_MAX) throw UnimplementedError("An MPI allreduce of over 2^31 elements");
  // A large buffer goes as pipelined chunks: Open MPI moves a nonblocking collective only
  // inside MPI calls, and one large MPI_Iallreduce ran at about 0.6x the blocking call
  // (bench/RESULTS.md); several chunks in flight keep both ranks busy. Every rank cuts the
  // same chunks, and MPI matches nonblocking collectives in the order they start.
  const std::int64_t per_chunk = std::max<std::int64_t>(
      1, kAllreduceChunkBytes / static_cast<std::int64_t>(dtype_size(buffer.dtype)));
  auto* base = static_cast<char*>(buffer.data);
  std::vector<MPI_Request> in_flight;
  std::int64_t next = 0;
  while (next < buffer.count || !in_flight.empty()) {
    while (next < buffer.count && in_flight.size() < kAllreduceChunksInFlight) {
      const std::int64_t n = std::min(per_chunk, buffer.count - next);
      MPI_Request request;
      check_mpi(MPI_Iallreduce(MPI_IN_PLACE,
                               base + next * static_cast<std::int64_t>(dtype_size(buffer.dtype)),
                               static_cast<int>(n), type, MPI_SUM, data_, &request),
                "MPI_Iallreduce");
      in_flight.push_back(request);
      next += n;
    }
    wait_some(in_flight, "MPI_Iallreduce");
  }
  if (op != ReduceOp::kAverage || size_ == 1) return;
  switch (buffer.dtype) {
    case DType::kFloat32:
      return divide<float>(buffer.data, buffer.count, size_);
    case DType::kFloat64:
      return divide<double>(buffer.data, buffer.count, size_);
    case DType::kInt32:
      return divide<std::int32_t>(buffer.data, buffer.count, size_);
    case DType::kInt64:
      return divide<std::int64_t>(buffer.data, buffer.count, size_);
    case DType::kInt8:
      return divide<std::int8_t>(buffer.data, buffer.count, size_);
    default:
      return divide<std::uint8_t>(buffer.data, buffer.count, size_);
  }
}

void MpiCommunicator::broadcast(const CollectiveBuffer& buffer, int root) {
  if (buffer.on_device) throw InternalError("MPI broadcast was handed device memory");
  std::lock_guard<std::mutex> lock(mu_);
  check_usable();
  const std::size_t bytes = static_cast<std::size_t>(buffer.count) * dtype_size(buffer.dtype);
  if (bytes > INT32_MAX) throw UnimplementedError("An MPI broadcast of over 2^31 bytes");
  MPI_Request request;
  check_mpi(MPI_Ibcast(buffer.data, static_cast<int>(bytes), MPI_BYTE, root, data_, &request),
            "MPI_Ibcast");
  wait(request, "MPI_Ibcast");
}

void MpiCommunicator::broadcast_bytes(void* data, int size, int root) {
  std::lock_guard<std::mutex> lock(mu_);
  check_usable();
  MPI_Request request;
  check_mpi(MPI_Ibcast(data, size, MPI_BYTE, root, control_, &request), "MPI_Ibcast");
  wait(request, "MPI_Ibcast");
}

std::vector<std::string> MpiCommunicator::allgather(const std::string& mine) {
  std::lock_guard<std::mutex> lock(mu_);
  check_usable();
  if (mine.size() > INT32_MAX) throw UnimplementedError("A fingerprint of over 2^31 bytes");
  const int length = static_cast<int>(mine.size());
  std::vector<int> lengths(static_cast<std::size_t>(size_));
  MPI_Request request;
  check_mpi(MPI_Iallgather(&length, 1, MPI_INT, lengths.data(), 1, MPI_INT, control_, &request),
            "MPI_Iallgather");
  wait(request, "The collectives' fingerprint exchange (MPI_Iallgather)");
  std::vector<int> displacements(lengths.size());
  std::int64_t total = 0;
  for (std::size_t r = 0; r < lengths.size(); ++r) {
    displacements[r] = static_cast<int>(total);
    total += lengths[r];
  }
  if (total > INT32_MAX) throw UnimplementedError("Fingerprints of over 2^31 bytes");
  std::string all(static_cast<std::size_t>(total), '\0');
  check_mpi(MPI_Iallgatherv(mine.data(), length, MPI_CHAR, all.data(), lengths.data(),
                            displacements.data(), MPI_CHAR, control_, &request),
            "MPI_Iallgatherv");
  wait(request, "The collectives' fingerprint exchange (MPI_Iallgatherv)");
  std::vector<std::string> out;
  for (std::size_t r = 0; r < lengths.size(); ++r)
    out.push_back(all.substr(static_cast<std::size_t>(displacements[r]),
                             static_cast<std::size_t>(lengths[r])));
  return out;
}

}  // namespace varscope::dist
