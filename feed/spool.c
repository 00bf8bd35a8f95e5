/* spool.c: the feed's on-disk spool (spool.h): segment files of CRC-checked records,
 * appended through a buffer, read back for sending, removed once acknowledged. */
#include "feed/spool.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>
#include <zlib.h>

#include "core/log.h"

#define SEG_MAGIC "VGSPOOL1"
#define SEG_HDR 36  /* magic 8, first seq 8, inode 8, offset 8, crc 4 */
#define REC_HDR 40  /* len 4, crc 4, seq 8, time 8, inode 8, offset 8 */
#define REC_MAX (16u * 1024u * 1024u)
#define SEG_NAME_LEN 31 /* "seg-" + 20 digits + ".spool" + NUL */

struct vg_spool {
    char *dir;
    vg_spool_options opt;
    uint64_t id;
    uint64_t *segs;        /* first sequence of each segment, ascending; the last is open */
    size_t n_segs, cap_segs;
    int wfd;               /* the newest segment, for appending */
    uint64_t wsize;        /* its bytes written */
    unsigned char *wbuf;   /* appended, not written yet */
    size_t wlen, wcap;
    uint64_t next_seq;     /* sequence of the next frame appended */
    uint64_t flushed;      /* last sequence written to the file */
    uint64_t synced;       /* last sequence synced to disk */
    uint64_t acked;
    vg_spool_pos pos;      /* input position after the last frame appended */
    int64_t last_sync_mono;
    int rfd;               /* read cursor: segment rbase, at roff, next record rnext */
    uint64_t rbase, roff, rnext;
    unsigned char *rbuf;
    size_t rcap;
};

/* ---- little-endian helpers ---------------------------------------------------------- */

static void put_u32(unsigned char *p, uint32_t u)
{
    for (int i = 0; i < 4; i++)
        p[i] = (unsigned char)(u >> (8 * i));
}
static void put_u64(unsigned char *p, uint64_t u)
{
    for (int i = 0; i < 8; i++)
        p[i] = (unsigned char)(u >> (8 * i));
}
static uint32_t get_u32(const unsigned char *p)
{
    uint32_t u = 0;
    for (int i = 0; i < 4; i++)
        u |= (uint32_t)p[i] << (8 * i);
    return u;
}
static uint64_t get_u64(const unsigned char *p)
{
    uint64_t u = 0;
    for (int i = 0; i < 8; i++)
        u |= (uint64_t)p[i] << (8 * i);
    return u;
}

static uint32_t crc(const unsigned char *a, size_t alen, const void *b, size_t blen)
{
    uLong c = crc32(0L, Z_NULL, 0);
    c = crc32(c, a, (uInt)alen);
    if (blen)
        c = crc32(c, b, (uInt)blen);
    return (uint32_t)c;
}

static void seg_path(const vg_spool *sp, uint64_t base, char *out, size_t cap)
{
    snprintf(out, cap, "%s/seg-%020" PRIu64 ".spool", sp->dir, base);
}

static vg_err io_fail(vg_errinfo *err, const char *what, const char *path)
{
    return vg_fail(err, VG_ERR_IO, "%s: %s: %s", path, what, strerror(errno));
}

static int write_all(int fd, const void *buf, size_t len)
{
    const char *p = buf;
    while (len) {
        ssize_t w = write(fd, p, len);
        if (w < 0 && errno == EINTR)
            continue;
        if (w < 0)
            return -1;
        p += w;
        len -= (size_t)w;
    }
    return 0;
}

static int pread_all(int fd, void *buf, size_t len, uint64_t off)
{
    char *p = buf;
    size_t got = 0;
    while (got < len) {
        ssize_t r = pread(fd, p + got, len - got, (off_t)(off + got));
        if (r < 0 && errno == EINTR)
            continue;
        if (r < 0)
            return -1;
        if (r == 0)
            break;
        got += (size_t)r;
    }
    return (int)(got == len);
}

