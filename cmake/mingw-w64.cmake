# Cross-compiling for 64-bit Windows with Debian's mingw-w64; ctest runs the
# .exe files through Wine. L2F_MINGW_PREFIX names where cmocka, ncurses, inih
# and cJSON built for mingw live (scripts/mingw-deps.sh makes it).
set(CMAKE_SYSTEM_NAME Windows)
set(CMAKE_SYSTEM_PROCESSOR x86_64)
set(CMAKE_C_COMPILER x86_64-w64-mingw32-gcc)
set(CMAKE_RC_COMPILER x86_64-w64-mingw32-windres)
if(NOT L2F_MINGW_PREFIX)
    set(L2F_MINGW_PREFIX "${CMAKE_CURRENT_LIST_DIR}/../build/mingw-prefix")
endif()
get_filename_component(L2F_MINGW_PREFIX "${L2F_MINGW_PREFIX}" ABSOLUTE)
# try_compile reads this file again, in-process: hand it the same prefix
list(APPEND CMAKE_TRY_COMPILE_PLATFORM_VARIABLES L2F_MINGW_PREFIX)
set(CMAKE_FIND_ROOT_PATH /usr/x86_64-w64-mingw32 ${L2F_MINGW_PREFIX})
set(CMAKE_FIND_ROOT_PATH_MODE_PROGRAM NEVER)
set(CMAKE_FIND_ROOT_PATH_MODE_LIBRARY ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_INCLUDE ONLY)
set(CMAKE_FIND_ROOT_PATH_MODE_PACKAGE ONLY)
set(ENV{PKG_CONFIG_LIBDIR} "${L2F_MINGW_PREFIX}/lib/pkgconfig")
set(ENV{PKG_CONFIG_SYSROOT_DIR} "")
find_program(L2F_WINE64 NAMES wine64 PATHS /usr/lib/wine NO_CMAKE_FIND_ROOT_PATH)
if(L2F_WINE64)
    set(CMAKE_CROSSCOMPILING_EMULATOR ${L2F_WINE64})
endif()
