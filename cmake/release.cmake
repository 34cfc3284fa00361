# Release builds (scripts/release.sh): the same bytes from the same commit.
# Included by the top CMakeLists.txt before its targets, which take these flags.
option(L2F_RELEASE "Reproducible release build: no build paths, no link time, stripped" OFF)
if(L2F_RELEASE)
    # -ffile-prefix-map implies -fmacro-prefix-map (__FILE__ in assert) and -fdebug-prefix-map;
    # the later map wins where both match (a build folder inside the sources)
    add_compile_options(-ffile-prefix-map=${CMAKE_SOURCE_DIR}=. -ffile-prefix-map=${CMAKE_BINARY_DIR}=build)
    # stripped on both systems, so no debug section can carry a path or a difference
    add_link_options(-s)
    if(WIN32)
        # a PE header's time stamp of 0: mingw's ld writes the link time there, or
        # SOURCE_DATE_EPOCH when set (Debian's binutils); 0 needs neither
        add_link_options(-Wl,--no-insert-timestamp)
    endif()
endif()
