// Tensor files, on their own (no graph, no session):
//   read_safetensors / write_safetensors: named tensors of any dtype in one safetensors file.
//   read_npy / write_npy: one tensor as a NumPy .npy v1.0 file, for golden files.
// Writes are atomic: the bytes go to a temp file in the same directory, which is fsync'ed and
// renamed over the target, so a failed or interrupted write leaves the old file intact.
// Reads validate the whole file before returning anything. Errors:
//   vs::DataLossError         a corrupt or truncated file, naming the problem
//   vs::NotFoundError         a missing file
//   vs::InvalidArgumentError  a tensor the format cannot hold (bfloat16 in .npy, a tensor
//                             named __metadata__ in safetensors)
//   vs::UnimplementedError    a well-formed file holding a dtype varscope has no DType for
//   vs::InternalError         an OS failure, naming the call, the path and the OS error
#pragma once
// The public API: exported from a library built with hidden visibility.
#pragma GCC visibility push(default)

#include <map>
#include <string>

#include "varscope/host_tensor.h"

namespace varscope {

// The tensors of a safetensors file by name, after validating the whole file (header size,
// JSON, dtype strings, shapes, offsets contiguous from 0 and in bounds, byte lengths).
std::map<std::string, HostTensor> read_safetensors(const std::string& path);
// Its __metadata__ (empty when absent); validates the header as read_safetensors does.
std::map<std::string, std::string> read_safetensors_metadata(const std::string& path);
// Writes tensors (keyed by name, any dtype varscope has) atomically. Entries are laid out as
// the reference writer does: by element size descending, then name, with the header
// space-padded so that every tensor is aligned to its element size.
void write_safetensors(const std::string& path,
                       const std::map<std::string, HostTensor>& tensors,
                       const std::map<std::string, std::string>& metadata = {});

// One tensor as .npy v1.0, byte for byte what numpy.save writes for the same array (C order,
// little-endian). bfloat16 has no NumPy dtype: vs::InvalidArgumentError.
void write_npy(const std::string& path, const HostTensor& tensor);
// Reads .npy v1.0/2.0/3.0 of a dtype varscope has; Fortran order and big-endian data are
// converted to C order and host order.
HostTensor read_npy(const std::string& path);

}  // namespace varscope

#pragma GCC visibility pop
