/* test_upload.c: the pieces of the upload path that need no server: the `upload:` section
 * compiled (a valid one field by field, then a table of invalid ones with their exact
 * FILE:LINE messages), the credentials file rules (mode, symbolic link, format), the
 * SHA-256 of known vectors (FIPS 180-2) and the manifest line, and a destination nobody
 * listens on (a refused connection is an I/O error naming the destination). The transfers
 * themselves are tested against real servers in tests/integration/test_upload.sh. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "check.h"
#include "core/config.h"
#include "export/destination.h"
#include "export/manifest.h"
#include "export/upload.h"

#define HEAD "storage:\n  path: /tmp/x\n"  /* lines 1-2 */

static vg_err build(const char *yaml, vg_upload_config **u, vg_errinfo *err)
{
    vg_config *cfg = NULL;
    *u = NULL;
    vg_err rc = vg_config_load_string(yaml, strlen(yaml), "u.yaml", &cfg, err);
    if (rc == VG_OK)
        rc = vg_upload_config_build(cfg, u, err);
    vg_config_free(cfg);
    return rc;
}

static void test_valid(void)
{
    vg_upload_config *u;
    vg_errinfo err;
    CHECK(build(HEAD, &u, &err) == VG_OK);
    if (u) {
        CHECK(u->n_targets == 0 && u->backoff.base_s == 60 && u->backoff.cap_s == 21600);
        vg_upload_config_free(u);
    }
    const char *yaml = HEAD "upload:\n"
                            "  retry_base_s: 0.5\n"
                            "  retry_max_s: 30\n"
                            "  destinations:\n"
                            "    - name: coriolis\n"
                            "      url: ftp://ftp.example.org/in/\n"
                            "      credentials: /etc/vigie/c.cred\n"
                            "      tls: true\n"
                            "      ca_file: /etc/vigie/ca.pem\n"
                            "    - {name: portal, url: 'https://h/up', method: post, connect_timeout_s: 5,"
                            " stall_timeout_s: 9}\n";
    CHECK_MSG(build(yaml, &u, &err) == VG_OK, "%s", err.text);
    if (!u)
        return;
    CHECK(u->n_targets == 2 && u->backoff.base_s == 0.5 && u->backoff.cap_s == 30);
    const vg_upload_target *c = vg_upload_config_find(u, "coriolis"), *p = vg_upload_config_find(u, "portal");
    CHECK(c && !strcmp(c->dest.url, "ftp://ftp.example.org/in/") && !strcmp(c->dest.credentials, "/etc/vigie/c.cred"));
    CHECK(c && c->dest.method == VG_UPLOAD_PUT && c->dest.connect_timeout_s == 30 && c->dest.stall_timeout_s == 60);
    CHECK(p && p->dest.method == VG_UPLOAD_POST && !p->dest.credentials && p->dest.connect_timeout_s == 5 &&
          p->dest.stall_timeout_s == 9 && p->line == 12 && !p->dest.tls && !p->dest.ca_file);
    CHECK(c && c->dest.tls && c->dest.ca_file && !strcmp(c->dest.ca_file, "/etc/vigie/ca.pem"));
    CHECK(!vg_upload_config_find(u, "nope"));
    vg_upload_config_free(u);
}

static void test_invalid(void)
{
    static const struct {
        const char *yaml, *error;
    } cases[] = {
        {HEAD "upload: [1]\n", "u.yaml:3: 'upload' must be a mapping, not a list"},
        {HEAD "upload:\n  retries: 3\n", "u.yaml:4: unknown key 'retries' in upload"},
        {HEAD "upload:\n  retry_base_s: 0\n", "u.yaml:4: upload: retry_base_s must be a number in 0.001..86400"},
        {HEAD "upload:\n  retry_base_s: 10\n  retry_max_s: 5\n",
         "u.yaml:5: upload: retry_max_s (5) is less than retry_base_s (10)"},
        {HEAD "upload:\n  destinations: {name: x}\n", "u.yaml:4: upload.destinations must be a list"},
        {HEAD "upload:\n  destinations:\n    - url: ftp://h/\n", "u.yaml:5: upload.destinations[]: name is required"},
        {HEAD "upload:\n  destinations:\n    - {name: x}\n", "u.yaml:5: upload.destinations[]: url is required"},
        {HEAD "upload:\n  destinations:\n    - {name: X Y, url: ftp://h/}\n",
         "u.yaml:5: upload.destinations[]: name 'X Y' must be 1-31 of a-z 0-9 _ -"},
        {HEAD "upload:\n  destinations:\n    - {name: x, url: 'scp://h/'}\n",
         "u.yaml:5: upload.destinations[]: url 'scp://h/' must start with ftp://"},
        {HEAD "upload:\n  destinations:\n    - {name: x, url: ftp://h/, method: get}\n",
         "u.yaml:5: upload.destinations[]: method must be put or post"},
        {HEAD "upload:\n  destinations:\n    - {name: x, url: ftp://h/, stall_timeout_s: 0}\n",
         "u.yaml:5: upload: stall_timeout_s must be a number in 1..3600"},
        {HEAD "upload:\n  destinations:\n    - {name: x, url: ftp://h/, password: p}\n",
         "u.yaml:5: unknown key 'password' in upload.destinations[]"},
        {HEAD "upload:\n  destinations:\n    - {name: x, url: ftp://h/}\n    - {name: x, url: ftp://g/}\n",
         "u.yaml:6: upload.destinations[]: name 'x' also at line 5"},
        {HEAD "upload:\n  destinations:\n    - just a string\n",
         "u.yaml:5: upload.destinations[] entries are mappings"},
        {HEAD "upload:\n  destinations:\n    - {name: x, url: ftp://h/, tls: yes please}\n",
         "u.yaml:5: upload.destinations[]: tls must be true or false"},
        {HEAD "upload:\n  destinations:\n    - {name: x, url: 'https://h/', tls: true}\n",
         "u.yaml:5: upload.destinations[]: tls applies to ftp:// URLs"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        vg_upload_config *u = NULL;
        vg_errinfo err = {0};
        vg_err rc = build(cases[i].yaml, &u, &err);
        CHECK_MSG(rc == VG_ERR_CONFIG && !u, "case %zu accepted", i);
        CHECK_MSG(strstr(err.text, cases[i].error) != NULL, "case %zu: '%s' lacks '%s'", i, err.text,
                  cases[i].error);
        vg_upload_config_free(u);
    }
}

static void write_file(const char *path, const char *text, mode_t mode)
{
    unlink(path);
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);
    if (fd >= 0) {
        CHECK(write(fd, text, strlen(text)) == (ssize_t)strlen(text));
        close(fd);
        chmod(path, mode);
    }
}

