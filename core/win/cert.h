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

#endif
