/* libFuzzer: the scenario parser. Anything it accepts must format and parse
 * again to the same text (the mock writes its state back this way). */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "scenario.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *text = malloc(size + 1);
    if (!text)
        return 0;
    memcpy(text, data, size);
    text[size] = '\0';
    struct scenario sc;
    struct l2f_err err;
    if (scenario_parse(text, "fuzz.ini", &sc, &err) == L2F_OK) {
        char *once = NULL, *twice = NULL;
        if (scenario_format(&sc, &once) == L2F_OK) {
            struct scenario again;
            if (scenario_parse(once, "formatted.ini", &again, &err) != L2F_OK)
                abort(); /* what we write we must read */
            if (scenario_format(&again, &twice) != L2F_OK || strcmp(once, twice) != 0)
                abort();
            scenario_free(&again);
        }
        free(once);
        free(twice);
        scenario_free(&sc);
    }
    free(text);
    return 0;
}
