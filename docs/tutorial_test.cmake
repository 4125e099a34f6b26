# ctest docs.tutorial: the counterexamples printed in docs/tutorial.md and
# docs/reading-a-counterexample.md are the runner's real output. Each block
# after a line `<!-- counterexample: NAME -->` must equal what `weave_models
# --counterexamples` writes for check NAME; a block that drifted (a lesson, its
# line numbers or the report changed, and with them its replay token) fails
# the test.
# Regenerate the blocks with:
#   cmake -DRUNNER=build/model/models/weave_models -DWORK=/tmp/tutorial -DUPDATE=ON -P docs/tutorial_test.cmake
# Arguments: -DRUNNER=<weave_models> -DWORK=<scratch dir> [-DUPDATE=ON]
cmake_minimum_required(VERSION 3.25)
file(REMOVE_RECURSE ${WORK})  # the runner makes the folder (--counterexamples makes a missing one)
execute_process(COMMAND ${RUNNER} --filter "^(classic|publish)_" --counterexamples ${WORK}
                RESULT_VARIABLE rc OUTPUT_QUIET)
if(NOT rc EQUAL 0)
  message(FATAL_ERROR "the classics' verdicts: exit status ${rc}")
endif()

# Each document, and how many counterexamples it shows (one per lesson).
set(documents tutorial.md 8 reading-a-counterexample.md 3)
set(drifted "")
while(documents)
  list(POP_FRONT documents doc expected)
  file(READ ${CMAKE_CURRENT_LIST_DIR}/${doc} text)
  set(out "")
  set(checked 0)
  # Walk the file marker by marker.
  while(TRUE)
    string(FIND "${text}" "<!-- counterexample: " at)
    if(at EQUAL -1)
      string(APPEND out "${text}")
      break()
    endif()
    string(SUBSTRING "${text}" 0 ${at} before)
    string(APPEND out "${before}")
    string(SUBSTRING "${text}" ${at} -1 text)
    string(REGEX MATCH "^<!-- counterexample: ([a-z0-9_]+) -->\n```text\n" head "${text}")
    if(NOT head)
      message(FATAL_ERROR "docs/${doc}: a counterexample marker not followed by a ```text block")
    endif()
    set(name ${CMAKE_MATCH_1})
    string(LENGTH "${head}" head_len)
    string(SUBSTRING "${text}" ${head_len} -1 text)
    string(FIND "${text}" "```\n" end)
    string(SUBSTRING "${text}" 0 ${end} shown)
    math(EXPR end "${end} + 4")
    string(SUBSTRING "${text}" ${end} -1 text)
    if(NOT EXISTS ${WORK}/${name}.txt)
      message(FATAL_ERROR "docs/${doc} shows ${name}, which is no failing classic")
    endif()
    file(READ ${WORK}/${name}.txt real)
    if(NOT shown STREQUAL real)
      list(APPEND drifted "docs/${doc}: ${name}")
    endif()
    string(APPEND out "${head}${real}```\n")
    math(EXPR checked "${checked} + 1")
  endwhile()
  if(UPDATE)
    file(WRITE ${CMAKE_CURRENT_LIST_DIR}/${doc} "${out}")
    message(STATUS "docs/${doc}: ${checked} counterexamples written")
  elseif(NOT checked EQUAL expected)
    message(FATAL_ERROR "docs/${doc} shows ${checked} counterexamples under markers; it should show ${expected}")
  else()
    message(STATUS "docs/${doc}: ${checked} counterexamples")
  endif()
endwhile()

if(drifted AND NOT UPDATE)
  list(JOIN drifted "\n  " drifted)
  message(FATAL_ERROR "no longer what the checker prints:\n  ${drifted}\n"
                      "Regenerate: cmake -DRUNNER=<weave_models> -DWORK=<dir> -DUPDATE=ON -P docs/tutorial_test.cmake")
endif()
