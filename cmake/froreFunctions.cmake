# frore_add_frozen_modules(<target> MANIFEST <frozen.toml> [PYTHON <exe>] [BINARY_DIR <dir>])
#
# Freeze the modules a frore manifest declares into <target>:
#  * at configure time, runs `${FRORE_PYTHON} -m frore gen cmake`, which writes
#    (only when changed) a rules file, the module table and a freezer stamp
#    into BINARY_DIR (default: ${CMAKE_CURRENT_BINARY_DIR}/<target>.frore);
#  * the rules file has one add_custom_command per header (OUTPUT the header,
#    DEPENDS its .py), so an edit re-freezes only that module, in parallel;
#  * the headers, the table and its parts (each part includes a few headers, so
#    an edit recompiles one small part) become sources of <target>, and BINARY_DIR
#    (plus the headers folder) become its private include directories, so
#    `#include "frozen/frozen_modules.h"` finds the table as in a source build;
#  * the manifest joins CMAKE_CONFIGURE_DEPENDS: editing it re-configures.
#
# PYTHON is the interpreter whose bytecode is frozen (default: the manifest's
# `python`, else FRORE_PYTHON).  Link <target> against that interpreter's
# libpython.  After the call, FRORE_FROZEN_PYTHON and
# FRORE_FROZEN_PYTHON_VERSION name it in the caller's scope.

function(frore_add_frozen_modules target)
  cmake_parse_arguments(PARSE_ARGV 1 arg "" "MANIFEST;PYTHON;BINARY_DIR" "")
  if(arg_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "frore_add_frozen_modules: unexpected arguments: ${arg_UNPARSED_ARGUMENTS}")
  endif()
  if(NOT TARGET "${target}")
    message(FATAL_ERROR "frore_add_frozen_modules: ${target} is not a target")
  endif()
  if(NOT arg_MANIFEST)
    set(arg_MANIFEST frozen.toml)
  endif()
  get_filename_component(manifest "${arg_MANIFEST}" ABSOLUTE BASE_DIR "${CMAKE_CURRENT_SOURCE_DIR}")
  if(NOT EXISTS "${manifest}")
    message(FATAL_ERROR "frore_add_frozen_modules: no manifest ${manifest}")
  endif()
  if(arg_BINARY_DIR)
    get_filename_component(out "${arg_BINARY_DIR}" ABSOLUTE BASE_DIR "${CMAKE_CURRENT_BINARY_DIR}")
  else()
    set(out "${CMAKE_CURRENT_BINARY_DIR}/${target}.frore")
  endif()
  set(rules "${out}/frore-rules.cmake")

  # Re-configure (so re-run this) whenever the manifest changes.
  set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS "${manifest}")

  # KEY=VALUE options must follow the backend name directly (argparse positionals).
  set(cmd "${FRORE_PYTHON}" -m frore -q gen cmake "build_dir=${out}" -m "${manifest}" -o "${rules}")
  if(arg_PYTHON)
    list(APPEND cmd --python "${arg_PYTHON}")
  endif()
  execute_process(COMMAND ${cmd}
                  WORKING_DIRECTORY "${CMAKE_CURRENT_SOURCE_DIR}"
                  RESULT_VARIABLE rc
                  ERROR_VARIABLE err)
  if(NOT rc EQUAL 0)
    message(FATAL_ERROR "frore gen cmake failed for ${target}:\n${err}")
  endif()

  include("${rules}")
  # A re-created venv or a re-pointed link changes these folders: re-configure then,
  # so an interpreter switched in place re-freezes every header.
  set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${FRORE_WATCH})

  target_sources("${target}" PRIVATE ${FRORE_HEADERS} "${FRORE_TABLE_H}" "${FRORE_TABLE_C}" ${FRORE_PARTS})
  # FRORE_FROZEN_MODULES's build-time default: auto in Debug (a module edited since the
  # build imports from source), on otherwise; FRORE_MODE (on, off, auto) overrides.
  if(FRORE_MODE)
    if(NOT FRORE_MODE MATCHES "^(on|off|auto)$")
      message(FATAL_ERROR "FRORE_MODE must be on, off or auto, not '${FRORE_MODE}'")
    endif()
    set(_frore_mode "${FRORE_MODE}")
  else()
    set(_frore_mode "$<IF:$<CONFIG:Debug>,auto,on>")
  endif()
  set_property(SOURCE "${FRORE_TABLE_C}" TARGET_DIRECTORY "${target}" APPEND PROPERTY
               COMPILE_DEFINITIONS "FRORE_FROZEN_MODULES_DEFAULT=${_frore_mode}")
  target_include_directories("${target}" PRIVATE ${FRORE_INCLUDE_DIRS})
  set(FRORE_FROZEN_PYTHON "${FRORE_FROZEN_PYTHON}" PARENT_SCOPE)
  set(FRORE_FROZEN_PYTHON_VERSION "${FRORE_FROZEN_PYTHON_VERSION}" PARENT_SCOPE)
endfunction()
