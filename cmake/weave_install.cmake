# What `cmake --install` (and the packages) put in place: the primitives'
# headers, the checker's header and static libraries, the CMake package
# (find_package(weave): weave::primitives, weave::checker, weave::checker_main,
# weave_add_model_checks) and weave.pc for pkg-config.
include(CMakePackageConfigHelpers)
set(WEAVE_CMAKE_DIR ${CMAKE_INSTALL_LIBDIR}/cmake/weave)

install(DIRECTORY ${PROJECT_SOURCE_DIR}/primitives/weave DESTINATION ${CMAKE_INSTALL_INCLUDEDIR})
install(TARGETS weave_primitives EXPORT weaveTargets)
set(WEAVE_PC_LIBS "-pthread")
if(WEAVE_BUILD_MODELS)
  install(FILES ${PROJECT_SOURCE_DIR}/models/checker/include/weave/model.hpp
          DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/weave)
  install(TARGETS weave_checker weave_checker_main EXPORT weaveTargets)
  # checker_main first: a program without a main of its own takes the runner's.
  set(WEAVE_PC_LIBS "-L\${libdir} -lweave_checker_main -lweave_checker -lboost_context -pthread")
endif()
install(EXPORT weaveTargets NAMESPACE weave:: DESTINATION ${WEAVE_CMAKE_DIR})

configure_package_config_file(${PROJECT_SOURCE_DIR}/cmake/weaveConfig.cmake.in
  ${PROJECT_BINARY_DIR}/weaveConfig.cmake INSTALL_DESTINATION ${WEAVE_CMAKE_DIR})
write_basic_package_version_file(${PROJECT_BINARY_DIR}/weaveConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES ${PROJECT_BINARY_DIR}/weaveConfig.cmake ${PROJECT_BINARY_DIR}/weaveConfigVersion.cmake
              ${PROJECT_SOURCE_DIR}/cmake/weave_add_model_checks.cmake
        DESTINATION ${WEAVE_CMAKE_DIR})

# weave.pc finds its prefix from its own place, so an unpacked tree works too.
set(WEAVE_PC_DIR ${CMAKE_INSTALL_LIBDIR}/pkgconfig)
file(RELATIVE_PATH WEAVE_PC_TO_PREFIX /root/${WEAVE_PC_DIR} /root)
configure_file(${PROJECT_SOURCE_DIR}/cmake/weave.pc.in ${PROJECT_BINARY_DIR}/weave.pc @ONLY)
install(FILES ${PROJECT_BINARY_DIR}/weave.pc DESTINATION ${WEAVE_PC_DIR})
