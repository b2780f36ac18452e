// TensorBoard event files: tf.Summary protos built on the host and tf.summary.FileWriter's
// TFRecord file of Event protos (proto/varscope_tf/event.proto).
#include "varscope/summary.h"

#include <fcntl.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cfloat>
#include <chrono>
#include <cstring>
#include <filesystem>
#include <mutex>
#include <set>
#include <vector>

#include "host/io/graph_def.h"
#include "host/io/tf/crc32c.h"
#include "varscope/errors.h"
#include "varscope_tf/event.pb.h"

namespace varscope::summary {
namespace {

namespace tfp = ::varscope::tf;

// TF's Histogram::InitDefaultBuckets: limits growing by 10% from 1e-12 to 1e20, mirrored
// for negatives, with 0 and DBL_MAX; bucket i counts values in [limit[i-1], limit[i]).
const std::vector<double>& default_bucket_limits() {
  static const std::vector<double> limits = [] {
    std::vector<double> positive;
    for (double v = 1e-12; v < 1e20; v *= 1.1)
      positive.push_back(v);
    std::vector<double> all;
    for (auto it = positive.rbegin(); it != positive.rend(); ++it)
      all.push_back(-*it);
    all.push_back(0.0);
    all.insert(all.end(), positive.begin(), positive.end());
    all.push_back(DBL_MAX);
    return all;
  }();
  return limits;
}

std::string serialized(const tfp::Summary& s) {
  std::string out;
  if (!s.SerializeToString(&out)) throw InternalError("summary: the Summary did not serialize");
  return out;
}

double wall_time() {
  using namespace std::chrono;
  return duration<double>(system_clock::now().time_since_epoch()).count();
}

std::string host_name() {
  char name[256] = {};
  if (::gethostname(name, sizeof(name) - 1) != 0) return "localhost";
  return name;
}

[[noreturn]] void os_error(const std::string& what, const std::string& path) {
  throw InternalError("FileWriter: " + what + " '" + path + "': " + std::strerror(errno));
}

// A TFRecord: the length (uint64, little-endian) and its masked CRC-32C, then the data and
// its masked CRC-32C.
void append_record(std::string& out, const std::string& data) {
  static_assert(std::endian::native == std::endian::little);
  const std::uint64_t length = data.size();
  char header[12];
  std::memcpy(header, &length, 8);
  const std::uint32_t length_crc = io::tf::crc32c_mask(io::tf::crc32c(std::string_view(header, 8)));
  std::memcpy(header + 8, &length_crc, 4);
  const std::uint32_t data_crc = io::tf::crc32c_mask(io::tf::crc32c(data));
  out.append(header, sizeof(header));
  out.append(data);
  out.append(reinterpret_cast<const char*>(&data_crc), 4);
}

}  // namespace

std::string scalar_proto(std::string_view tag, double value) {
  tfp::Summary s;
  tfp::Summary::Value* v = s.add_value();
  v->set_tag(std::string(tag));
  v->set_simple_value(static_cast<float>(value));
  return serialized(s);
}

std::string histogram_proto(std::string_view tag, std::span<const double> values) {
  const std::vector<double>& limits = default_bucket_limits();
  std::vector<double> counts(limits.size(), 0.0);
  tfp::Summary s;
  tfp::Summary::Value* v = s.add_value();
  v->set_tag(std::string(tag));
  tfp::HistogramProto* h = v->mutable_histo();
  double lo = DBL_MAX, hi = -DBL_MAX, sum = 0, sum_squares = 0;
  for (double x : values) {
    const auto bucket = std::upper_bound(limits.begin(), limits.end(), x) - limits.begin();
    counts[static_cast<std::size_t>(std::min<std::ptrdiff_t>(bucket, std::ssize(limits) - 1))] += 1;
    lo = std::min(lo, x);
    hi = std::max(hi, x);
    sum += x;
    sum_squares += x * x;
  }
  h->set_min(lo);
  h->set_max(hi);
  h->set_num(static_cast<double>(values.size()));
  h->set_sum(sum);
  h->set_sum_squares(sum_squares);
  // Histogram::EncodeToProto(preserve_zero_buckets = false): a run of empty buckets is one
  // bucket ending at the run's last limit.
  for (std::size_t i = 0; i < counts.size();) {
    double end = limits[i], count = counts[i];
    ++i;
    if (count <= 0.0) {
      while (i < counts.size() && counts[i] <= 0.0) {
        end = limits[i];
        count = counts[i];
        ++i;
      }
    }
    h->add_bucket_limit(end);
    h->add_bucket(count);
  }
  return serialized(s);
}

std::string merge_protos(std::span<const std::string> summaries) {
  tfp::Summary merged;
  std::set<std::string> tags;
  for (const std::string& bytes : summaries) {
    tfp::Summary in;
    if (bytes.size() > static_cast<std::size_t>(INT32_MAX) ||
        !in.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
      throw InvalidArgumentError("Could not parse one of the summary inputs");
    }
    for (tfp::Summary::Value& v : *in.mutable_value()) {
      if (!v.tag().empty() && !tags.insert(v.tag()).second) {
        throw InvalidArgumentError("Duplicate tag " + v.tag() + " found in summary inputs");
      }
      *merged.add_value() = std::move(v);
    }
  }
  return serialized(merged);
}

struct FileWriter::Impl {
  std::mutex mutex;
  std::string logdir, path;
  int fd = -1;
  std::string pending;  // framed records not yet written

