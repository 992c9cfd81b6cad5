# CMake package for frore: find_package(frore CONFIG REQUIRED).
#
# A wheel installs this folder as <prefix>/share/cmake/frore, where
# find_package() looks by itself when <prefix>/bin is on PATH (a venv) or
# <prefix> is in CMAKE_PREFIX_PATH; otherwise pass -Dfrore_DIR="$(frore --cmake-dir)".
# It defines frore_add_frozen_modules() (see froreFunctions.cmake, docs/cmake.md).
#
# FRORE_PYTHON (cache) is the interpreter that runs frore at configure time and
# in build rules.  Unless set, the first of these that can `import frore` is
# used: <prefix>/bin/python3 (the interpreter that installed this package),
# Python3_EXECUTABLE, Python_EXECUTABLE, python3 on PATH.  The cache keeps its
# real path (sys.executable), so build rules never go through a pyenv shim.

cmake_minimum_required(VERSION 3.20)

get_filename_component(_frore_prefix "${CMAKE_CURRENT_LIST_DIR}/../../.." ABSOLUTE)
if(FRORE_PYTHON)
  set(_frore_candidates "${FRORE_PYTHON}")
else()
  find_program(FRORE_PYTHON_ON_PATH NAMES python3 python)
  mark_as_advanced(FRORE_PYTHON_ON_PATH)
  set(_frore_candidates
      "${_frore_prefix}/bin/python3" "${_frore_prefix}/Scripts/python.exe"
      "${Python3_EXECUTABLE}" "${Python_EXECUTABLE}" "${FRORE_PYTHON_ON_PATH}")
endif()

set(_frore_found "")
set(_frore_tried "")
foreach(_frore_python IN LISTS _frore_candidates)
  if(NOT _frore_python OR NOT EXISTS "${_frore_python}")
    continue()
  endif()
  execute_process(
    COMMAND "${_frore_python}" -c "import sys, frore; print(sys.executable); print(frore.__version__)"
    RESULT_VARIABLE _frore_rc
    OUTPUT_VARIABLE _frore_out
    ERROR_QUIET
    OUTPUT_STRIP_TRAILING_WHITESPACE)
  if(_frore_rc EQUAL 0)
    set(_frore_found "${_frore_out}")
    break()
  endif()
  list(APPEND _frore_tried "${_frore_python}")
endforeach()

if(NOT _frore_found)
  set(${CMAKE_FIND_PACKAGE_NAME}_FOUND FALSE)
  set(${CMAKE_FIND_PACKAGE_NAME}_NOT_FOUND_MESSAGE
      "no interpreter that can import frore (tried: ${_frore_tried}); set FRORE_PYTHON")
else()
  string(REPLACE "\n" ";" _frore_found "${_frore_found}")
  list(GET _frore_found 0 _frore_real)
  list(GET _frore_found 1 FRORE_VERSION)
  set(FRORE_PYTHON "${_frore_real}" CACHE FILEPATH "Interpreter that runs frore (real path)" FORCE)
  if(NOT ${CMAKE_FIND_PACKAGE_NAME}_FIND_QUIETLY)
    message(STATUS "Found frore ${FRORE_VERSION}: ${FRORE_PYTHON} -m frore")
  endif()
  include("${CMAKE_CURRENT_LIST_DIR}/froreFunctions.cmake")
endif()

foreach(_frore_var prefix candidates found tried python rc out real)
  unset(_frore_${_frore_var})
endforeach()
unset(_frore_var)
