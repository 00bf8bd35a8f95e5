/* json.h: a small, strict, allocation-free JSON (RFC 8259) reader and the writer of samples.
 * The reader is a pull tokenizer over one document held in memory (one line of a stream):
 * each vg_json_next call returns the next token; strings are validated while scanning and
 * decoded on demand into a caller buffer. The writer formats a vg_sample as the one-line
 * object of the daemon's PUB messages (docs/formats-input.md, "The output format").
 * Number text is converted with the C library in the "C" locale: vigie never calls setlocale. */
#ifndef VIGIE_CORE_JSON_H
#define VIGIE_CORE_JSON_H

#include <stdbool.h>
#include <stddef.h>

#include "core/error.h"
#include "core/sample.h"

/* Deepest nesting of objects and arrays accepted: opening a 9th level is VG_ERR_RANGE. */
#define VG_JSON_MAX_DEPTH 8

/* Longest number text accepted, in bytes ("-1.5e-3" is 7): a longer one is VG_ERR_RANGE
 * (RFC 8259 section 9 allows this limit; no instrument needs more digits). */
#define VG_JSON_NUMBER_MAX 64

typedef enum vg_json_type {
    VG_JSON_END = 0,    /* the document is complete and followed only by white space */
    VG_JSON_OBJECT,     /* '{' */
    VG_JSON_OBJECT_END, /* '}' */
    VG_JSON_ARRAY,      /* '[' */
    VG_JSON_ARRAY_END,  /* ']' */
    VG_JSON_KEY,        /* a member name; its ':' has been consumed, a value token follows */
    VG_JSON_STRING,
    VG_JSON_NUMBER,
    VG_JSON_TRUE,
    VG_JSON_FALSE,
    VG_JSON_NULL,
} vg_json_type;

/* One token. All pointers point into the reader's input (borrowed, valid while it is). */
typedef struct vg_json_token {
    vg_json_type type;
    size_t offset;    /* byte offset of the token's first byte in the input (of '"' for strings) */
    const char *text; /* KEY, STRING: the raw bytes between the quotes, escapes not decoded;
                       * NUMBER: the number's text; others: the punctuation or literal */
    size_t text_len;
    bool escaped;     /* KEY, STRING: text holds at least one backslash escape */
    double number;    /* NUMBER: its value, always finite (overflow is VG_ERR_RANGE) */
    int depth;        /* nesting depth after this token: 1 after the top '{', 0 after its '}' */
} vg_json_token;

/* Reader state: a plain value, initialise with vg_json_reader_init. Fields are private. */
typedef struct vg_json_reader {
    const char *text;
    size_t len;
    size_t pos;
    int depth;
    unsigned char stack[VG_JSON_MAX_DEPTH]; /* '{' or '[' of each open container */
    int expect;                             /* what the grammar allows next */
    vg_err error;                           /* sticky: VG_OK until a failure */
    size_t error_offset;
} vg_json_reader;

/* Start reading the document text[0..len). text is borrowed for the reader's life and may
 * hold any byte (NUL included: it is an error outside strings, and escaped-only inside). */
void vg_json_reader_init(vg_json_reader *r, const char *text, size_t len);

/* Read the next token into *tok. Returns VG_OK, or on the first violation of RFC 8259:
 * VG_ERR_PARSE (syntax: unexpected byte, trailing garbage after the value, control character
 * or invalid UTF-8 in a string, bad escape, unpaired surrogate, leading zero),
 * VG_ERR_TRUNCATED (the input ends inside the document: empty input, unterminated string,
 * missing '}'), VG_ERR_RANGE (nesting deeper than VG_JSON_MAX_DEPTH, number longer than
 * VG_JSON_NUMBER_MAX or beyond +-DBL_MAX). err->text then reads "offset N: what", N the byte
 * offset of the failure (also given by vg_json_error_offset). Errors are sticky. After the
 * top-level value, the next call checks that only white space follows and returns
 * VG_JSON_END (again on every later call). Any JSON value is accepted at the top level; the
 * reader does not detect duplicate keys (callers that care keep a set of the keys seen). */
vg_err vg_json_next(vg_json_reader *r, vg_json_token *tok, vg_errinfo *err);

