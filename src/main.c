/* l2tpfix: diagnose and fix Windows L2TP/IPsec VPN connections (error 789). */
#include <stdio.h>

#include "args.h"
#include "cli.h"

int main(int argc, char **argv)
{
    struct cli_args args;
    struct l2f_err err = {{0}};
    enum l2f_status st = args_parse(argc, argv, &args, &err);
    if (st != L2F_OK) {
        fprintf(stderr, "l2tpfix: %s\n", err.msg);
        return l2f_status_exit_code(st);
    }
    if (args.given[OPT_HELP]) {
        args_print_help(stdout);
        return 0;
    }
    if (args.given[OPT_VERSION]) {
        printf("l2tpfix %s\n", L2F_VERSION);
        return 0;
    }
    return cli_run(&args);
}