static void sync_dir(const char *dir)
{
    int fd = open(dir, O_RDONLY | O_DIRECTORY);
    if (fd >= 0) {
        fsync(fd);
        close(fd);
    }
}

/* ---- the spool id -------------------------------------------------------------------- */

static vg_err spool__new_id(vg_spool *sp, vg_errinfo *err)
{
    uint64_t id = 0;
    while (id == 0)
        if (getrandom(&id, sizeof id, 0) != (ssize_t)sizeof id)
            return vg_fail(err, VG_ERR_IO, "%s: getrandom: %s", sp->dir, strerror(errno));
    char path[4096], tmp[4096], text[32];
    snprintf(path, sizeof path, "%s/spool.id", sp->dir);
    snprintf(tmp, sizeof tmp, "%s/spool.id.tmp", sp->dir);
    int n = snprintf(text, sizeof text, "%016" PRIx64 "\n", id);
    int fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC, 0640);
    if (fd < 0)
        return io_fail(err, "cannot create", tmp);
    if (write_all(fd, text, (size_t)n) != 0 || fsync(fd) != 0) {
        vg_err rc = io_fail(err, "cannot write", tmp);
        close(fd);
        return rc;
    }
    close(fd);
    if (rename(tmp, path) != 0)
        return io_fail(err, "cannot rename into place", path);
    sync_dir(sp->dir);
    sp->id = id;
    return VG_OK;
}

static vg_err spool__read_id(vg_spool *sp, vg_errinfo *err)
{
    char path[4096], text[40] = "";
    snprintf(path, sizeof path, "%s/spool.id", sp->dir);
    FILE *f = fopen(path, "r");
    if (!f)
        return io_fail(err, "cannot open", path);
    bool ok = fgets(text, sizeof text, f) && sscanf(text, "%16" SCNx64, &sp->id) == 1 && sp->id;
    fclose(f);
    if (!ok)
        return vg_fail(err, VG_ERR_IO, "%s: not 16 hex digits: a damaged spool (move it "
                       "aside; its frames can be read with any tool, see docs/feed.md)", path);
    return VG_OK;
}

/* ---- segments ------------------------------------------------------------------------ */

static int cmp_u64(const void *a, const void *b)
{
    uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;
    return x < y ? -1 : x > y;
}

static vg_err spool__list(vg_spool *sp, vg_errinfo *err)
{
    DIR *d = opendir(sp->dir);
    if (!d)
        return io_fail(err, "cannot list", sp->dir);
    struct dirent *de;
    while ((de = readdir(d))) {
        uint64_t base;
        char tail[16];
        if (strlen(de->d_name) != SEG_NAME_LEN - 1 ||
            sscanf(de->d_name, "seg-%20" SCNu64 "%7s", &base, tail) != 2 ||
            strcmp(tail, ".spool") != 0 || base == 0)
            continue;
        if (sp->n_segs == sp->cap_segs) {
            size_t nc = sp->cap_segs ? 2 * sp->cap_segs : 16;
            uint64_t *ns = realloc(sp->segs, nc * sizeof *ns);
            if (!ns) {
                closedir(d);
                return vg_fail(err, VG_ERR_NOMEM, "%s: out of memory", sp->dir);
            }
            sp->segs = ns;
            sp->cap_segs = nc;
        }
        sp->segs[sp->n_segs++] = base;
    }
    closedir(d);
    if (sp->n_segs) /* qsort's array must not be NULL, even for 0 elements */
        qsort(sp->segs, sp->n_segs, sizeof *sp->segs, cmp_u64);
    return VG_OK;
}

/* Create segment `base` with its header (synced, and the directory too) and make it the
 * one appended to. */
