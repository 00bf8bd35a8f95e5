/* test_repl_config.c: the `storage.replication:` section (storage/repl_config.h): what a
 * valid section compiles to, its defaults by role, and a table of bad sections, each with
 * the line and the words its error must give. */
#include <string.h>

#include "check.h"
#include "core/config.h"
#include "storage/repl_config.h"

#define HEAD "storage:\n  path: /tmp/x\n  replication:\n"

/* Load text and compile its replication section; *cfg is left for the caller to free. */
static vg_err compile(const char *text, vg_config **cfg, vg_repl_config **r, vg_errinfo *err)
{
    *cfg = NULL;
    *r = NULL;
    vg_err rc = vg_config_load_string(text, strlen(text), "t.yaml", cfg, err);
    if (rc == VG_OK)
        rc = vg_repl_config_compile(*cfg, r, err);
    return rc;
}

static void test_valid(void)
{
    vg_config *cfg;
    vg_repl_config *r;
    vg_errinfo err;
    vg_err rc = compile(HEAD "    role: master\n    local: 127.0.0.1:7010\n"
                        "    remote: [\"127.0.0.1:7011\", \"b.example.org:7010\"]\n"
                        "    ack_policy: none\n    ack_timeout_ms: 500\n    priority: 7\n",
                        &cfg, &r, &err);
    CHECK_MSG(rc == VG_OK, "%s", err.text);
    CHECK(r && r->role == VG_REPL_MASTER && r->acks == VG_REPL_ACKS_NONE && !r->ack_required);
    CHECK(r && r->ack_timeout_ms == 500 && r->priority == 7);
    CHECK(r && strcmp(r->local.host, "127.0.0.1") == 0 && r->local.port == 7010);
    CHECK(r && r->n_remote == 2 && strcmp(r->remote[1].host, "b.example.org") == 0 &&
          r->remote[1].port == 7010 && r->remote[1].line == 6);
    vg_repl_config_free(r);
    vg_config_free(cfg);
    rc = compile(HEAD "    role: master\n    local: 127.0.0.1:7010\n    remote: [127.0.0.1:7011]\n"
                      "    ack_policy: one\n    ack_required: true\n",
                 &cfg, &r, &err);
    CHECK_MSG(rc == VG_OK, "%s", err.text);
    CHECK(r && r->acks == VG_REPL_ACKS_ONE && r->ack_required);
    vg_repl_config_free(r);
    vg_config_free(cfg);

    /* Defaults: acks all within 2 s; priority 0 for a replica. */
    rc = compile(HEAD "    role: replica\n    local: 127.0.0.1:7011\n    remote: [127.0.0.1:7010]\n",
                 &cfg, &r, &err);
    CHECK_MSG(rc == VG_OK, "%s", err.text);
    CHECK(r && r->role == VG_REPL_REPLICA && r->acks == VG_REPL_ACKS_ALL &&
          r->ack_timeout_ms == 2000 && r->priority == 0 && !r->ack_required);
    vg_repl_config_free(r);
    vg_config_free(cfg);

    /* No section: no replication. */
    rc = compile("storage: {path: /tmp/x}\n", &cfg, &r, &err);
    CHECK(rc == VG_OK && r == NULL);
    vg_config_free(cfg);
}

