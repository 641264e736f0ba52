# PODA_KERNELS_ONLY: the kernel library (framework/kernels, which needs nothing but the C++
# standard library) and its tests, without the rest of poda and its libraries. `make
# test-arm` builds it for aarch64 with cmake/aarch64-linux-gnu.cmake and runs the tests under
# qemu-aarch64: the kernels' correctness on Arm, not their speed.
file(GLOB PODA_KERNEL_SOURCES CONFIGURE_DEPENDS ${CMAKE_SOURCE_DIR}/framework/kernels/*.cpp)
add_library(poda_kernels STATIC ${PODA_KERNEL_SOURCES})
target_include_directories(poda_kernels PUBLIC ${CMAKE_SOURCE_DIR}/framework)
target_compile_options(poda_kernels PUBLIC -Wall -Wextra -Wno-unused-parameter)
if(PODA_WERROR)
  target_compile_options(poda_kernels PUBLIC -Werror)
endif()

# doctest is one header, the same on every architecture: the host's copy, alone on the
# include path (the host's /usr/include must not reach a cross build).
set(PODA_DOCTEST_HEADER /usr/include/doctest/doctest.h CACHE FILEPATH "doctest.h to use")
file(MAKE_DIRECTORY ${CMAKE_BINARY_DIR}/doctest_include/doctest)
file(COPY ${PODA_DOCTEST_HEADER} DESTINATION ${CMAKE_BINARY_DIR}/doctest_include/doctest)

# The tests of the kernel library: each runs every kernel on every target this CPU has.
set(PODA_KERNEL_TESTS direct_kernels dense_batch_kernels small_layer_kernels sparse_kernels
    batch_norm_kernels shifted_dots conv_rows kernel_tables gemm_int8 conv_int8 int8_convert
    gelu_kernels)
list(TRANSFORM PODA_KERNEL_TESTS PREPEND ${CMAKE_SOURCE_DIR}/tests/test_)
list(TRANSFORM PODA_KERNEL_TESTS APPEND .cpp)
add_executable(poda_kernel_tests ${CMAKE_SOURCE_DIR}/tests/arm/kernel_tests_main.cpp
               ${PODA_KERNEL_TESTS})
target_include_directories(poda_kernel_tests SYSTEM PRIVATE ${CMAKE_BINARY_DIR}/doctest_include)
target_link_libraries(poda_kernel_tests PRIVATE poda_kernels)

enable_testing()
add_test(NAME kernel_tests COMMAND poda_kernel_tests)
