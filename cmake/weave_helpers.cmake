# Small helpers shared by every CMakeLists.txt of weave.

# weave_warnings(target): the project's warning set, as errors with WEAVE_WERROR.
function(weave_warnings target)
  target_compile_options(${target} PRIVATE -Wall -Wextra -Wpedantic -Wshadow
    -Wnon-virtual-dtor -Wold-style-cast -Wcast-align -Wnull-dereference)
  if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
    # g++ 12 at -O3 reports std::string concatenation as overlapping memcpy
    # (GCC bug 105329, a false positive); keep the rest of -Wall as errors.
    target_compile_options(${target} PRIVATE -Wno-restrict)
  endif()
  if(WEAVE_WERROR)
    target_compile_options(${target} PRIVATE -Werror)
  endif()
endfunction()

# weave_sanitize(target): instrument a test or stress target with WEAVE_SANITIZER.
function(weave_sanitize target)
  if(WEAVE_SANITIZER STREQUAL "")
    return()
  endif()
  string(REPLACE "+" "," san "${WEAVE_SANITIZER}")
  target_compile_options(${target} PRIVATE -fsanitize=${san} -fno-omit-frame-pointer -g)
  target_link_options(${target} PRIVATE -fsanitize=${san})
  if(san MATCHES "undefined")
    target_compile_options(${target} PRIVATE -fno-sanitize-recover=undefined)
  endif()
endfunction()

# weave_test_target(target): warnings + sanitizer + the primitives.
function(weave_test_target target)
  weave_warnings(${target})
  weave_sanitize(${target})
  target_link_libraries(${target} PRIVATE weave::primitives)
endfunction()
