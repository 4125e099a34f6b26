# `make package`: CPack makes a Debian package (libweave-dev) and a .tar.gz of
# what cmake/install.cmake installs.
set(CPACK_PACKAGE_NAME weave)
set(CPACK_PACKAGE_VENDOR "weave")
set(CPACK_PACKAGE_CONTACT "weave developers")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "${PROJECT_DESCRIPTION}, with a model checker")
set(CPACK_PACKAGE_DESCRIPTION
    "Synchronization primitives written against one seam, and the model checker that explores them \
under every relevant interleaving (find_package(weave) or pkg-config weave).")
set(CPACK_GENERATOR "DEB;TGZ")
set(CPACK_SOURCE_GENERATOR "")
set(CPACK_STRIP_FILES OFF)

set(CPACK_DEBIAN_PACKAGE_NAME libweave-dev)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION libdevel)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS OFF)  # static libraries and headers only
# The checker links Boost.Context; its static library needs the C++ library it
# was built with (or a later one).
set(weave_stdcxx "libstdc++-dev")
if(CMAKE_CXX_COMPILER_ID STREQUAL "GNU")
  string(REGEX MATCH "^[0-9]+" weave_gcc_major ${CMAKE_CXX_COMPILER_VERSION})
  set(weave_stdcxx "libstdc++-${weave_gcc_major}-dev | libstdc++-dev")
endif()
set(CPACK_DEBIAN_PACKAGE_DEPENDS "libboost-context-dev (>= 1.74), ${weave_stdcxx}")
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "cmake (>= 3.25), pkgconf")
include(CPack)
