/* cmd_keygen.c: `vigie keygen [-o BASENAME]` makes a CurveZMQ key pair (libzmq's
 * zmq_curve_keypair) and writes BASENAME.pub (mode 0644) and BASENAME.key (mode 0600). */
#include <stdio.h>
#include <string.h>
#include <zmq.h>

#include "core/curvekey.h"
#include "tools/command.h"

static void keygen_usage(FILE *out)
{
    fprintf(out,
            "usage: vigie keygen [-o BASENAME]\n\n"
            "Make a CurveZMQ key pair for the feed ingest socket (docs/feed.md, \"Keys\"):\n"
            "BASENAME.pub, the public key (mode 0644: give it to the other side), and\n"
            "BASENAME.key, the secret key (mode 0600: a secret key readable by others is\n"
            "refused when read). BASENAME defaults to \"vigie\". Existing files are never\n"
            "overwritten. Prints the public key.\n");
}

static int keygen_main(int argc, char **argv)
{
    const char *base = "vigie";
    if (argc == 2 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
        keygen_usage(stdout);
        return VG_EXIT_OK;
    }
    if (argc == 3 && (!strcmp(argv[1], "-o") || !strcmp(argv[1], "--output")) && argv[2][0])
        base = argv[2];
    else if (argc != 1) {
        keygen_usage(stderr);
        return VG_EXIT_USAGE;
    }
    if (!zmq_has("curve")) {
        fprintf(stderr, "vigie keygen: this libzmq has no CURVE security (built without "
                        "libsodium)\n");
        return VG_EXIT_FAIL;
    }
    char pub[VG_CURVE_KEY_LEN + 1], sec[VG_CURVE_KEY_LEN + 1];
    if (zmq_curve_keypair(pub, sec) != 0) {
        fprintf(stderr, "vigie keygen: zmq_curve_keypair: %s\n", zmq_strerror(zmq_errno()));
        return VG_EXIT_FAIL;
    }
    char pub_path[4096], sec_path[4096];
    if (snprintf(pub_path, sizeof pub_path, "%s.pub", base) >= (int)sizeof pub_path ||
        snprintf(sec_path, sizeof sec_path, "%s.key", base) >= (int)sizeof sec_path) {
        fprintf(stderr, "vigie keygen: %s: name too long\n", base);
        return VG_EXIT_USAGE;
    }
    vg_errinfo err;
    /* The secret first: a failure then leaves no public key without its secret. */
    if (vg_curve_key_write(sec_path, sec, true, &err) != VG_OK) {
        fprintf(stderr, "vigie keygen: %s\n", err.text);
        return VG_EXIT_FAIL;
    }
    if (vg_curve_key_write(pub_path, pub, false, &err) != VG_OK) {
        fprintf(stderr, "vigie keygen: %s\n", err.text);
        remove(sec_path);
        return VG_EXIT_FAIL;
    }
    memset(sec, 0, sizeof sec);
    printf("%s\n", pub);
    fprintf(stderr, "vigie keygen: wrote %s (public) and %s (secret, mode 0600)\n", pub_path,
            sec_path);
    return VG_EXIT_OK;
}

const vg_command vg_cmd_keygen = {
    .name = "keygen",
    .summary = "make a CurveZMQ key pair for the feed ingest socket",
    .main = keygen_main,
    .usage = keygen_usage,
};
