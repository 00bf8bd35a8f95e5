/* upload.c: one attempt to upload a file and its manifest with libcurl (upload.h): the
 * remote temporary part's size decides resume or restart, the transfer appends from there,
 * the size is checked, and a rename makes the file appear whole. */
#include "export/upload.h"
#include "export/manifest.h"

#include <curl/curl.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

typedef enum { UP_FTP, UP_SFTP, UP_HTTP } up_kind;

vg_err vg_upload_global_init(vg_errinfo *err)
{
    CURLcode c = curl_global_init(CURL_GLOBAL_DEFAULT);
    return c == CURLE_OK ? VG_OK : vg_fail(err, VG_ERR_IO, "libcurl: %s", curl_easy_strerror(c));
}

vg_err vg_upload_credentials(const char *path, char *buf, size_t cap, vg_errinfo *err)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
    if (fd < 0)
        return vg_fail(err, VG_ERR_IO, "credentials %s: %s", path, strerror(errno));
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
        close(fd);
        return vg_fail(err, VG_ERR_INVAL, "credentials %s: not a regular file", path);
    }
    if (st.st_mode & (S_IRWXG | S_IRWXO)) {
        close(fd);
        return vg_fail(err, VG_ERR_INVAL,
                       "credentials %s: mode %04o lets others read or change it: chmod 600 %s",
                       path, (unsigned)(st.st_mode & 07777), path);
    }
    ssize_t n = read(fd, buf, cap - 1);
    close(fd);
    if (n < 0)
        return vg_fail(err, VG_ERR_IO, "credentials %s: %s", path, strerror(errno));
    buf[n] = '\0';
    buf[strcspn(buf, "\r\n")] = '\0';
    if (!strchr(buf, ':'))
        return vg_fail(err, VG_ERR_PARSE, "credentials %s: the first line must be user:password",
                       path);
    return VG_OK;
}

/* What a transfer reads: a file from an offset on, or bytes in memory. */
typedef struct up_source {
    FILE *f;
    const char *mem;
    size_t mem_len, mem_pos;
    uint64_t sent;
} up_source;

static size_t up__read(char *buf, size_t size, size_t nitems, void *ctx)
{
    up_source *s = ctx;
    size_t want = size * nitems, n;
    if (s->f) {
        n = fread(buf, 1, want, s->f);
        if (n == 0 && ferror(s->f))
            return CURL_READFUNC_ABORT;
    } else {
        n = s->mem_len - s->mem_pos < want ? s->mem_len - s->mem_pos : want;
        memcpy(buf, s->mem + s->mem_pos, n);
        s->mem_pos += n;
    }
    s->sent += n;
    return n;
}

/* curl seeks the source to the resume offset with this. */
static int up__seek(void *ctx, curl_off_t offset, int origin)
{
    up_source *s = ctx;
    if (origin != SEEK_SET)
        return CURL_SEEKFUNC_CANTSEEK;
    if (s->f)
        return fseeko(s->f, (off_t)offset, SEEK_SET) == 0 ? CURL_SEEKFUNC_OK : CURL_SEEKFUNC_FAIL;
    if ((size_t)offset > s->mem_len)
        return CURL_SEEKFUNC_FAIL;
    s->mem_pos = (size_t)offset;
    return CURL_SEEKFUNC_OK;
}

static size_t up__discard(char *ptr, size_t size, size_t nmemb, void *ctx)
{
    (void)ptr;
    (void)ctx;
    return size * nmemb;
}

typedef struct up_ctx {
    const vg_upload_dest *d;
    up_kind kind;
    char *dir;          /* the directory URL with its trailing '/' */
    char *dir_path;     /* its path part, for SFTP commands: "/dir/" */
    char userpwd[512];
    char curl_err[CURL_ERROR_SIZE];
} up_ctx;

/* Progress callback: non-zero aborts the transfer when the owner asks to stop. */
static int up__progress(void *ctx, curl_off_t dt, curl_off_t dn, curl_off_t ut, curl_off_t un)
{
    (void)dt, (void)dn, (void)ut, (void)un;
    const atomic_bool *cancel = ctx;
    return cancel && atomic_load(cancel);
}

