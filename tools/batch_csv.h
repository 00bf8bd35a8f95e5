/* batch_csv.h: CSV records (RFC 4180) for `vigie qc`, read from a vg_batch_input one record
 * at a time: fields separated by ',', a field in double quotes may hold ',', '""' (one
 * quote) and line breaks (the record then spans several lines). The record's text is kept
 * as read (to copy it to the output) and its fields decoded. Memory: the longest record. */
#ifndef VIGIE_TOOLS_BATCH_CSV_H
#define VIGIE_TOOLS_BATCH_CSV_H

#include <stddef.h>

#include "core/error.h"
#include "tools/batch_input.h"

typedef struct vg_csv_field {
    const char *s; /* decoded bytes (quotes removed, "" -> "), not NUL-terminated */
    size_t n;
} vg_csv_field;

typedef struct vg_csv_reader {
    vg_batch_input *in;       /* borrowed */
    const char *text;         /* the record as read, lines joined with '\n', no final newline */
    size_t text_len;
    long first_line, last_line; /* lines of the input the record spans */
    vg_csv_field *fields;     /* n_fields decoded fields */
    size_t n_fields;
    size_t fields_cap;
    char *joined;             /* a record of several lines is copied here */
    size_t joined_cap;
    char *decoded;            /* quoted fields are decoded here */
    size_t decoded_cap;
} vg_csv_reader;

void vg_csv_init(vg_csv_reader *r, vg_batch_input *in);
void vg_csv_free(vg_csv_reader *r);

/* Read the next record; blank lines (empty or only spaces and tabs) are skipped. Returns
 * VG_OK, VG_ERR_NOTFOUND at the end of the input, VG_ERR_PARSE for a malformed record (a
 * quote inside an unquoted field, text after a closing quote, a quoted field still open at
 * the end of the input or after VG_BATCH_LINE_MAX bytes), VG_ERR_TRUNCATED for a line too
 * long, VG_ERR_IO. After VG_ERR_PARSE or VG_ERR_TRUNCATED the record is consumed (its
 * lines are first_line..last_line) and reading goes on with the next one; err->text says
 * what is wrong and in which field (1-based). */
vg_err vg_csv_next(vg_csv_reader *r, vg_errinfo *err);

#endif
