// TensorFlow's tensor bundle, the checkpoint format V2 (tensorflow/core/util/tensor_bundle):
// `<prefix>.index`, a table (host/io/tf/table.h) mapping "" to a BundleHeaderProto and each
// tensor's name to a BundleEntryProto, and `<prefix>.data-<shard>-of-<num_shards>` files
// holding the tensors' bytes (little-endian, unaligned, at the entry's offset, with the masked
// CRC-32C of those bytes in the entry). A partitioned variable has one entry under its name
// with its full shape and a TensorSliceProto per part (no bytes of its own), and one entry
// per part under an OrderedCode key (encode_slice_key).
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "host/io/file.h"
#include "varscope/dtype.h"
#include "varscope/host_tensor.h"
#include "varscope/partitioners.h"
#include "varscope/shape.h"
#include "varscope_tf/tensor_bundle.pb.h"

namespace varscope::io::tf {

// TensorFlow's naming.cc.
std::string index_filename(const std::string& prefix);
std::string data_filename(const std::string& prefix, std::int32_t shard, std::int32_t num_shards);

// TF's DataType enum value of a varscope dtype, and back (nullopt: no varscope DType).
int to_tf_dtype(DType dtype);
// The same as the proto enum, for the messages' dtype fields.
inline ::varscope::tf::DataType tf_data_type(DType dtype) {
  return static_cast<::varscope::tf::DataType>(to_tf_dtype(dtype));
}
std::optional<DType> from_tf_dtype(int tf_dtype);
// "DT_STRING", or "DT_<number>" for a value the enum does not name.
std::string tf_dtype_name(int tf_dtype);

// One dimension of a slice: `length` -1 is the whole dimension (TF's kFullExtent).
struct SliceExtent {
  std::int64_t start = 0;
  std::int64_t length = -1;
};
using SliceSpec = std::vector<SliceExtent>;

// checkpoint::EncodeTensorNameSlice: the key of one part of a partitioned tensor.
std::string encode_slice_key(const std::string& name, const SliceSpec& slice);
SliceSpec slice_from_proto(const varscope::tf::TensorSliceProto& proto);

// Copies a part (`part`, of the shape `slice` selects) into its place in `full`.
void copy_slice_into(const SliceSpec& slice, const HostTensor& part, HostTensor& full);
// The inverse: the part of `full` that `slice` selects, into `part` (of that shape).
void copy_slice_out(const SliceSpec& slice, const HostTensor& full, HostTensor& part);
// A partitioned variable's part as a slice: TF's parse of SaveSliceInfo.spec (every extent
// explicit).
SliceSpec slice_of(const SaveSliceInfo& info);

// A string tensor's bytes in a bundle (TF's WriteStringTensor): each length as a varint64,
// the masked CRC-32C of the lengths (each as 4 bytes, 8 past 2^32), then the strings. `crc`
// receives the CRC-32C of all of it (the entry's checksum, unmasked). bundle_strings.cpp.
std::string encode_strings(std::span<const std::string> strings, std::uint32_t& crc);
// The inverse (TF's ReadStringTensor) into `out`, whose size is the element count; what is
// wrong with `bytes` when they do not hold that many strings or their lengths' checksum fails.
std::optional<std::string> decode_strings(std::string_view bytes,
                                          std::span<std::string> out,
                                          std::uint32_t& crc);

struct BundleTensorInfo {
  int tf_dtype = 0;
  std::optional<DType> dtype;  // nullopt: a dtype varscope has no DType for
  Shape shape;
};

// Opens `prefix`.index, validates the whole index (vs::DataLossError naming the problem:
// bad table, first key not "", unparseable header or entry, bad shape, size not matching
// dtype x shape, shard out of range, bytes past the end of their data file) and checks that
// every data file an entry names is there (vs::NotFoundError). Big-endian bundles and format
// versions newer than TF 1.15 reads: vs::UnimplementedError / vs::InvalidArgumentError.
class BundleReader {
 public:
  explicit BundleReader(std::string prefix);

  const std::string& prefix() const { return prefix_; }
  // Every tensor by name; the parts of partitioned tensors are not listed.
  const std::map<std::string, BundleTensorInfo>& tensors() const { return tensors_; }
  // The full value of a tensor (partitioned ones assembled from their parts), its checksums
  // verified. vs::NotFoundError for a name not there; vs::UnimplementedError for a dtype
  // varscope has no DType for.
  HostTensor read(const std::string& name) const;

 private:
  HostTensor read_entry(const std::string& key, const varscope::tf::BundleEntryProto& e) const;
  HostTensor read_strings(const std::string& key, const varscope::tf::BundleEntryProto& e) const;
  HostTensor read_sliced(const std::string& name, const varscope::tf::BundleEntryProto& e) const;
  [[noreturn]] void fail(const std::string& what) const;

  std::string prefix_;
  std::int32_t num_shards_ = 1;
  std::map<std::string, varscope::tf::BundleEntryProto> entries_;  // every key but ""
  std::map<std::string, BundleTensorInfo> tensors_;
  std::vector<std::uint64_t> shard_sizes_;  // by shard id; 0 for shards no entry names
};

// Collects tensors (and, for partitioned variables, their parts) and writes a bundle as
// TensorFlow's BundleWriter does: one data file with the tensors in key order, then the
// index; each file atomically (host/io/file.h), the data file first, so that an index is
// never visible before its data.
class BundleWriter {
 public:
  explicit BundleWriter(std::string prefix) : prefix_(std::move(prefix)) {}
  // vs::InvalidArgumentError for a duplicate key or the empty key.
  void add(const std::string& key, const HostTensor& value);
  // One part of a partitioned tensor (TF's AddSlice); a full slice is a plain add().
  void add_slice(const std::string& full_key,
                 const Shape& full_shape,
                 const SliceSpec& slice,
                 const HostTensor& part);
  void finish(const SinkFilter& filter = {});

 private:
  std::string prefix_;
  std::map<std::string, const HostTensor*> values_;               // keys of parts included
  std::map<std::string, varscope::tf::BundleEntryProto> sliced_;  // full entries of parts
};

}  // namespace varscope::io::tf