static vg_err spool__create_segment(vg_spool *sp, uint64_t base, vg_errinfo *err)
{
    char path[4096];
    seg_path(sp, base, path, sizeof path);
    if (sp->n_segs == sp->cap_segs) {
        size_t nc = sp->cap_segs ? 2 * sp->cap_segs : 16;
        uint64_t *ns = realloc(sp->segs, nc * sizeof *ns);
        if (!ns)
            return vg_fail(err, VG_ERR_NOMEM, "%s: out of memory", sp->dir);
        sp->segs = ns;
        sp->cap_segs = nc;
    }
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_APPEND, 0640);
    if (fd < 0)
        return io_fail(err, "cannot create", path);
    unsigned char h[SEG_HDR];
    memcpy(h, SEG_MAGIC, 8);
    put_u64(h + 8, base);
    put_u64(h + 16, sp->pos.inode);
    put_u64(h + 24, sp->pos.offset);
    put_u32(h + 32, crc(h, 32, NULL, 0));
    if (write_all(fd, h, sizeof h) != 0 || fdatasync(fd) != 0) {
        vg_err rc = io_fail(err, "cannot write", path);
        close(fd);
        unlink(path);
        return rc;
    }
    sync_dir(sp->dir);
    if (sp->wfd >= 0)
        close(sp->wfd);
    sp->wfd = fd;
    sp->wsize = SEG_HDR;
    sp->segs[sp->n_segs++] = base;
    return VG_OK;
}

/* Check the newest segment: header, then records up to the first torn or damaged one,
 * where the file is cut. Sets next_seq, pos, wfd, wsize. A segment without a valid header
 * (a crash while it was being created) is removed: false in *gone. */
static vg_err spool__recover_last(vg_spool *sp, bool *gone, vg_errinfo *err)
{
    uint64_t base = sp->segs[sp->n_segs - 1];
    char path[4096];
    seg_path(sp, base, path, sizeof path);
    *gone = false;
    int fd = open(path, O_RDWR | O_APPEND);
    if (fd < 0)
        return io_fail(err, "cannot open", path);
    struct stat st;
    if (fstat(fd, &st) != 0) {
        vg_err rc = io_fail(err, "cannot stat", path);
        close(fd);
        return rc;
    }
    unsigned char h[REC_HDR];
    if (pread_all(fd, h, SEG_HDR, 0) != 1 || memcmp(h, SEG_MAGIC, 8) != 0 ||
        get_u64(h + 8) != base || get_u32(h + 32) != crc(h, 32, NULL, 0)) {
        if (st.st_size > SEG_HDR) {
            close(fd);
            return vg_fail(err, VG_ERR_IO, "%s: bad segment header: not a vigie spool "
                           "segment, or damaged (move it aside)", path);
        }
        vg_warn("%s: segment cut short while it was being created: removed", path);
        close(fd);
        unlink(path);
        sp->n_segs--;
        *gone = true;
        return VG_OK;
    }
    sp->pos.inode = get_u64(h + 16);
    sp->pos.offset = get_u64(h + 24);
    uint64_t off = SEG_HDR, seq = base;
    unsigned char *data = NULL;
    size_t cap = 0;
    const char *why = NULL;
    for (;;) {
        int r = pread_all(fd, h, REC_HDR, off);
        if (r < 0) {
            free(data);
            vg_err rc = io_fail(err, "cannot read", path);
            close(fd);
            return rc;
        }
        if (r == 0) {
            if (off < (uint64_t)st.st_size)
                why = "a record header cut short";
            break;
        }
        uint32_t len = get_u32(h);
        if (len > REC_MAX || get_u64(h + 8) != seq) {
            why = "a record with a wrong length or sequence";
            break;
        }
        if (len > cap) {
            unsigned char *nd = realloc(data, len);
            if (!nd) {
                free(data);
                close(fd);
                return vg_fail(err, VG_ERR_NOMEM, "%s: out of memory", path);
            }
            data = nd;
            cap = len;
        }
        if (len && pread_all(fd, data, len, off + REC_HDR) != 1) {
            why = "a record cut short";
            break;
        }
        if (get_u32(h + 4) != crc(h + 8, REC_HDR - 8, data, len)) {
            why = "a record whose CRC does not match";
            break;
        }
        sp->pos.inode = get_u64(h + 24);
        sp->pos.offset = get_u64(h + 32);
        off += REC_HDR + len;
        seq++;
    }
    free(data);
    if (why) {
        vg_warn("%s: torn tail at byte %" PRIu64 " (%s, %" PRIu64 " bytes): cut off; frames "
                "up to %" PRIu64 " are intact", path, off, why, (uint64_t)st.st_size - off,
                seq - 1);
        if (ftruncate(fd, (off_t)off) != 0 || fdatasync(fd) != 0) {
            vg_err rc = io_fail(err, "cannot cut the torn tail of", path);
            close(fd);
            return rc;
        }
    }
    sp->wfd = fd;
    sp->wsize = off;
    sp->next_seq = seq;
    return VG_OK;
}

