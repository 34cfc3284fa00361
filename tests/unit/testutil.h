/* Helpers shared by the unit tests. */
#ifndef L2F_TESTUTIL_H
#define L2F_TESTUTIL_H

#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include "backend.h"
#include "diagnose.h"
#include "scenario.h"

/* A fresh directory under $TMPDIR (or /tmp); removed by tu_rmtree. */
void tu_mkdtemp(char *buf, size_t len);
void tu_rmtree(const char *dir);
/* Writes text to dir/name and puts the path in out. */
void tu_write_file(const char *dir, const char *name, const char *text, char *out, size_t len);
/* Opens the mock backend on a built-in scenario, in memory. */
void tu_open_demo(struct backend *be, const char *name);
/* Hex digits ("c1db...") to bytes; out must hold strlen(s) / 2. */
void tu_hex(const char *s, uint8_t *out);
/* Parses scenario text, failing the test on error. */
void tu_parse(const char *text, struct scenario *sc);
/* What a healthy machine with a healthy server looks like from the client:
 * every check passes (test_diagnose proves it). */
void tu_healthy(struct observations *o);

#endif