static void test_errors(void)
{
    static const struct {
        const char *body; /* after HEAD (line 4 on) */
        const char *want; /* in the error text */
    } cases[] = {
        {"    role: master\n    local: 127.0.0.1:7010\n    colour: red\n",
         "t.yaml:6: storage.replication: unknown key 'colour'"},
        {"    local: 127.0.0.1:7010\n", "t.yaml:4: storage.replication: role is required"},
        {"    role: boss\n    local: 127.0.0.1:7010\n", "t.yaml:4: storage.replication: role must be master or replica, not 'boss'"},
        {"    role: election\n    local: 127.0.0.1:7010\n", "t.yaml:4: storage.replication: role 'election' is not supported"},
        {"    role: master\n", "t.yaml:4: storage.replication: local is required"},
        {"    role: master\n    local: 127.0.0.1\n", "t.yaml:5: storage.replication: local must be HOST:PORT"},
        {"    role: master\n    local: 127.0.0.1:0\n", "t.yaml:5: storage.replication: local must be HOST:PORT"},
        {"    role: master\n    local: 127.0.0.1:65536\n", "local must be HOST:PORT"},
        {"    role: master\n    local: :7010\n", "local must be HOST:PORT"},
        {"    role: master\n    local: [a, b]\n", "t.yaml:5: storage.replication: local must be HOST:PORT"},
        {"    role: replica\n    local: 127.0.0.1:7011\n", "a replica needs at least one remote site"},
        {"    role: replica\n    local: 127.0.0.1:7011\n    remote: []\n", "t.yaml:6: storage.replication: a replica needs at least one remote site"},
        {"    role: master\n    local: 127.0.0.1:7010\n    remote: 127.0.0.1:7011\n", "t.yaml:6: storage.replication: remote must be a list"},
        {"    role: master\n    local: 127.0.0.1:7010\n    remote:\n      - 127.0.0.1:7010\n", "t.yaml:7: storage.replication: remote 127.0.0.1:7010 is this site's local address"},
        {"    role: master\n    local: 127.0.0.1:7010\n    remote:\n      - h:1\n      - h:1\n", "t.yaml:8: storage.replication: remote h:1 is listed twice (line 7)"},
        {"    role: master\n    local: 127.0.0.1:7010\n    ack_policy: most\n", "t.yaml:6: storage.replication: ack_policy must be all, one or none, not 'most'"},
        {"    role: master\n    local: 127.0.0.1:7010\n    ack_timeout_ms: 0\n", "t.yaml:6: storage.replication: ack_timeout_ms must be an integer in 1..600000, not '0'"},
        {"    role: master\n    local: 127.0.0.1:7010\n    priority: high\n", "t.yaml:6: storage.replication: priority must be an integer in 0..1000, not 'high'"},
        {"    role: master\n    local: 127.0.0.1:7010\n    ack_required: yes\n", "t.yaml:6: storage.replication: ack_required must be true or false, not 'yes'"},
        {"    role: master\n    local: 127.0.0.1:7010\n    ack_policy: none\n    ack_required: true\n", "t.yaml:7: storage.replication: ack_required: true needs ack_policy: one (a commit is acknowledged when a replica has it), not none"},
        {"    role: master\n    local: 127.0.0.1:7010\n    ack_required: true\n", "t.yaml:6: storage.replication: ack_required: true needs ack_policy: one"},
        {"    role: master\n    local: 127.0.0.1:7010\n    ack_policy: one\n    ack_required: true\n", "t.yaml:7: storage.replication: ack_required: true needs a remote site"},
        {"    role: master\n    local: 127.0.0.1:7010\n    remote: [127.0.0.1:7011]\n    ack_policy: quorum\n", "t.yaml:7: storage.replication: ack_policy: quorum is not supported: it is Berkeley DB's policy for groups that elect their master"},
        {"    role: replica\n    local: 127.0.0.1:7011\n    ack_policy: quorum\n    remote: [127.0.0.1:7010, 127.0.0.1:7012]\n", "t.yaml:6: storage.replication: ack_policy: quorum is not supported"},
    };
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        char text[1024];
        snprintf(text, sizeof text, "%s%s", HEAD, cases[i].body);
        vg_config *cfg;
        vg_repl_config *r;
        vg_errinfo err = {0};
        vg_err rc = compile(text, &cfg, &r, &err);
        CHECK_MSG(rc == VG_ERR_CONFIG && r == NULL, "case %zu: rc %d", i, (int)rc);
        CHECK_MSG(strstr(err.text, cases[i].want) != NULL, "case %zu: '%s' lacks '%s'", i,
                  err.text, cases[i].want);
        vg_config_free(cfg);
    }
    /* Not a mapping: refused by core/config.c, with the line. */
    vg_config *cfg;
    vg_repl_config *r;
    vg_errinfo err = {0};
    vg_err rc = compile("storage:\n  path: /tmp/x\n  replication: yes\n", &cfg, &r, &err);
    CHECK(rc == VG_ERR_CONFIG);
    CHECK_MSG(strstr(err.text, "t.yaml:3: storage.replication must be a mapping") != NULL, "%s",
              err.text);
    vg_config_free(cfg);
}