vg_err vg_spool_open(const char *dir, const vg_spool_options *opt, vg_spool **out,
                     vg_errinfo *err)
{
    *out = NULL;
    if (opt->segment_bytes < 4096 || opt->segment_bytes > (1u << 30) ||
        (opt->sync == VG_SPOOL_SYNC_INTERVAL &&
         (opt->sync_interval_ms < 1 || opt->sync_interval_ms > 60000)))
        return vg_fail(err, VG_ERR_INVAL, "%s: spool options out of range", dir);
    if (mkdir(dir, 0750) != 0 && errno != EEXIST)
        return io_fail(err, "cannot create the spool directory", dir);
    vg_spool *sp = calloc(1, sizeof *sp);
    if (!sp || !(sp->dir = strdup(dir))) {
        free(sp);
        return vg_fail(err, VG_ERR_NOMEM, "%s: out of memory", dir);
    }
    sp->opt = *opt;
    sp->wfd = sp->rfd = -1;
    sp->last_sync_mono = vg_time_mono_us();
    vg_err rc = spool__list(sp, err);
    bool gone = true;
    while (rc == VG_OK && gone && sp->n_segs)
        rc = spool__recover_last(sp, &gone, err);
    if (rc == VG_OK && sp->n_segs == 0) {
        /* A new spool, or one whose every segment is gone: a new id, so that the engine
         * does not take sequence numbers that start again for frames it already has. */
        rc = spool__new_id(sp, err);
        if (rc == VG_OK)
            rc = spool__create_segment(sp, 1, err);
        sp->next_seq = 1;
    } else if (rc == VG_OK) {
        rc = spool__read_id(sp, err);
    }
    if (rc != VG_OK) {
        vg_spool_close(sp);
        return rc;
    }
    sp->flushed = sp->synced = sp->next_seq - 1;
    sp->acked = sp->segs[0] - 1;
    *out = sp;
    return VG_OK;
}

void vg_spool_close(vg_spool *sp)
{
    if (!sp)
        return;
    vg_errinfo e;
    if (sp->wfd >= 0 && sp->wlen && vg_spool_flush(sp, INT64_MAX, &e) != VG_OK)
        vg_error("%s", e.text);
    if (sp->wfd >= 0) {
        if (sp->opt.sync != VG_SPOOL_SYNC_NEVER)
            fdatasync(sp->wfd);
        close(sp->wfd);
    }
    if (sp->rfd >= 0)
        close(sp->rfd);
    free(sp->segs);
    free(sp->wbuf);
    free(sp->rbuf);
    free(sp->dir);
    free(sp);
}

uint64_t vg_spool_id(const vg_spool *sp) { return sp->id; }
uint64_t vg_spool_acked(const vg_spool *sp) { return sp->acked; }
vg_spool_pos vg_spool_resume_pos(const vg_spool *sp) { return sp->pos; }
size_t vg_spool_segments(const vg_spool *sp) { return sp->n_segs; }

/* Frames that may be sent: those that are as durable as the policy promises. */
uint64_t vg_spool_last(const vg_spool *sp)
{
    return sp->opt.sync == VG_SPOOL_SYNC_NEVER ? sp->flushed : sp->synced;
}

