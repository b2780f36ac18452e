// dist::init() under the environment dist_env_test.cpp gives it (a launcher's variables are
// the application's: only a child process may be started with them). Prints one line:
// "process <mpirun's rank>: ok <rank>/<size> local <local rank>" or
// "process <r>: <STATUS>: <text> (initialized: no)", then whether MPI is running.
#include <mpi.h>

#include <cstdlib>
#include <iostream>
#include <string>

#include "varscope/dist.h"
#include "varscope/errors.h"

namespace vs = varscope;

int main(int argc, char** argv) {
  vs::dist::InitOptions options;
  if (argc > 1 && std::string(argv[1]) == "zero-timeout") options.timeout_seconds = 0;
  const char* launched_as = std::getenv("OMPI_COMM_WORLD_RANK");
  std::string line = std::string("process ") + (launched_as != nullptr ? launched_as : "0") + ": ";
  try {
    vs::dist::init(options);
    line += "ok " + std::to_string(vs::dist::rank()) + "/" + std::to_string(vs::dist::size()) +
            " local " + std::to_string(vs::dist::local_rank());
  } catch (const vs::Error& e) {
    line += std::string(vs::status_code_name(e.code())) + ": " + e.what() +
            (vs::dist::is_initialized() ? " (initialized: yes)" : " (initialized: no)");
  }
  int running = 0;
  MPI_Initialized(&running);
  line += running != 0 ? "; MPI started\n" : "; MPI not started\n";
  std::cout << line << std::flush;  // one write: the ranks' lines do not interleave
  return 0;
}