/* vg_repl_config_equal: what SIGHUP compares to say that the running settings stay. */
static void test_equal(void)
{
    static const char *const texts[] = {
        HEAD "    role: master\n    local: 127.0.0.1:7010\n    remote: [127.0.0.1:7011, "
             "127.0.0.1:7012]\n",
        /* the same once more, written another way: equal (lines are not compared) */
        HEAD "    local: \"127.0.0.1:7010\"\n    role: master\n\n    remote:\n"
             "      - 127.0.0.1:7011\n      - 127.0.0.1:7012\n",
        /* then one setting different each */
        HEAD "    role: master\n    local: 127.0.0.1:7010\n    remote: [127.0.0.1:7012, "
             "127.0.0.1:7011]\n",
        HEAD "    role: master\n    local: 127.0.0.1:7010\n    remote: [127.0.0.1:7011]\n",
        HEAD "    role: master\n    local: 127.0.0.1:7013\n    remote: [127.0.0.1:7011, "
             "127.0.0.1:7012]\n",
        HEAD "    role: replica\n    local: 127.0.0.1:7010\n    remote: [127.0.0.1:7011, "
             "127.0.0.1:7012]\n    priority: 100\n",
        HEAD "    role: master\n    local: 127.0.0.1:7010\n    remote: [127.0.0.1:7011, "
             "127.0.0.1:7012]\n    ack_policy: one\n",
        HEAD "    role: master\n    local: 127.0.0.1:7010\n    remote: [127.0.0.1:7011, "
             "127.0.0.1:7012]\n    ack_timeout_ms: 2001\n",
        HEAD "    role: master\n    local: 127.0.0.1:7010\n    remote: [127.0.0.1:7011, "
             "127.0.0.1:7012]\n    ack_policy: one\n    ack_required: true\n",
        HEAD "    role: master\n    local: 127.0.0.1:7010\n    remote: [127.0.0.1:7011, "
             "127.0.0.1:7012]\n    priority: 99\n",
        HEAD "    role: master\n    local: localhost:7010\n    remote: [127.0.0.1:7011, "
             "127.0.0.1:7012]\n",
    };
    enum { N = sizeof texts / sizeof texts[0] };
    vg_config *cfg[N];
    vg_repl_config *r[N];
    for (size_t i = 0; i < N; i++) {
        vg_errinfo err = {0};
        vg_err rc = compile(texts[i], &cfg[i], &r[i], &err);
        CHECK_MSG(rc == VG_OK && r[i], "text %zu: %s", i, err.text);
    }
    CHECK(vg_repl_config_equal(r[0], r[0]) && vg_repl_config_equal(r[0], r[1]));
    for (size_t i = 2; i < N; i++)
        CHECK_MSG(!vg_repl_config_equal(r[0], r[i]) && !vg_repl_config_equal(r[i], r[0]),
                  "text %zu differs from text 0", i);
    /* ack_policy one with ack_required and without: only ack_required differs. */
    CHECK(!vg_repl_config_equal(r[6], r[8]));
    CHECK(vg_repl_config_equal(NULL, NULL));
    CHECK(!vg_repl_config_equal(r[0], NULL) && !vg_repl_config_equal(NULL, r[0]));
    for (size_t i = 0; i < N; i++) {
        vg_repl_config_free(r[i]);
        vg_config_free(cfg[i]);
    }
}

int main(void)
{
    test_valid();
    test_errors();
    test_equal();
    return check_summary();
}