uint64_t vg_spool_unacked(const vg_spool *sp) { return sp->next_seq - 1 - sp->acked; }

static vg_err spool__sync(vg_spool *sp, int64_t now_mono_us, vg_errinfo *err)
{
    if (sp->synced == sp->flushed)
        return VG_OK;
    if (fdatasync(sp->wfd) != 0) {
        char path[4096];
        seg_path(sp, sp->segs[sp->n_segs - 1], path, sizeof path);
        return io_fail(err, "fdatasync", path);
    }
    sp->synced = sp->flushed;
    sp->last_sync_mono = now_mono_us;
    return VG_OK;
}

vg_err vg_spool_flush(vg_spool *sp, int64_t now_mono_us, vg_errinfo *err)
{
    if (sp->wlen) {
        if (write_all(sp->wfd, sp->wbuf, sp->wlen) != 0) {
            char path[4096];
            seg_path(sp, sp->segs[sp->n_segs - 1], path, sizeof path);
            vg_err rc = io_fail(err, "cannot append to", path);
            /* Cut what part of the records was written: the file stays whole. */
            if (ftruncate(sp->wfd, (off_t)sp->wsize) != 0)
                vg_error("%s: cannot cut a partial write: %s", path, strerror(errno));
            return rc;
        }
        sp->wsize += sp->wlen;
        sp->wlen = 0;
        sp->flushed = sp->next_seq - 1;
    }
    if (sp->opt.sync == VG_SPOOL_SYNC_ALWAYS ||
        (sp->opt.sync == VG_SPOOL_SYNC_INTERVAL &&
         now_mono_us - sp->last_sync_mono >= (int64_t)sp->opt.sync_interval_ms * 1000))
        return spool__sync(sp, now_mono_us, err);
    return VG_OK;
}

long vg_spool_next_sync_ms(const vg_spool *sp, int64_t now_mono_us)
{
    if (sp->opt.sync != VG_SPOOL_SYNC_INTERVAL || sp->synced == sp->next_seq - 1)
        return -1;
    int64_t due = sp->last_sync_mono + (int64_t)sp->opt.sync_interval_ms * 1000;
    return due <= now_mono_us ? 0 : (long)((due - now_mono_us + 999) / 1000);
}

vg_err vg_spool_append(vg_spool *sp, vg_time_us t, const char *frame, size_t len,
                       vg_spool_pos pos, uint64_t *seq, vg_errinfo *err)
{
    if (len > REC_MAX)
        return vg_fail(err, VG_ERR_RANGE, "a frame of %zu bytes (at most %u)", len, REC_MAX);
    vg_err rc;
    if (sp->wsize + sp->wlen + REC_HDR + len > sp->opt.segment_bytes &&
        sp->wsize + sp->wlen > SEG_HDR) {
        /* Close the segment (synced unless NEVER) and start the next one. */
        int64_t now = vg_time_mono_us();
        if ((rc = vg_spool_flush(sp, now, err)) != VG_OK)
            return rc;
        if (sp->opt.sync != VG_SPOOL_SYNC_NEVER && (rc = spool__sync(sp, now, err)) != VG_OK)
            return rc;
        if ((rc = spool__create_segment(sp, sp->next_seq, err)) != VG_OK)
            return rc;
    }
    size_t need = sp->wlen + REC_HDR + len;
    if (need > sp->wcap) {
        size_t nc = sp->wcap ? sp->wcap : 64 * 1024;
        while (nc < need)
            nc *= 2;
        unsigned char *nb = realloc(sp->wbuf, nc);
        if (!nb)
            return vg_fail(err, VG_ERR_NOMEM, "%s: out of memory", sp->dir);
        sp->wbuf = nb;
        sp->wcap = nc;
    }
    unsigned char *h = sp->wbuf + sp->wlen;
    put_u32(h, (uint32_t)len);
    put_u64(h + 8, sp->next_seq);
    put_u64(h + 16, (uint64_t)t);
    put_u64(h + 24, pos.inode);
    put_u64(h + 32, pos.offset);
    if (len)
        memcpy(h + REC_HDR, frame, len);
    put_u32(h + 4, crc(h + 8, REC_HDR - 8, h + REC_HDR, len));
    sp->wlen = need;
    sp->pos = pos;
    *seq = sp->next_seq++;
    if (sp->wlen >= 1024 * 1024)
        return vg_spool_flush(sp, vg_time_mono_us(), err);
    return VG_OK;
}