  void add(tfp::Event& event) {
    event.set_wall_time(wall_time());
    std::string data;
    if (!event.SerializeToString(&data))
      throw InternalError("FileWriter: an event did not serialize");
    std::lock_guard lock(mutex);
    if (fd < 0) throw FailedPreconditionError("FileWriter: " + path + " is closed");
    append_record(pending, data);
  }
  void flush_locked() {
    if (fd < 0) throw FailedPreconditionError("FileWriter: " + path + " is closed");
    std::size_t done = 0;
    while (done < pending.size()) {
      const ssize_t n = ::write(fd, pending.data() + done, pending.size() - done);
      if (n < 0 && errno == EINTR) continue;
      if (n < 0) {
        pending.erase(0, done);
        os_error("cannot write", path);
      }
      done += static_cast<std::size_t>(n);
    }
    pending.clear();
  }
};

FileWriter::FileWriter(std::string_view logdir) : impl_(std::make_unique<Impl>()) {
  impl_->logdir = std::string(logdir);
  std::error_code ec;
  std::filesystem::create_directories(impl_->logdir, ec);
  if (ec) {
    throw InternalError("FileWriter: cannot create directory '" + impl_->logdir +
                        "': " + ec.message());
  }
  char seconds[32];
  std::snprintf(seconds, sizeof(seconds), "%010lld", static_cast<long long>(wall_time()));
  const std::string base = (std::filesystem::path(impl_->logdir) /
                            ("events.out.tfevents." + std::string(seconds) + "." + host_name()))
                               .string();
  for (int n = 0; impl_->fd < 0; ++n) {
    impl_->path = n == 0 ? base : base + "." + std::to_string(n);
    impl_->fd = ::open(impl_->path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0644);
    if (impl_->fd < 0 && (errno != EEXIST || n > 1000)) os_error("cannot create", impl_->path);
  }
  tfp::Event version;
  version.set_file_version("brain.Event:2");
  impl_->add(version);
  std::lock_guard lock(impl_->mutex);
  impl_->flush_locked();
}

FileWriter::FileWriter(std::string_view logdir, const Graph& graph) : FileWriter(logdir) {
  add_graph(graph);
}

FileWriter::~FileWriter() {
  try {
    close();
  } catch (...) {  // NOLINT(bugprone-empty-catch): the destructor cannot report; close() can
  }
}

void FileWriter::add_graph(const Graph& graph, std::int64_t global_step) {
  tfp::Event event;
  event.set_step(global_step);
  event.set_graph_def(io::graph_def_bytes_for_tensorboard(graph));
  impl_->add(event);
}

void FileWriter::add_summary(std::string_view serialized_summary, std::int64_t global_step) {
  tfp::Event event;
  event.set_step(global_step);
  if (serialized_summary.size() > static_cast<std::size_t>(INT32_MAX) ||
      !event.mutable_summary()->ParseFromArray(serialized_summary.data(),
                                               static_cast<int>(serialized_summary.size()))) {
    throw InvalidArgumentError("FileWriter::add_summary: the bytes are not a serialized Summary");
  }
  impl_->add(event);
}

void FileWriter::add_summary(const HostTensor& summary, std::int64_t global_step) {
  if (summary.dtype() != DType::kString || summary.shape().rank() != 0) {
    throw InvalidArgumentError("FileWriter::add_summary: a summary is a string scalar, got " +
                               std::string(dtype_name(summary.dtype())) + " of shape " +
                               summary.shape().to_string());
  }
  add_summary(std::string_view(summary.data<std::string>()[0]), global_step);
}

void FileWriter::flush() {
  std::lock_guard lock(impl_->mutex);
  impl_->flush_locked();
}

void FileWriter::close() {
  std::lock_guard lock(impl_->mutex);
  if (impl_->fd < 0) return;
  impl_->flush_locked();
  const int fd = std::exchange(impl_->fd, -1);
  if (::close(fd) != 0) os_error("cannot close", impl_->path);
}

const std::string& FileWriter::get_logdir() const {
  return impl_->logdir;
}
const std::string& FileWriter::path() const {
  return impl_->path;
}

}  // namespace varscope::summary
