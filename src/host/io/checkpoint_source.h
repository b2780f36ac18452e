// A checkpoint of either format behind one interface: the reader API (varscope/checkpoint.h),
// Saver::restore, init_from_checkpoint and varscope-diff read through it.
#pragma once

#include <exception>
#include <map>
#include <memory>
#include <new>
#include <optional>
#include <string>

#include "varscope/dtype.h"
#include "varscope/errors.h"
#include "varscope/host_tensor.h"
#include "varscope/shape.h"

namespace varscope::detail {

struct CheckpointTensorInfo {
  std::optional<DType> dtype;  // nullopt: a TF dtype varscope has none for
  std::string dtype_name;      // "float32", or TF's enum name ("DT_STRING") for those
  Shape shape;
};

class CheckpointSource {
 public:
  virtual ~CheckpointSource() = default;
  virtual const std::string& path() const = 0;
  virtual const std::map<std::string, CheckpointTensorInfo>& tensors() const = 0;
  // vs::NotFoundError "Key <name> not found in checkpoint" for a name not in tensors().
  virtual HostTensor read(const std::string& name) const = 0;
};

// Opens the checkpoint at `path` (not a directory): a `.safetensors` file, a bundle prefix,
// or (refused: vs::UnimplementedError) a V1 file; a file that is neither a bundle prefix nor a
// table is read as safetensors. Nothing at all: vs::NotFoundError with TF's text.
std::shared_ptr<const CheckpointSource> open_checkpoint(const std::string& path);

// A directory: its latest checkpoint (vs::ValueError when none, TF's text); else `path`.
std::string resolve_checkpoint_path(const std::string& ckpt_dir_or_file);

// Runs a public checkpoint call: vs::Errors pass through; std::bad_alloc becomes
// vs::ResourceExhaustedError and any other std::exception vs::InternalError, so that no
// std:: exception leaves the API.
template <typename F>
decltype(auto) checkpoint_api(F&& call) {
  try {
    return call();
  } catch (const Error&) {
    throw;
  } catch (const std::bad_alloc&) {
    throw ResourceExhaustedError("Out of memory while reading or writing a checkpoint");
  } catch (const std::exception& e) {
    throw InternalError(std::string("Unexpected error in a checkpoint call: ") + e.what());
  }
}

}  // namespace varscope::detail