/* ---- reading back -------------------------------------------------------------------- */

/* Point the read cursor at the start of the segment holding `from`. */
static vg_err spool__seek(vg_spool *sp, uint64_t from, vg_errinfo *err)
{
    size_t i = 0;
    while (i + 1 < sp->n_segs && sp->segs[i + 1] <= from)
        i++;
    char path[4096];
    seg_path(sp, sp->segs[i], path, sizeof path);
    if (sp->rfd >= 0)
        close(sp->rfd);
    sp->rfd = open(path, O_RDONLY);
    if (sp->rfd < 0)
        return io_fail(err, "cannot open", path);
    sp->rbase = sp->segs[i];
    sp->roff = SEG_HDR;
    sp->rnext = sp->segs[i];
    return VG_OK;
}

/* Bytes read from a segment at once by vg_spool_read (more when one record is longer). */
#define SPOOL_READ_CHUNK (256u * 1024u)

/* Up to len bytes at off; the count read (0 at the end of the file), -1 on error. */
static ssize_t pread_some(int fd, void *buf, size_t len, uint64_t off)
{
    for (;;) {
        ssize_t r = pread(fd, buf, len, (off_t)off);
        if (r >= 0 || errno != EINTR)
            return r;
    }
}

/* rbuf of at least size bytes (its content kept); false when out of memory. */
static bool spool__reserve_read(vg_spool *sp, size_t size)
{
    if (size <= sp->rcap)
        return true;
    size_t nc = sp->rcap ? sp->rcap : 1024 * 1024;
    while (nc < size)
        nc *= 2;
    unsigned char *nb = realloc(sp->rbuf, nc);
    if (!nb)
        return false;
    sp->rbuf = nb;
    sp->rcap = nc;
    return true;
}

static size_t spool__seg_index(const vg_spool *sp, uint64_t base)
{
    for (size_t i = 0; i < sp->n_segs; i++)
        if (sp->segs[i] == base)
            return i;
    return SIZE_MAX;
}

