# ctest unit.find_package, unit.package, unit.add_subdirectory: weave used from
# outside. cmake/consumer, a project with its own lock-free ring, a model check
# of it and a buggy twin, is configured against weave, built, and its checks
# run through its own ctest (labels model and model-buggy). weave comes
#   find_package      from `cmake --install` of this build tree into a scratch prefix
#   package           from the .deb CPack makes of this build tree, unpacked into a
#                     scratch root (dpkg-deb -x); weave.pc is tried there too
#   add_subdirectory  as a subproject, from the source tree
# Arguments: -DHOW=<way> -DBIN=<build tree> -DSRC=<source tree> -DCXX=<c++ compiler>
#            -DCHECKER=ON|OFF (whether this build has the checker)
set(work ${BIN}/consumer_test/${HOW})
file(REMOVE_RECURSE ${work})
get_filename_component(cmake_bin ${CMAKE_COMMAND} DIRECTORY)

# step(command...): runs it, stops the test if it fails; its output in `out`.
function(step)
  execute_process(COMMAND ${ARGN} RESULT_VARIABLE rc OUTPUT_VARIABLE o ERROR_VARIABLE o)
  if(NOT rc EQUAL 0)
    string(REPLACE ";" " " cmd "${ARGN}")
    message(FATAL_ERROR "${HOW}: failed at: ${cmd}\n${o}")
  endif()
  set(out "${o}" PARENT_SCOPE)
endfunction()

# The .deb of this build tree, its dependencies checked, unpacked in ${work}/root.
function(unpack_deb)
  step(${cmake_bin}/cpack --config ${BIN}/CPackConfig.cmake -G DEB -B ${work}/out)
  file(GLOB deb ${work}/out/*.deb)
  step(dpkg-deb --field ${deb} Depends)
  if(NOT out MATCHES "libboost-context-dev")
    message(FATAL_ERROR "${deb} does not depend on libboost-context-dev: ${out}")
  endif()
  step(dpkg-deb -x ${deb} ${work}/root)
endfunction()

# The consumer's checks built by hand with the flags of weave.pc from the .deb.
function(build_with_pkg_config)
  file(GLOB_RECURSE pc ${work}/root/*/weave.pc)
  get_filename_component(pc_dir "${pc}" DIRECTORY)
  step(${CMAKE_COMMAND} -E env PKG_CONFIG_PATH=${pc_dir} pkg-config --cflags --libs weave)
  string(STRIP "${out}" flags)
  separate_arguments(flags UNIX_COMMAND "${flags}")
  step(${CXX} -std=c++20 ${SRC}/cmake/consumer/ring_checks.cpp ${flags} -o ${work}/ring_checks_pc)
  step(${work}/ring_checks_pc)  # exit status 0: every verdict as declared
endfunction()

set(configure ${CMAKE_COMMAND} -S ${SRC}/cmake/consumer -B ${work}/build -DCMAKE_CXX_COMPILER=${CXX}
              -DWITH_CHECKS=${CHECKER})
if(HOW STREQUAL "find_package")
  step(${CMAKE_COMMAND} --install ${BIN} --prefix ${work}/prefix)
  step(${configure} -DCMAKE_PREFIX_PATH=${work}/prefix)
elseif(HOW STREQUAL "package")
  unpack_deb()
  step(${configure} -DCMAKE_PREFIX_PATH=${work}/root/usr)
elseif(HOW STREQUAL "add_subdirectory")
  step(${configure} -DWEAVE_SOURCE_DIR=${SRC})
else()
  message(FATAL_ERROR "HOW=${HOW}: find_package, package or add_subdirectory")
endif()
step(${CMAKE_COMMAND} --build ${work}/build --parallel 2)
set(ctest ${cmake_bin}/ctest --test-dir ${work}/build --output-on-failure --no-tests=error)
step(${ctest} -R "^hardware$")
if(CHECKER)
  # Each label runs exactly its check, found with the declared verdict.
  foreach(pair "model;ring_hands_over_in_order" "model-buggy;ring_twin_relaxed_publish")
    list(GET pair 0 label)
    list(GET pair 1 check)
    step(${ctest} -L "^${label}$")
    if(NOT out MATCHES "model\\.${check} [.]+ +Passed" OR NOT out MATCHES "100% tests passed, 0 tests failed out of 1")
      message(FATAL_ERROR "${HOW}: ctest -L ${label} did not run model.${check} alone:\n${out}")
    endif()
  endforeach()
  # The runner's own account: both checks ran, each with its declared verdict.
  step(${work}/build/ring_checks --json ${work}/ring_checks.json)
  file(READ ${work}/ring_checks.json results)
  foreach(i 0 1)
    string(JSON name GET "${results}" checks ${i} name)
    string(JSON found GET "${results}" checks ${i} found)
    string(JSON executions GET "${results}" checks ${i} executions)
    list(APPEND seen "${name}=${found}")
    if(executions LESS 1)
      message(FATAL_ERROR "${HOW}: ${name} explored no execution")
    endif()
  endforeach()
  if(NOT seen STREQUAL "ring_hands_over_in_order=pass;ring_twin_relaxed_publish=data_race")
    message(FATAL_ERROR "${HOW}: ring_checks --json says ${seen}")
  endif()
  if(HOW STREQUAL "package")
    build_with_pkg_config()
  endif()
endif()
message(STATUS "${HOW}: the consumer built against weave and its checks ran")
