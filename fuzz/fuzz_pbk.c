/* libFuzzer: the phonebook parser and editor. Setting any entry's own key to
 * the value it has must give the input back byte for byte, a real edit must
 * parse again with the new value in place, and removing a key just added (an
 * undo) must give the input back byte for byte. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "pbk.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct pbk p;
    struct l2f_err err;
    const char *text = (const char *)data;
    if (pbk_parse(text, size, "fuzz.pbk", &p, &err) != L2F_OK)
        return 0;
    for (size_t s = 0; s < p.nsections && s < 8; s++)
        for (size_t i = p.sections[s].first_line; i < p.sections[s].end_line; i++) {
            const struct pbk_line *l = &p.lines[i];
            if (!l->is_key || l->in_sub || l->key_len == 0 || l->key_len > 60)
                continue;
            char key[64], value[512];
            memcpy(key, text + l->key, l->key_len);
            key[l->key_len] = '\0';
            if (strpbrk(key, "\r\n=[") || !pbk_get(&p, (int)s, key, false, value, sizeof value) ||
                l->value_len >= sizeof value)
                continue;
            char *out;
            size_t out_len;
            if (pbk_set(&p, (int)s, key, value, &out, &out_len, &err) == L2F_OK) {
                /* the first such key holds this value: the file comes back unchanged */
                if (out_len != size || memcmp(out, data, size) != 0)
                    abort();
                free(out);
            }
            if (pbk_set(&p, (int)s, key, "12345", &out, &out_len, &err) == L2F_OK) {
                struct pbk again;
                char got[16];
                if (pbk_parse(out, out_len, "edited.pbk", &again, &err) != L2F_OK)
                    abort();
                if (!pbk_get(&again, (int)s, key, false, got, sizeof got) ||
                    strcmp(got, "12345") != 0)
                    abort();
                pbk_free(&again);
                free(out);
            }
            break; /* one key per entry keeps each run fast */
        }
    for (size_t s = 0; s < p.nsections && s < 8; s++) {
        static const char added_key[] = "L2fFuzzAdded";
        char v[8], *added, *back;
        size_t added_len, back_len;
        if (pbk_get(&p, (int)s, added_key, false, v, sizeof v) ||
            pbk_set(&p, (int)s, added_key, "1", &added, &added_len, &err) != L2F_OK)
            continue;
        struct pbk again;
        if (pbk_parse(added, added_len, "added.pbk", &again, &err) != L2F_OK)
            abort();
        if (pbk_remove(&again, (int)s, added_key, &back, &back_len) != L2F_OK)
            abort();
        if (back_len != size || memcmp(back, data, size) != 0)
            abort();
        free(back);
        pbk_free(&again);
        free(added);
    }
    pbk_free(&p);
    return 0;
}