/* A handle with the options every request shares. */
static CURL *up__handle(up_ctx *c, const char *url)
{
    CURL *h = curl_easy_init();
    if (!h)
        return NULL;
    curl_easy_setopt(h, CURLOPT_URL, url);
    curl_easy_setopt(h, CURLOPT_ERRORBUFFER, c->curl_err);
    curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, c->d->connect_timeout_s > 0 ? c->d->connect_timeout_s : 30L);
    curl_easy_setopt(h, CURLOPT_LOW_SPEED_LIMIT, 1L);
    curl_easy_setopt(h, CURLOPT_LOW_SPEED_TIME, c->d->stall_timeout_s > 0 ? c->d->stall_timeout_s : 60L);
    curl_easy_setopt(h, CURLOPT_WRITEFUNCTION, up__discard);
    if (c->d->cancel) {
        curl_easy_setopt(h, CURLOPT_XFERINFOFUNCTION, up__progress);
        curl_easy_setopt(h, CURLOPT_XFERINFODATA, (void *)c->d->cancel);
        curl_easy_setopt(h, CURLOPT_NOPROGRESS, 0L);
    }
    if (c->userpwd[0])
        curl_easy_setopt(h, CURLOPT_USERPWD, c->userpwd);
    if (c->d->tls)
        curl_easy_setopt(h, CURLOPT_USE_SSL, (long)CURLUSESSL_ALL);
    if (c->d->ca_file)
        curl_easy_setopt(h, CURLOPT_CAINFO, c->d->ca_file);
    if (c->kind == UP_FTP)
        curl_easy_setopt(h, CURLOPT_FTP_CREATE_MISSING_DIRS, (long)CURLFTP_CREATE_DIR_RETRY);
    if (c->kind == UP_SFTP)
        curl_easy_setopt(h, CURLOPT_FTP_CREATE_MISSING_DIRS, 1L);
    return h;
}

static vg_err up__fail(up_ctx *c, CURLcode rc, const char *step, const char *name, vg_errinfo *err)
{
    return vg_fail(err, VG_ERR_IO, "upload of %s to %s: %s: %s", name, c->dir, step,
                   c->curl_err[0] ? c->curl_err : curl_easy_strerror(rc));
}

/* Size of the remote file `name` in the directory; 0 when it does not exist. */
static vg_err up__remote_size(up_ctx *c, const char *name, uint64_t *size, vg_errinfo *err)
{
    char url[2048];
    snprintf(url, sizeof url, "%s%s", c->dir, name);
    CURL *h = up__handle(c, url);
    if (!h)
        return vg_fail(err, VG_ERR_NOMEM, "libcurl: no handle");
    curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
    c->curl_err[0] = '\0';
    CURLcode rc = curl_easy_perform(h);
    curl_off_t len = -1;
    vg_err out = VG_OK;
    *size = 0;
    if (rc == CURLE_OK) {
        curl_easy_getinfo(h, CURLINFO_CONTENT_LENGTH_DOWNLOAD_T, &len);
        *size = len > 0 ? (uint64_t)len : 0;
    } else if (rc != CURLE_REMOTE_FILE_NOT_FOUND && rc != CURLE_FTP_COULDNT_RETR_FILE) {
        out = up__fail(c, rc, "asking the size of the partial upload", name, err);
    }
    curl_easy_cleanup(h);
    return out;
}

/* Run the commands of `cmds` (NULL-terminated) in the directory: FTP sends them after its
 * CWD into the directory (POSTQUOTE: QUOTE would run before it); SFTP names full paths. */
static vg_err up__commands(up_ctx *c, const char *const *cmds, const char *step, const char *name,
                           vg_errinfo *err)
{
    CURL *h = up__handle(c, c->dir);
    if (!h)
        return vg_fail(err, VG_ERR_NOMEM, "libcurl: no handle");
    struct curl_slist *list = NULL;
    for (size_t i = 0; cmds[i]; i++)
        list = curl_slist_append(list, cmds[i]);
    curl_easy_setopt(h, CURLOPT_NOBODY, 1L);
    curl_easy_setopt(h, c->kind == UP_FTP ? CURLOPT_POSTQUOTE : CURLOPT_QUOTE, list);
    c->curl_err[0] = '\0';
    CURLcode rc = curl_easy_perform(h);
    vg_err out = rc == CURLE_OK ? VG_OK : up__fail(c, rc, step, name, err);
    curl_slist_free_all(list);
    curl_easy_cleanup(h);
    return out;
}