vg_err vg_spool_read(vg_spool *sp, uint64_t from, vg_spool_frame *out, size_t max,
                     size_t max_bytes, size_t *n, vg_errinfo *err)
{
    *n = 0;
    if (from <= sp->acked)
        from = sp->acked + 1;
    uint64_t last = vg_spool_last(sp);
    if (from > last)
        return VG_OK;
    vg_err rc;
    size_t si = sp->rfd >= 0 ? spool__seg_index(sp, sp->rbase) : SIZE_MAX;
    if (si == SIZE_MAX || sp->rnext > from) {
        if ((rc = spool__seek(sp, from, err)) != VG_OK)
            return rc;
        si = spool__seg_index(sp, sp->rbase);
    }
    /* The segment is read in chunks of SPOOL_READ_CHUNK bytes into rbuf, records parsed in
     * place (one pread per chunk, not two per frame); rbuf[pos..fill) holds the bytes of the
     * file from sp->roff on. Frames are kept as offsets: rbuf may move when it grows. */
    size_t fill = 0, pos = 0, used = 0;
    uint64_t offs[4096];
    if (max > sizeof offs / sizeof offs[0])
        max = sizeof offs / sizeof offs[0];
    while (*n < max && used < max_bytes && sp->rnext <= last) {
        int r = 1; /* 1: the record (or a length beyond REC_MAX) is buffered; 0: end of file */
        uint32_t len = 0;
        if (*n == 0 && pos > 0) {
            /* No frame kept yet (skipping up to `from` after a seek): drop what was parsed,
             * so rbuf holds about a chunk instead of the whole segment before `from`. */
            memmove(sp->rbuf, sp->rbuf + pos, fill - pos);
            fill -= pos;
            pos = 0;
        }
        for (;;) {
            size_t have = fill - pos;
            if (have >= REC_HDR) {
                len = get_u32(sp->rbuf + pos);
                if (len > REC_MAX || have >= REC_HDR + (size_t)len)
                    break;
            }
            size_t want = SPOOL_READ_CHUNK;
            if (have >= REC_HDR && REC_HDR + (size_t)len - have > want)
                want = REC_HDR + (size_t)len - have;
            if (!spool__reserve_read(sp, fill + want))
                return vg_fail(err, VG_ERR_NOMEM, "%s: out of memory", sp->dir);
            ssize_t got = pread_some(sp->rfd, sp->rbuf + fill, want, sp->roff + have);
            if (got < 0)
                return io_fail(err, "cannot read a spool segment in", sp->dir);
            if (got == 0) {
                r = 0;
                break;
            }
            fill += (size_t)got;
        }
        const unsigned char *h = sp->rbuf + pos;
        bool ok = r == 1 && len <= REC_MAX && get_u64(h + 8) == sp->rnext &&
                  get_u32(h + 4) == crc(h + 8, REC_HDR - 8, h + REC_HDR, len);
        if (!ok) {
            if (si + 1 >= sp->n_segs)
                break; /* the end of the newest segment: nothing more yet */
            if (r != 0 || sp->rnext != sp->segs[si + 1])
                vg_error("%s/seg-%020" PRIu64 ".spool: damaged at byte %" PRIu64
                         ": frames %" PRIu64 "..%" PRIu64 " are lost", sp->dir, sp->rbase,
                         sp->roff, sp->rnext, sp->segs[si + 1] - 1);
            if ((rc = spool__seek(sp, sp->segs[si + 1], err)) != VG_OK)
                return rc;
            pos = fill; /* what is buffered belongs to the segment left */
            si++;
            continue;
        }
        if (sp->rnext >= from) {
            out[*n].seq = sp->rnext;
            out[*n].time = (vg_time_us)get_u64(h + 16);
            out[*n].len = len;
            offs[*n] = pos + REC_HDR;
            used += len;
            (*n)++;
        }
        pos += REC_HDR + (size_t)len;
        sp->roff += REC_HDR + len;
        sp->rnext++;
    }
    for (size_t i = 0; i < *n; i++)
        out[i].data = (const char *)sp->rbuf + offs[i];
    return VG_OK;
}

vg_err vg_spool_ack(vg_spool *sp, uint64_t seq, vg_errinfo *err)
{
    if (seq > sp->next_seq - 1)
        return vg_fail(err, VG_ERR_RANGE, "%s: acknowledgement of frame %" PRIu64 " but the "
                       "spool only reached %" PRIu64 " (another spool with the same id?)",
                       sp->dir, seq, sp->next_seq - 1);
    if (seq <= sp->acked)
        return VG_OK;
    sp->acked = seq;
    size_t drop = 0;
    while (drop + 1 < sp->n_segs && sp->segs[drop + 1] - 1 <= seq) {
        char path[4096];
        seg_path(sp, sp->segs[drop], path, sizeof path);
        if (unlink(path) != 0 && errno != ENOENT)
            vg_warn("%s: cannot remove an acknowledged segment: %s", path, strerror(errno));
        if (sp->rfd >= 0 && sp->rbase == sp->segs[drop]) {
            close(sp->rfd);
            sp->rfd = -1;
        }
        drop++;
    }
    if (drop) {
        memmove(sp->segs, sp->segs + drop, (sp->n_segs - drop) * sizeof *sp->segs);
        sp->n_segs -= drop;
    }
    return VG_OK;
}
