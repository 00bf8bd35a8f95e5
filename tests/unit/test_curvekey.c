/* test_curvekey.c: unit tests of the CurveZMQ key files (core/curvekey.c): write and read
 * back, modes, a secret readable by others refused (text naming path and mode), malformed
 * files refused, no overwrite. Real files in a mkdtemp directory. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "core/curvekey.h"

static const char KEY[] = "rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7";

static void put(const char *path, const char *text, mode_t mode)
{
    FILE *f = fopen(path, "w");
    if (f) {
        fputs(text, f);
        fclose(f);
    }
    chmod(path, mode);
}

int main(void)
{
    char dir[] = "/tmp/vigie-test-curvekey.XXXXXX";
    if (!mkdtemp(dir)) {
        perror("mkdtemp");
        return 1;
    }
    char sec[4200], pub[4200], bad[4200], out[VG_CURVE_KEY_LEN + 1];
    snprintf(sec, sizeof sec, "%s/k.key", dir);
    snprintf(pub, sizeof pub, "%s/k.pub", dir);
    snprintf(bad, sizeof bad, "%s/bad", dir);
    vg_errinfo err;
    mode_t old = umask(077); /* the public key must be 0644 whatever the umask */

    CHECK(vg_curve_key_write(sec, KEY, true, &err) == VG_OK);
    CHECK(vg_curve_key_write(pub, KEY, false, &err) == VG_OK);
    umask(old);
    struct stat st;
    CHECK(stat(sec, &st) == 0 && (st.st_mode & 07777) == 0600 && st.st_size == 41);
    CHECK(stat(pub, &st) == 0 && (st.st_mode & 07777) == 0644);
    CHECK(vg_curve_key_read(sec, true, out, &err) == VG_OK);
    CHECK_STR(out, KEY);
    CHECK(vg_curve_key_read(pub, false, out, &err) == VG_OK);
    CHECK_STR(out, KEY);

    /* never overwritten */
    CHECK(vg_curve_key_write(sec, KEY, true, &err) == VG_ERR_IO);
    CHECK(strstr(err.text, "exists") != NULL);
    CHECK(vg_curve_key_write(bad, "short", true, &err) == VG_ERR_INVAL);
    CHECK(access(bad, F_OK) != 0);

    /* a secret readable by the group or others is refused, a public one is not */
    CHECK(chmod(sec, 0640) == 0);
    CHECK(vg_curve_key_read(sec, true, out, &err) == VG_ERR_CONFIG);
    CHECK_MSG(strstr(err.text, sec) && strstr(err.text, "0640") && strstr(err.text, "chmod 600"),
              "%s", err.text);
    CHECK(vg_curve_key_read(sec, false, out, &err) == VG_OK);

    /* malformed files */
    put(bad, "rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf\n", 0600); /* 39 characters */
    CHECK(vg_curve_key_read(bad, true, out, &err) == VG_ERR_PARSE);
    CHECK(strstr(err.text, bad) != NULL);
    put(bad, "rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7\nextra\n", 0600);
    CHECK(vg_curve_key_read(bad, true, out, &err) == VG_ERR_PARSE);
    put(bad, "rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]y\"7", 0600); /* '"' is not Z85 */
    CHECK(vg_curve_key_read(bad, true, out, &err) == VG_ERR_PARSE);
    put(bad, "rq:rM>}U?@Lns47E1%kR.o@n%FcmmsL/@{H8]yf7", 0600); /* no newline: fine */
    CHECK(vg_curve_key_read(bad, true, out, &err) == VG_OK);
    CHECK(vg_curve_key_read("/nonexistent/k.key", true, out, &err) == VG_ERR_IO);
    CHECK(strstr(err.text, "/nonexistent/k.key") != NULL);

    unlink(sec);
    unlink(pub);
    unlink(bad);
    rmdir(dir);
    return check_summary();
}
