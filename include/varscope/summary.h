// TensorBoard's event files (tf.summary.FileWriter): the graph, scalars and histograms that
// `tensorboard --logdir <dir>` shows. Summaries are serialized tf.Summary protocol buffers,
// as TF1 hands them to add_summary; varscope builds them on the host (there are no summary
// ops in the graph yet: docs/differences.md).
#pragma once
// The public API: exported from a library built with hidden visibility.
#pragma GCC visibility push(default)

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "varscope/graph.h"

namespace varscope::summary {

// tf.Summary(value=[tf.Summary.Value(tag=tag, simple_value=value)]), serialized.
std::string scalar_proto(std::string_view tag, double value);
// A tf.Summary holding the histogram of `values` as TF's histogram summary op builds it (TF's
// default buckets: ±1e-12 growing by 1.1 up to ±1e20; runs of empty buckets collapsed).
std::string histogram_proto(std::string_view tag, std::span<const double> values);

// tf.summary.FileWriter: creates `logdir` (and its parents) when missing and a new event file
// in it, "events.out.tfevents.<seconds>.<host>" (".<n>" appended if that name is taken),
// whose first record is the file version. Records are TFRecords (length, data, each with a
// masked CRC-32C). Events are written by flush(), close() and the destructor. OS failures are
// vs::InternalError naming the file. May be called from several threads.
class FileWriter {
 public:
  explicit FileWriter(std::string_view logdir);
  // And add_graph(graph) at once, as TF's FileWriter(logdir, graph).
  FileWriter(std::string_view logdir, const Graph& graph);
  ~FileWriter();  // flushes and closes; a failure then is not reported (call close() to see it)
  FileWriter(const FileWriter&) = delete;
  FileWriter& operator=(const FileWriter&) = delete;

  // The graph's GraphDef (write_graph's bytes), which TensorBoard's graph tab draws grouped
  // by name scope; varscope's own gradient helpers, which write_graph refuses, are drawn
  // under their own op types (SumToShape, BroadcastToShape).
  void add_graph(const Graph& graph, std::int64_t global_step = 0);
  // A serialized tf.Summary at `global_step`; bytes that are not one are
  // vs::InvalidArgumentError and nothing is added.
  void add_summary(std::string_view serialized_summary, std::int64_t global_step = 0);
  void flush();
  // Flushes and closes the file (again: nothing); a later add or flush is
  // vs::FailedPreconditionError.
  void close();

  const std::string& get_logdir() const;
  const std::string& path() const;  // the event file

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace varscope::summary

#pragma GCC visibility pop