/* Delete the remote file `name` (failure ignored: it may not exist). */
static void up__delete(up_ctx *c, const char *name)
{
    char cmd[2048];
    if (c->kind == UP_FTP)
        snprintf(cmd, sizeof cmd, "*DELE %s", name);
    else
        snprintf(cmd, sizeof cmd, "*rm %s%s", c->dir_path, name);
    const char *cmds[] = {cmd, NULL};
    vg_errinfo ignored;
    up__commands(c, cmds, "deleting", name, &ignored);
}

/* Send src (total bytes) as `name`: FTP/SFTP through .name.part, resumed or restarted,
 * then renamed; HTTP whole. */
static vg_err up__send(up_ctx *c, const char *name, up_source *src, uint64_t total,
                       vg_upload_result *res, vg_errinfo *err)
{
    char part[1024], url[2048];
    vg_err rc;
    uint64_t have = 0;
    if (c->kind == UP_HTTP && c->d->method == VG_UPLOAD_POST) {
        CURL *h = up__handle(c, c->dir);
        if (!h)
            return vg_fail(err, VG_ERR_NOMEM, "libcurl: no handle");
        curl_mime *mime = curl_mime_init(h);
        curl_mimepart *mp = curl_mime_addpart(mime);
        curl_mime_name(mp, "file");
        curl_mime_filename(mp, name);
        curl_mime_data_cb(mp, (curl_off_t)total, up__read, up__seek, NULL, src);
        curl_easy_setopt(h, CURLOPT_MIMEPOST, mime);
        curl_easy_setopt(h, CURLOPT_FAILONERROR, 1L);
        c->curl_err[0] = '\0';
        CURLcode cr = curl_easy_perform(h);
        rc = cr == CURLE_OK ? VG_OK : up__fail(c, cr, "POST", name, err);
        curl_mime_free(mime);
        curl_easy_cleanup(h);
        return rc;
    }
    snprintf(part, sizeof part, c->kind == UP_HTTP ? "%s" : ".%s.part", name);
    if (c->kind != UP_HTTP) {
        if ((rc = up__remote_size(c, part, &have, err)) != VG_OK)
            return rc;
        if (have > total) { /* a part of another version of the file: start again */
            up__delete(c, part);
            have = 0;
        }
    }
    if (res && src->f)
        res->resumed_from = have;
    if (have < total || total == 0) {
        snprintf(url, sizeof url, "%s%s", c->dir, part);
        CURL *h = up__handle(c, url);
        if (!h)
            return vg_fail(err, VG_ERR_NOMEM, "libcurl: no handle");
        curl_easy_setopt(h, CURLOPT_UPLOAD, 1L);
        curl_easy_setopt(h, CURLOPT_READFUNCTION, up__read);
        curl_easy_setopt(h, CURLOPT_READDATA, src);
        curl_easy_setopt(h, CURLOPT_SEEKFUNCTION, up__seek);
        curl_easy_setopt(h, CURLOPT_SEEKDATA, src);
        curl_easy_setopt(h, CURLOPT_INFILESIZE_LARGE, (curl_off_t)total);
        if (have)
            curl_easy_setopt(h, CURLOPT_RESUME_FROM_LARGE, (curl_off_t)have);
        if (c->kind == UP_HTTP)
            curl_easy_setopt(h, CURLOPT_FAILONERROR, 1L);
        c->curl_err[0] = '\0';
        CURLcode cr = curl_easy_perform(h);
        curl_easy_cleanup(h);
        if (res && src->f)
            res->bytes_sent = src->sent;
        if (cr != CURLE_OK)
            return up__fail(c, cr, have ? "resumed transfer" : "transfer", name, err);
    }
    if (c->kind == UP_HTTP)
        return VG_OK;
    uint64_t now_have;
    if ((rc = up__remote_size(c, part, &now_have, err)) != VG_OK)
        return rc;
    if (now_have != total) {
        up__delete(c, part);
        return vg_fail(err, VG_ERR_IO, "upload of %s to %s: the server holds %llu bytes of %llu: "
                       "part removed, the next attempt starts again", name, c->dir,
                       (unsigned long long)now_have, (unsigned long long)total);
    }
    char c1[2048], c2[2048], c3[2048];
    if (c->kind == UP_FTP) {
        snprintf(c1, sizeof c1, "*DELE %s", name);
        snprintf(c2, sizeof c2, "RNFR %s", part);
        snprintf(c3, sizeof c3, "RNTO %s", name);
    } else {
        snprintf(c1, sizeof c1, "*rm %s%s", c->dir_path, name);
        snprintf(c2, sizeof c2, "rename %s%s %s%s", c->dir_path, part, c->dir_path, name);
        c3[0] = '\0';
    }
    const char *cmds[] = {c1, c2, c3[0] ? c3 : NULL, NULL};
    return up__commands(c, cmds, "renaming the complete part", name, err);
}

