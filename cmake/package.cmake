# What the release ships and the Debian package (CPack's DEB generator, run by
# scripts/release.sh). Included by the top CMakeLists.txt after its targets.
install(TARGETS l2tpfix RUNTIME DESTINATION bin)
install(FILES ${CMAKE_SOURCE_DIR}/README.md ${CMAKE_SOURCE_DIR}/LICENSE DESTINATION share/doc/l2tpfix)

if(NOT WIN32)
    set(L2F_DEB_MAINTAINER "l2tpfix maintainers <maintainers@users.noreply.r-seed-0d63faf3.example>"
        CACHE STRING "The Debian package's Maintainer (the address the project's commits are made under)")
    set(CPACK_GENERATOR DEB)
    set(CPACK_PACKAGE_NAME l2tpfix)
    set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
    set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
    set(CPACK_PACKAGE_CONTACT "${L2F_DEB_MAINTAINER}")
    set(CPACK_DEBIAN_PACKAGE_MAINTAINER "${L2F_DEB_MAINTAINER}")
    set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "diagnose and fix Windows L2TP/IPsec VPN connections (error 789)")
    # the Linux binary has no live backend; these modes are what it is for
    # the extended description; CPack puts the summary above it
    string(CONCAT CPACK_DEBIAN_PACKAGE_DESCRIPTION
        "On Linux it probes an L2TP/IPsec server (IKE, the pre-shared key), runs the whole\n"
        "handshake against it as Windows would, checks and fixes a Windows rasphone.pbk\n"
        "phonebook file offline, and demonstrates the checklist on simulated machines.")
    set(CPACK_DEBIAN_PACKAGE_SECTION net)
    set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
    set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT) # l2tpfix_VERSION_ARCH.deb
    # Depends from the binary's own shared libraries (dpkg-shlibdeps, needs dpkg-dev and file)
    set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
    # directories do not follow the umask of whoever builds
    set(CPACK_INSTALL_DEFAULT_DIRECTORY_PERMISSIONS OWNER_READ OWNER_WRITE OWNER_EXECUTE GROUP_READ
                                                    GROUP_EXECUTE WORLD_READ WORLD_EXECUTE)
    include(CPack)
endif()
