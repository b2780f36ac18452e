include(GNUInstallDirs)
include(CMakePackageConfigHelpers)

set(varscope_cmake_dir ${CMAKE_INSTALL_LIBDIR}/cmake/varscope)
install(TARGETS varscope EXPORT varscopeTargets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
        LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
        RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(DIRECTORY include/varscope DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(EXPORT varscopeTargets NAMESPACE varscope:: DESTINATION ${varscope_cmake_dir})
# varscope::dist in an export set of its own: only find_package(varscope COMPONENTS dist)
# asks for MPI.
set(varscope_has_dist OFF)
if(VARSCOPE_BUILD_DIST)
  set(varscope_has_dist ON)
  install(TARGETS varscope_dist EXPORT varscopeDistTargets
          ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR}
          LIBRARY DESTINATION ${CMAKE_INSTALL_LIBDIR}
          RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
  install(EXPORT varscopeDistTargets NAMESPACE varscope:: DESTINATION ${varscope_cmake_dir})
endif()

configure_package_config_file(cmake/varscopeConfig.cmake.in
                              ${CMAKE_CURRENT_BINARY_DIR}/varscopeConfig.cmake
                              INSTALL_DESTINATION ${varscope_cmake_dir})
write_basic_package_version_file(${CMAKE_CURRENT_BINARY_DIR}/varscopeConfigVersion.cmake
                                 COMPATIBILITY SameMajorVersion)
install(FILES ${CMAKE_CURRENT_BINARY_DIR}/varscopeConfig.cmake
              ${CMAKE_CURRENT_BINARY_DIR}/varscopeConfigVersion.cmake
              ${PROJECT_SOURCE_DIR}/cmake/FindRE2.cmake
              cmake/varscopeCudaStandard.cmake
        DESTINATION ${varscope_cmake_dir})