vg_err vg_upload_file(const vg_upload_dest *d, const char *path, vg_upload_result *res,
                      vg_errinfo *err)
{
    up_ctx c = {.d = d};
    vg_upload_result dummy;
    if (!res)
        res = &dummy;
    memset(res, 0, sizeof *res);
    const char *u = d->url;
    if (!strncmp(u, "ftp://", 6) || !strncmp(u, "ftps://", 7))
        c.kind = UP_FTP;
    else if (!strncmp(u, "sftp://", 7))
        c.kind = UP_SFTP;
    else if (!strncmp(u, "http://", 7) || !strncmp(u, "https://", 8))
        c.kind = UP_HTTP;
    else
        return vg_fail(err, VG_ERR_INVAL, "destination %s: the URL must start with ftp://, "
                       "ftps://, sftp://, http:// or https://", u);
    const char *name = strrchr(path, '/');
    name = name ? name + 1 : path;
    if (!*name)
        return vg_fail(err, VG_ERR_INVAL, "%s: not a file name", path);
    vg_err rc;
    if (d->credentials &&
        (rc = vg_upload_credentials(d->credentials, c.userpwd, sizeof c.userpwd, err)) != VG_OK)
        return rc;
    size_t ul = strlen(u);
    bool post = c.kind == UP_HTTP && d->method == VG_UPLOAD_POST;
    c.dir = malloc(ul + 2);
    if (!c.dir)
        return vg_fail(err, VG_ERR_NOMEM, "out of memory");
    snprintf(c.dir, ul + 2, "%s%s", u, post || (ul && u[ul - 1] == '/') ? "" : "/");
    /* the path of the directory, for SFTP commands: after "sftp://host[:port]" */
    const char *p = strchr(strstr(c.dir, "://") + 3, '/');
    c.dir_path = strdup(p ? p : "/");
    if (!c.dir_path) {
        free(c.dir);
        return vg_fail(err, VG_ERR_NOMEM, "out of memory");
    }
    /* One open file for the digest and the bytes sent: a file replaced meanwhile (the
     * scheduled export rewrites it) cannot give a manifest of other bytes. */
    FILE *f = fopen(path, "rb");
    if (!f) {
        rc = vg_fail(err, VG_ERR_IO, "cannot open %s: %s", path, strerror(errno));
        goto out;
    }
    struct stat st;
    fstat(fileno(f), &st);
    if ((rc = vg_sha256_fd(fileno(f), path, res->sha256, err)) != VG_OK) {
        fclose(f);
        goto out;
    }
    up_source src = {.f = f};
    rc = up__send(&c, name, &src, (uint64_t)st.st_size, res, err);
    fclose(f);
    if (rc != VG_OK)
        goto out;
    /* The manifest, after the file: its presence says the file is complete. */
    char line[1200], mname[1100];
    size_t n = vg_manifest_line(name, res->sha256, line, sizeof line);
    snprintf(mname, sizeof mname, "%s.sha256", name);
    up_source msrc = {.mem = line, .mem_len = n};
    rc = up__send(&c, mname, &msrc, n, NULL, err);
out:
    free(c.dir);
    free(c.dir_path);
    return rc;
}
