// Errors: every varscope failure is a vs::Error carrying a TensorFlow status code.
// Python's ValueError/TypeError/RuntimeError keep their names; runtime failures use
// the tf.errors class names. Message texts are TensorFlow's, word for word.
#pragma once
// The public API: exported from a library built with hidden visibility.
#pragma GCC visibility push(default)

#include <stdexcept>
#include <string>
#include <string_view>

namespace varscope {

// TensorFlow's error codes (tensorflow/core/protobuf/error_codes.proto), same numbers.
enum class StatusCode : int {
  kOk = 0,
  kCancelled = 1,
  kUnknown = 2,
  kInvalidArgument = 3,
  kDeadlineExceeded = 4,
  kNotFound = 5,
  kAlreadyExists = 6,
  kPermissionDenied = 7,
  kResourceExhausted = 8,
  kFailedPrecondition = 9,
  kAborted = 10,
  kOutOfRange = 11,
  kUnimplemented = 12,
  kInternal = 13,
  kUnavailable = 14,
  kDataLoss = 15,
  kUnauthenticated = 16,
};

// "INVALID_ARGUMENT", "NOT_FOUND", ... as TensorFlow spells them.
std::string_view status_code_name(StatusCode code);

class Error : public std::runtime_error {
 public:
  Error(StatusCode code, const std::string& message) : std::runtime_error(message), code_(code) {}
  StatusCode code() const noexcept { return code_; }

 private:
  StatusCode code_;
};

// Python-side errors of TF's graph-building API.
class ValueError : public Error {
 public:
  explicit ValueError(const std::string& m) : Error(StatusCode::kInvalidArgument, m) {}
};
class TypeError : public Error {
 public:
  explicit TypeError(const std::string& m) : Error(StatusCode::kInvalidArgument, m) {}
};
// Misuse of the graph's state, e.g. scopes exited out of order.
class RuntimeError : public Error {
 public:
  explicit RuntimeError(const std::string& m) : Error(StatusCode::kFailedPrecondition, m) {}
};

// tf.errors.* raised while running a graph.
class InvalidArgumentError : public Error {
 public:
  explicit InvalidArgumentError(const std::string& m) : Error(StatusCode::kInvalidArgument, m) {}
};
class NotFoundError : public Error {
 public:
  explicit NotFoundError(const std::string& m) : Error(StatusCode::kNotFound, m) {}
};
class AlreadyExistsError : public Error {
 public:
  explicit AlreadyExistsError(const std::string& m) : Error(StatusCode::kAlreadyExists, m) {}
};
class FailedPreconditionError : public Error {
 public:
  explicit FailedPreconditionError(const std::string& m)
      : Error(StatusCode::kFailedPrecondition, m) {}
};
class ResourceExhaustedError : public Error {
 public:
  explicit ResourceExhaustedError(const std::string& m)
      : Error(StatusCode::kResourceExhausted, m) {}
};
class UnimplementedError : public Error {
 public:
  explicit UnimplementedError(const std::string& m) : Error(StatusCode::kUnimplemented, m) {}
};
class InternalError : public Error {
 public:
  explicit InternalError(const std::string& m) : Error(StatusCode::kInternal, m) {}
};
class UnavailableError : public Error {
 public:
  explicit UnavailableError(const std::string& m) : Error(StatusCode::kUnavailable, m) {}
};
class DataLossError : public Error {
 public:
  explicit DataLossError(const std::string& m) : Error(StatusCode::kDataLoss, m) {}
};

}  // namespace varscope

#pragma GCC visibility pop