static void test_credentials(const char *dir)
{
    char p[256], l[256], buf[128];
    vg_errinfo err;
    snprintf(p, sizeof p, "%s/cred", dir);
    write_file(p, "user:pa:ss\r\nsecond line\n", 0600);
    CHECK(vg_upload_credentials(p, buf, sizeof buf, &err) == VG_OK);
    CHECK_STR(buf, "user:pa:ss");
    static const mode_t bad[] = {0644, 0640, 0604, 0620, 0602};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        chmod(p, bad[i]);
        CHECK(vg_upload_credentials(p, buf, sizeof buf, &err) == VG_ERR_INVAL);
        char mode[16];
        snprintf(mode, sizeof mode, "mode %04o", (unsigned)bad[i]);
        CHECK_MSG(strstr(err.text, mode) && strstr(err.text, "chmod 600"), "%s", err.text);
    }
    chmod(p, 0400);
    CHECK(vg_upload_credentials(p, buf, sizeof buf, &err) == VG_OK);
    snprintf(l, sizeof l, "%s/link", dir);
    unlink(l);
    CHECK(symlink(p, l) == 0);
    CHECK(vg_upload_credentials(l, buf, sizeof buf, &err) == VG_ERR_IO); /* O_NOFOLLOW */
    write_file(p, "no colon here\n", 0600);
    CHECK(vg_upload_credentials(p, buf, sizeof buf, &err) == VG_ERR_PARSE);
    CHECK(strstr(err.text, "user:password") != NULL);
    CHECK(vg_upload_credentials(dir, buf, sizeof buf, &err) == VG_ERR_INVAL); /* a directory */
    snprintf(l, sizeof l, "%s/missing", dir);
    CHECK(vg_upload_credentials(l, buf, sizeof buf, &err) == VG_ERR_IO);
}

static void test_sha256(const char *dir)
{
    static const struct {
        const char *text, *hex;
    } v[] = {
        {"", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
        {"abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
        {"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
         "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"},
    };
    char p[256], hex[VG_SHA256_HEX], line[200];
    vg_errinfo err;
    snprintf(p, sizeof p, "%s/data", dir);
    for (size_t i = 0; i < sizeof v / sizeof v[0]; i++) {
        write_file(p, v[i].text, 0644);
        CHECK(vg_sha256_file(p, hex, &err) == VG_OK);
        CHECK_STR(hex, v[i].hex);
    }
    size_t n = vg_manifest_line("GL_TS_TG_X.nc", hex, line, sizeof line);
    CHECK(n == 64 + 2 + 13 + 1 && line[n - 1] == '\n' && !strncmp(line + 64, "  GL_TS_TG_X.nc", 15));
    CHECK(vg_manifest_line("x", hex, line, 10) == 0);
    snprintf(p, sizeof p, "%s/none", dir);
    CHECK(vg_sha256_file(p, hex, &err) == VG_ERR_IO && strstr(err.text, "none"));
}

static void test_refused(const char *dir)
{
    /* 127.0.0.1 port 1: nothing listens; the attempt fails at once, naming the URL */
    char p[256];
    snprintf(p, sizeof p, "%s/data", dir);
    vg_upload_dest d = {.url = "ftp://127.0.0.1:1/in/", .connect_timeout_s = 5, .stall_timeout_s = 5};
    vg_errinfo err;
    vg_upload_result r;
    CHECK(vg_upload_global_init(&err) == VG_OK);
    CHECK(vg_upload_file(&d, p, &r, &err) == VG_ERR_IO);
    CHECK_MSG(strstr(err.text, "ftp://127.0.0.1:1/in/") != NULL, "%s", err.text);
    d.url = "gopher://h/";
    CHECK(vg_upload_file(&d, p, &r, &err) == VG_ERR_INVAL);
}

int main(void)
{
    char dir[] = "/tmp/vigie_upload_XXXXXX";
    if (!mkdtemp(dir))
        return 1;
    test_valid();
    test_invalid();
    test_credentials(dir);
    test_sha256(dir);
    test_refused(dir);
    char cmd[300];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    CHECK(system(cmd) == 0);
    return check_summary();
}
