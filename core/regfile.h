/* Registry backups in the format regedit and `reg export` write, so that a
 * technician can restore one by double-clicking it without l2tpfix. */
#ifndef L2F_REGFILE_H
#define L2F_REGFILE_H

#include <stdbool.h>
#include <stddef.h>

#include "status.h"

/* Renders a .reg file restoring one DWORD value to its state (exists=false:
 * a file that deletes the value): UTF-16LE with BOM, CRLF line ends, the
 * "Windows Registry Editor Version 5.00" header. *out is malloc'd. */
enum l2f_status regfile_render_dword(const char *key, const char *value, bool exists,
                                     unsigned long data, unsigned char **out, size_t *out_len);

#endif
