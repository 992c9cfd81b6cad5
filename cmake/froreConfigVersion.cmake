# Version check for find_package(frore <version>): compatible when the major
# versions agree and the installed one is not older.  PACKAGE_VERSION must equal
# frore.__version__ (tests/test_cmake.py checks it).

set(PACKAGE_VERSION "0.1.0")

if(PACKAGE_FIND_VERSION)
  string(REGEX MATCH "^[0-9]+" _frore_major "${PACKAGE_VERSION}")
  if(PACKAGE_VERSION VERSION_LESS PACKAGE_FIND_VERSION
     OR NOT _frore_major STREQUAL PACKAGE_FIND_VERSION_MAJOR)
    set(PACKAGE_VERSION_COMPATIBLE FALSE)
  else()
    set(PACKAGE_VERSION_COMPATIBLE TRUE)
    if(PACKAGE_FIND_VERSION VERSION_EQUAL PACKAGE_VERSION)
      set(PACKAGE_VERSION_EXACT TRUE)
    endif()
  endif()
  unset(_frore_major)
else()
  set(PACKAGE_VERSION_COMPATIBLE TRUE)
endif()
