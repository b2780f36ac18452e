// Writing a tensor bundle as TensorFlow's BundleWriter does (data_alignment 1, no
// compression): the same tensors give the same .data and .index bytes.
#include <string>

#include "host/io/tf/bundle.h"
#include "host/io/tf/crc32c.h"
#include "host/io/tf/table.h"
#include "varscope/errors.h"

namespace varscope::io::tf {
namespace {

constexpr int kTensorBundleVersion = 1;

void set_shape(const Shape& shape, varscope::tf::TensorShapeProto* proto) {
  proto->Clear();
  for (const std::int64_t d : shape.dims())
    proto->add_dim()->set_size(d);
}

bool is_full_slice(const SliceSpec& slice, const Shape& shape) {
  for (std::size_t d = 0; d < slice.size(); ++d) {
    const SliceExtent& e = slice[d];
    if (!(e.length < 0 || (e.start == 0 && e.length == shape.dims()[d]))) return false;
  }
  return true;
}

}  // namespace

void BundleWriter::add(const std::string& key, const HostTensor& value) {
  if (key.empty()) throw InvalidArgumentError("A checkpoint key may not be empty");
  if (values_.contains(key) || sliced_.contains(key))
    throw InvalidArgumentError("Adding duplicate key: " + key);
  values_.emplace(key, &value);
}

void BundleWriter::add_slice(const std::string& full_key,
                             const Shape& full_shape,
                             const SliceSpec& slice,
                             const HostTensor& part) {
  if (slice.size() != full_shape.dims().size())
    throw InvalidArgumentError("Slice of " + full_key + " has the wrong rank");
  if (is_full_slice(slice, full_shape)) return add(full_key, part);
  if (values_.contains(full_key)) throw InvalidArgumentError("Adding duplicate key: " + full_key);
  auto& entry = sliced_[full_key];
  if (entry.has_shape() && (entry.dtype() != to_tf_dtype(part.dtype())))
    throw InvalidArgumentError("Slices of " + full_key + " differ in dtype");
  entry.set_dtype(tf_data_type(part.dtype()));
  set_shape(full_shape, entry.mutable_shape());
  auto* proto = entry.add_slices();
  for (const SliceExtent& e : slice) {
    auto* extent = proto->add_extent();
    extent->set_start(e.start);
    if (e.length >= 0) extent->set_length(e.length);
  }
  add(encode_slice_key(full_key, slice), part);
}

void BundleWriter::finish(const SinkFilter& filter) {
  // The data file: every tensor's bytes in key order, recording where each one went.
  std::map<std::string, varscope::tf::BundleEntryProto> entries = sliced_;
  write_file_atomically(
      data_filename(prefix_, 0, 1),
      [&](const ByteSink& sink) {
        std::int64_t offset = 0;
        for (const auto& [key, tensor] : values_) {
          std::string strings;  // a string tensor's encoding (the bytes below point into it)
          std::uint32_t crc = 0;
          auto bytes = std::span<const std::byte>(static_cast<const std::byte*>(tensor->raw_data()),
                                                  tensor->nbytes());
          if (tensor->dtype() == DType::kString) {
            strings = encode_strings(tensor->data<std::string>(), crc);
            bytes = std::as_bytes(std::span<const char>(strings.data(), strings.size()));
          } else {
            crc = crc32c(bytes);
          }
          auto& e = entries[key];
          e.set_dtype(tf_data_type(tensor->dtype()));
          set_shape(tensor->shape(), e.mutable_shape());
          e.set_shard_id(0);
          e.set_offset(offset);
          e.set_size(static_cast<std::int64_t>(bytes.size()));
          e.set_crc32c(crc32c_mask(crc));
          sink(bytes);
          offset += static_cast<std::int64_t>(bytes.size());
        }
      },
      filter);
  // Then the index, so that it never names data that is not there.
  write_file_atomically(
      index_filename(prefix_),
      [&](const ByteSink& sink) {
        TableWriter table(sink);
        varscope::tf::BundleHeaderProto header;
        header.set_num_shards(1);
        header.set_endianness(varscope::tf::BundleHeaderProto::LITTLE);
        header.mutable_version()->set_producer(kTensorBundleVersion);
        header.mutable_version()->set_min_consumer(0);
        table.add("", header.SerializeAsString());
        for (const auto& [key, entry] : entries)
          table.add(key, entry.SerializeAsString());
        table.finish();
      },
      filter);
}

}  // namespace varscope::io::tf
