# `cmake --install build --prefix P` puts poda where other CMake projects find it:
#   P/bin/poda                          the command line (plug-ins resolve poda's symbols in it)
#   P/include/poda/<layer>/*.h          the headers of framework/, included as "core/tensor.h"
#   P/lib/libpoda.a                     the objects of poda_framework, nothing recompiled
#   P/lib/cmake/poda/                   find_package(poda CONFIG REQUIRED) gives
#       poda::framework  link it into an executable: the archive whole, so that every
#                        self-registering file (layers, zoo models, criteria, schedules) is in
#       poda::plugin     compile a plug-in (a shared library `poda run --plugin` loads) against
#                        it: headers, flags and dependencies, no archive (the poda executable
#                        already holds the registries the plug-in adds to)
# Everything that poda_framework passes on to its users (dependencies, definitions, compile
# options) is copied from it here, so a dependency added there reaches the installed package.
include(GNUInstallDirs)

# cli/plugins.cpp loads plug-ins with dlopen.
target_link_libraries(poda_framework PUBLIC ${CMAKE_DL_LIBS})
include(CMakePackageConfigHelpers)

add_library(poda_archive STATIC $<TARGET_OBJECTS:poda_framework>)
set_target_properties(poda_archive PROPERTIES OUTPUT_NAME poda EXPORT_NAME framework_archive)

add_library(poda_plugin_api INTERFACE)
set_target_properties(poda_plugin_api PROPERTIES EXPORT_NAME plugin)
target_include_directories(poda_plugin_api INTERFACE
  $<BUILD_INTERFACE:${CMAKE_SOURCE_DIR}/framework>
  $<INSTALL_INTERFACE:${CMAKE_INSTALL_INCLUDEDIR}/poda>)
get_target_property(poda_system_includes poda_framework INTERFACE_SYSTEM_INCLUDE_DIRECTORIES)
target_include_directories(poda_plugin_api SYSTEM INTERFACE ${poda_system_includes})
foreach(property INTERFACE_LINK_LIBRARIES INTERFACE_COMPILE_DEFINITIONS INTERFACE_COMPILE_OPTIONS)
  get_target_property(value poda_framework ${property})
  if(value)
    set_property(TARGET poda_plugin_api PROPERTY ${property} ${value})
  endif()
endforeach()
target_link_libraries(poda_archive INTERFACE poda_plugin_api)

# A plug-in calls into the poda executable, so the executable exports its symbols.
set_target_properties(poda PROPERTIES ENABLE_EXPORTS ON)

install(TARGETS poda RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(TARGETS poda_archive poda_plugin_api EXPORT podaTargets
        ARCHIVE DESTINATION ${CMAKE_INSTALL_LIBDIR})
install(DIRECTORY framework/ DESTINATION ${CMAKE_INSTALL_INCLUDEDIR}/poda
        FILES_MATCHING PATTERN "*.h")
set(poda_cmake_dir ${CMAKE_INSTALL_LIBDIR}/cmake/poda)
install(EXPORT podaTargets NAMESPACE poda:: DESTINATION ${poda_cmake_dir})
set(PODA_CONFIG_WITH_MPI ${MPI_CXX_FOUND})
configure_package_config_file(cmake/podaConfig.cmake.in
  ${CMAKE_BINARY_DIR}/podaConfig.cmake INSTALL_DESTINATION ${poda_cmake_dir})
write_basic_package_version_file(${CMAKE_BINARY_DIR}/podaConfigVersion.cmake
  COMPATIBILITY SameMinorVersion)
install(FILES ${CMAKE_BINARY_DIR}/podaConfig.cmake ${CMAKE_BINARY_DIR}/podaConfigVersion.cmake
        DESTINATION ${poda_cmake_dir})

# The installed package, used as another project would: tests/run_examples.sh installs into a
# temporary prefix and builds and runs examples/ against it (with its plug-in). Not in the
# sanitizer and fuzz builds: their flags are directory-wide, so an outside project linking
# their archive would lack the sanitizer runtime.
add_dependencies(poda_tests poda_archive)  # so that building the tests builds what it installs
if(NOT PODA_SANITIZE AND NOT PODA_FUZZ)
  add_test(NAME examples_against_installed_poda
           COMMAND bash ${CMAKE_SOURCE_DIR}/tests/run_examples.sh ${CMAKE_BINARY_DIR}
                   ${CMAKE_SOURCE_DIR})
  set_tests_properties(examples_against_installed_poda PROPERTIES SKIP_RETURN_CODE 77
                       TIMEOUT 600)
endif()
