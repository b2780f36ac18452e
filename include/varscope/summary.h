// TensorBoard's event files (tf.summary.FileWriter): the graph, scalars and histograms that
// `tensorboard --logdir <dir>` shows. Summaries are serialized tf.Summary protocol buffers,
// string scalars: built in the graph by TF1's summary ops (scalar, histogram, merge,
// merge_all), which run on the host whatever the session's device, or on the host directly
// (scalar_proto, histogram_proto); a run fetches them and add_summary writes them.
#pragma once
// The public API: exported from a library built with hidden visibility.
#pragma GCC visibility push(default)

#include <cstdint>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "varscope/graph.h"
#include "varscope/host_tensor.h"
#include "varscope/tensor.h"
#include "varscope/variable.h"

namespace varscope::summary {

// tf.compat.v1.summary.scalar: in name scope `name` (characters outside [-/\w.] become '_';
// uniquified: "loss", then "loss_1"), the string Const "<scope>/tags" holding the scope's name
// and the ScalarSummary op named by the scope, whose string scalar joins `collections`. A
// `tensor` of a dtype ScalarSummary does not take is TF's vs::TypeError; one that is not a
// scalar is TF's vs::InvalidArgumentError when the op runs. A `family` (TF's: empty is None)
// prefixes the scope ("<family>/<name>") and the tag ("<family>/<scope>").
Tensor scalar(std::string_view name,
              const Tensor& tensor,
              const std::vector<std::string>& collections = {GraphKeys::kSummaries},
              std::string_view family = {});
// tf.compat.v1.summary.histogram: the same with "<scope>/tag" and a HistogramSummary of all
// of `values`' elements (TF's default buckets); NaN or infinity is an error when it runs.
Tensor histogram(std::string_view name,
                 const Tensor& values,
                 const std::vector<std::string>& collections = {GraphKeys::kSummaries},
                 std::string_view family = {});
// tf.compat.v1.summary.merge: "<name or Merge>/MergeSummary" of the serialized summaries
// `inputs` (string tensors of one graph), joining `collections`. The merged summary has every
// input's values in order; a repeated tag is TF's vs::InvalidArgumentError when it runs.
Tensor merge(const std::vector<Tensor>& inputs,
             const std::vector<std::string>& collections = {},
             std::string_view name = {});
// tf.compat.v1.summary.merge_all: merge() of collection `key` (filtered by `scope` as
// Graph::get_collection_tensors), or std::nullopt (TF's None) when it is empty.
std::optional<Tensor> merge_all(Graph& g,
                                const std::string& key = GraphKeys::kSummaries,
                                const std::optional<std::string>& scope = {},
                                std::string_view name = {});

// tf.Summary(value=[tf.Summary.Value(tag=tag, simple_value=value)]), serialized.
std::string scalar_proto(std::string_view tag, double value);
// A tf.Summary holding the histogram of `values` as TF's histogram summary op builds it (TF's
// default buckets: ±1e-12 growing by 1.1 up to ±1e20; runs of empty buckets collapsed).
std::string histogram_proto(std::string_view tag, std::span<const double> values);
// What TF's MergeSummary op computes: one tf.Summary holding every Value of `summaries`, in
// order. Bytes that are not a Summary, or a tag seen before, are vs::InvalidArgumentError in
// TF's words.
std::string merge_protos(std::span<const std::string> summaries);

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
  // A summary fetched from the graph: a string scalar (else vs::InvalidArgumentError).
  void add_summary(const HostTensor& summary, std::int64_t global_step = 0);
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
