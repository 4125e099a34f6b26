# ctest unit.find_package: install the build tree into a scratch prefix, then
# configure, build and run cmake/consumer against it with find_package(weave).
# Arguments: -DBIN=<build tree> -DSRC=<source tree> -DCXX=<c++ compiler>
set(work ${BIN}/find_package_test)
file(REMOVE_RECURSE ${work})
foreach(step
    "${CMAKE_COMMAND};--install;${BIN};--prefix;${work}/prefix"
    "${CMAKE_COMMAND};-S;${SRC}/cmake/consumer;-B;${work}/build;-DCMAKE_PREFIX_PATH=${work}/prefix;-DCMAKE_CXX_COMPILER=${CXX}"
    "${CMAKE_COMMAND};--build;${work}/build"
    "${work}/build/c")
  execute_process(COMMAND ${step} RESULT_VARIABLE rc OUTPUT_VARIABLE out ERROR_VARIABLE out)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "find_package test failed at: ${step}\n${out}")
  endif()
endforeach()
message(STATUS "find_package(weave) consumer built and ran")
