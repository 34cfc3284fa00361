/* libFuzzer: the argument parser, on argv made of the input's NUL-separated
 * words. */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "args.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *buf = malloc(size + 1);
    char *argv[33];
    if (!buf)
        return 0;
    memcpy(buf, data, size);
    buf[size] = '\0';
    int argc = 0;
    argv[argc++] = (char *)"l2tpfix";
    for (size_t i = 0; i <= size && argc < 32;) {
        argv[argc++] = buf + i;
        i += strlen(buf + i) + 1;
    }
    argv[argc] = NULL;
    struct cli_args a;
    struct l2f_err err;
    args_parse(argc, argv, &a, &err);
    free(buf);
    return 0;
}