/* Skip the value that starts with `first` (a token just returned by vg_json_next): nothing
 * to do for a scalar; for VG_JSON_OBJECT / VG_JSON_ARRAY, read (and so validate) tokens up to
 * the matching end. VG_ERR_INVAL if first is a KEY, an END or a closing token. */
vg_err vg_json_skip(vg_json_reader *r, const vg_json_token *first, vg_errinfo *err);

/* Byte offset of the reader's first error (0 while there is none). */
size_t vg_json_error_offset(const vg_json_reader *r);

/* The decoded UTF-8 bytes of a KEY or STRING token: tok->text itself when it has no escape
 * (then buf is not touched), else the decoding written into buf[0..cap) (\uXXXX and
 * surrogate pairs become UTF-8; "\u0000" becomes a NUL byte). *len gets the byte count. The
 * result is NUL-terminated only when it is in buf. Returns NULL when cap is too small (the
 * decoding is never longer than tok->text_len, so cap = text_len suffices) or tok is not a
 * string. */
const char *vg_json_string(const vg_json_token *tok, char *buf, size_t cap, size_t *len);

/* True if tok is a KEY or STRING whose decoded value is exactly the NUL-terminated lit. */
bool vg_json_string_is(const vg_json_token *tok, const char *lit);

/* Convert the decimal number text s[0..len), [+-]digits[.digits][(e|E)[+-]digits] (digits
 * may be empty on one side of the '.', not on both), to a double, correctly rounded: exact
 * fast path for up to 15 significant digits times a power of ten up to 1e22, else strtod on
 * a bounded copy. This is looser than JSON (a leading '+', leading zeros and "5." pass: the
 * JSON scanner checks its stricter grammar first) and stricter than strtod (no space, hex,
 * "inf" or "nan"). Returns VG_ERR_PARSE when the text does not match, VG_ERR_RANGE when
 * len > VG_JSON_NUMBER_MAX or the value overflows (underflow gives 0 or a subnormal). No
 * error text: callers name the field. */
vg_err vg_json_decimal(const char *s, size_t len, double *out);

/* Write s[0..len) as a JSON string with its quotes into buf[0..cap): '"' '\\' and control
 * characters escaped (\n \t \r \b \f, else \u00XX), valid UTF-8 copied, each byte of invalid
 * UTF-8 replaced by \uFFFD so that the output is always valid JSON. Returns the length
 * written (a NUL follows), or -1 if cap is too small (buf then holds a truncated prefix). */
int vg_json_escape(const char *s, size_t len, char *buf, size_t cap);

/* Quote at most the first `max` bytes of s[0..len) for an error message, into buf[0..cap)
 * (always NUL-terminated if cap > 0): printable ASCII as is, '\\' and '\'' escaped, other
 * bytes as \n, \r, \t, \0 or \xHH; "..." appended when s is longer than max or the output
 * is cut to fit cap. No quotes around it. Returns buf. */
char *vg_json_excerpt(const char *s, size_t len, size_t max, char *buf, size_t cap);

/* Format sample s as one JSON object without a newline, into buf[0..cap):
 *   {"platform":"NBP","time":"2014-08-01T00:00:01.873Z","lat":-22.00186,"lon":-17.93934,
 *    "values":{"SSJT":21.8054,...},"flags":{"SSJT":1,...},"pos_flag":1,"time_flag":1,
 *    "tests":{"SSJT":{"global_range":1,"spike":1},...}}
 * time per vg_time_format_iso8601 (null when VG_TIME_NONE); lat, lon and values with %.10g,
 * null when NaN or infinite; values and flags (the aggregate qc[p].agg) list only the
 * present parameters, in vg_param order; pos_flag / time_flag are pos_qc.agg / time_qc.agg.
 * tests lists, per present parameter, only the test ids whose flag is non-zero and whose
 * test_names[id] is not NULL; a parameter without such a test is left out; test_names has
 * VG_QC_MAX_TESTS entries (borrowed) or is NULL to omit "tests" altogether. The flags of the
 * position and time tests are not detailed (only pos_flag / time_flag).
 * Returns the length written (a NUL follows, not counted), or -1 if cap is too small. */
int vg_json_write_sample(const vg_sample *s, const char *const *test_names, char *buf,
                         size_t cap);

#endif
