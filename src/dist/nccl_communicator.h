// dist::Communicator for CUDA sessions: device buffers through NCCL on the session's stream,
// host buffers (and NCCL's bootstrap) through MPI. libnccl.so.2 is opened on first use, as
// the CUDA backend opens cuBLAS and cuDNN; built only with the CUDA backend.
#pragma once

#include <memory>

#include "dist/mpi_communicator.h"

namespace varscope::dist {

std::shared_ptr<Communicator> make_nccl_communicator(std::shared_ptr<MpiCommunicator> mpi);

}  // namespace varscope::dist
