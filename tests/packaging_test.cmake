# Installs the build tree into a fresh prefix, then configures, builds and runs
# tests/consumer against it with find_package(varscope CONFIG REQUIRED); with
# CUDA_COMPILER set, tests/consumer_cuda too (a .cu file: it builds without a GPU, and runs
# its kernel only where one is usable, printing "skip" otherwise); with MPIEXEC set,
# tests/consumer_dist (find_package(varscope COMPONENTS dist)) under mpirun -np 1.
file(REMOVE_RECURSE ${WORK_DIR})
set(prefix ${WORK_DIR}/prefix)
set(consumer_build ${WORK_DIR}/consumer-build)

function(run_step)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "step failed (${rc}): ${ARGN}\n${out}\n${err}")
  endif()
  message(STATUS "${out}")
endfunction()

set(config_args)
if(CONFIG)
  set(config_args --config ${CONFIG})
endif()
# Installed in one place and used from another: the package must be relocatable.
run_step(${CMAKE_COMMAND} --install ${VARSCOPE_BUILD_DIR} --prefix ${WORK_DIR}/installed
         ${config_args})
file(RENAME ${WORK_DIR}/installed ${prefix})
file(GLOB_RECURSE package_files ${prefix}/lib/cmake/*.cmake)
foreach(f ${package_files})
  file(READ ${f} text)
  string(FIND "${text}" "${WORK_DIR}" at)
  if(NOT at EQUAL -1)
    message(FATAL_ERROR "${f} names the install prefix: the package is not relocatable")
  endif()
endforeach()
run_step(${CMAKE_COMMAND} -S ${CONSUMER_SOURCE_DIR} -B ${consumer_build}
         -G Ninja -DCMAKE_PREFIX_PATH=${prefix} -DCMAKE_BUILD_TYPE=Release)
run_step(${CMAKE_COMMAND} --build ${consumer_build})
run_step(${consumer_build}/consumer)

# With varscope::dist installed: a project asking for COMPONENTS dist, run on one MPI rank.
if(MPIEXEC)
  set(dist_build ${WORK_DIR}/consumer-dist-build)
  run_step(${CMAKE_COMMAND} -S ${CONSUMER_DIST_SOURCE_DIR} -B ${dist_build}
           -G Ninja -DCMAKE_PREFIX_PATH=${prefix} -DCMAKE_BUILD_TYPE=Release)
  run_step(${CMAKE_COMMAND} --build ${dist_build})
  run_step(${MPIEXEC} --allow-run-as-root --oversubscribe -np 1 ${dist_build}/consumer_dist)
endif()

if(CUDA_COMPILER)
  set(cuda_build ${WORK_DIR}/consumer-cuda-build)
  run_step(${CMAKE_COMMAND} -S ${CONSUMER_CUDA_SOURCE_DIR} -B ${cuda_build} -G Ninja
           -DCMAKE_PREFIX_PATH=${prefix} -DCMAKE_CUDA_COMPILER=${CUDA_COMPILER})
  run_step(${CMAKE_COMMAND} --build ${cuda_build})
  run_step(${cuda_build}/consumer_cuda)
  # Again as a project that requires its C++ standard (the README's note for CUDA apps).
  run_step(${CMAKE_COMMAND} -S ${CONSUMER_CUDA_SOURCE_DIR} -B ${cuda_build}-required -G Ninja
           -DCMAKE_PREFIX_PATH=${prefix} -DCMAKE_CUDA_COMPILER=${CUDA_COMPILER}
           -DREQUIRE_STANDARDS=ON)
  run_step(${CMAKE_COMMAND} --build ${cuda_build}-required)
endif()
