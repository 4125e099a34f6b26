# weave_add_model_checks(<target> [PREFIX <prefix>] [TIMEOUT <seconds>])
#
# Registers one ctest per WEAVE_MODEL_CHECK(name, verdict, ...) line in the
# sources of <target>, a program linked with weave::checker_main: the test
# <prefix><name> (prefix "model." unless given) runs `<target> --filter ^<name>$`
# and is labelled "model" when the declared verdict is pass, "model-buggy"
# otherwise. Keep each macro's name and verdict on its first line. The sources
# are configure dependencies, so a new check is registered at the next build.
function(weave_add_model_checks target)
  cmake_parse_arguments(PARSE_ARGV 1 arg "" "PREFIX;TIMEOUT" "")
  if(NOT DEFINED arg_PREFIX)
    set(arg_PREFIX model.)
  endif()
  if(NOT arg_TIMEOUT)
    set(arg_TIMEOUT 600)
  endif()
  get_target_property(sources ${target} SOURCES)
  get_target_property(dir ${target} SOURCE_DIR)
  foreach(src IN LISTS sources)
    if(src MATCHES "\\$<")
      continue()  # a generator expression: not known before generation
    endif()
    cmake_path(ABSOLUTE_PATH src BASE_DIRECTORY ${dir})
    if(NOT EXISTS ${src} OR IS_DIRECTORY ${src})
      continue()
    endif()
    set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${src})
    file(STRINGS ${src} lines REGEX "^[ \t]*WEAVE_MODEL_CHECK\\(")
    foreach(line IN LISTS lines)
      if(line MATCHES "WEAVE_MODEL_CHECK\\([ \t]*([A-Za-z0-9_]+)[ \t]*,[ \t]*([a-z_]+)")
        set(check ${CMAKE_MATCH_1})
        set(label model-buggy)
        if(CMAKE_MATCH_2 STREQUAL "pass")
          set(label model)
        endif()
        add_test(NAME ${arg_PREFIX}${check} COMMAND ${target} --filter "^${check}$")
        set_tests_properties(${arg_PREFIX}${check} PROPERTIES LABELS ${label} TIMEOUT ${arg_TIMEOUT})
      endif()
    endforeach()
  endforeach()
endfunction()
