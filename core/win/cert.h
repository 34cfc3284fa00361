/* The machine certificate for L2TP/IPsec through CryptoAPI: the computer's
 * Personal store (LocalMachine\My) judged against what Windows requires of
 * it. Windows only. */
#ifndef L2F_WIN_CERT_H
#define L2F_WIN_CERT_H

#include <windows.h>

#include <wincrypt.h>

#include "machinecert.h"
#include "status.h"

/* Judges every certificate of store; out says the best and why each fails. */
enum l2f_status wincert_judge_store(HCERTSTORE store, struct machine_cert *out,
                                    struct l2f_err *err);
/* The same for LocalMachine\My, opened read-only; a store that does not exist is empty. */
enum l2f_status wincert_machine(struct machine_cert *out, struct l2f_err *err);

/* LocalMachine\Root, for the CA switch-ikev2 imports; sha1 is the certificate's
 * thumbprint in hex. root_add takes DER whose SHA-1 is sha1 and leaves a certificate
 * already there as it is; root_remove of one that is not there is done. */
enum l2f_status wincert_root_has(const char *sha1, bool *present, struct l2f_err *err);
enum l2f_status wincert_root_add(const unsigned char *der, size_t len, const char *sha1,
                                 struct l2f_err *err);
enum l2f_status wincert_root_remove(const char *sha1, struct l2f_err *err);
/* The same in a store already open (root_remove opens LocalMachine\Root writable). */
enum l2f_status wincert_root_remove_in(HCERTSTORE store, const char *sha1, struct l2f_err *err);

#endif
