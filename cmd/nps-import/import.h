/* import: nps-import's own parts (cmd/nps-import/), beside its main
 * (cmd/nps-import.c): an input decoded into UTF-8 (decode.c), CSV records
 * split out of it into escaped fields (csv.c), dates read by a
 * strptime-style format and given their offset (when.c). A struct source owns its buffers, a struct csv its
 * row and field index, until their _free; a record's bytes are slices
 * into the source's buffer, valid until the next csv_next. */
#ifndef NPS_IMPORT_H
#define NPS_IMPORT_H

#include <iconv.h>
#include <stdint.h>

#include "buf.h"
#include "slice.h"

#define BLOCK (1 << 20) /* reads, once an input is seen to be big */
#define START (1 << 16) /* the first buffer's size: most exports are small */
/* Bytes kept free (and defined) after the decoded ones: the scanner reads
 * whole 64-byte windows and copies 16 bytes at a time past a run's end. */
#define SLACK 64

/* ---- decode.c ---- */

enum encoding { ENC_UTF8, ENC_LATIN1, ENC_CP1252, ENC_UTF16LE, ENC_UTF16BE,
		ENC_ICONV };

/* A byte that valid UTF-8 never holds: the decoders write it for each
 * unit that is not valid in the input's encoding, and the row that holds
 * it is rejected as invalid UTF-8 would be. */
#define BAD_UNIT 0xFF

struct source {
	int fd;
	const char *name;
	int eof;                 /* every byte of the input is decoded */
	char *buf;               /* decoded UTF-8: [start, end) not parsed yet */
	size_t cap, start, end;
	unsigned long line;      /* the physical line buf[start] is on */
	enum encoding enc;       /* this input's, after its byte-order mark */
	iconv_t cd;              /* ENC_ICONV: opened by the caller */
	char *raw;               /* undecoded bytes, for every encoding but UTF-8 */
	size_t rawlen, rawcap;
	int raw_eof;
	int filled;              /* the last read filled the room it was given */
};

/* The encoding a name declares (NULL: UTF-8); ENC_ICONV when only iconv
 * knows it, and then the caller opens s->cd. */
enum encoding encoding_of(const char *name);
/* Opens path ("-": stdin; exits 66 when it cannot) and reads its first
 * bytes: a byte-order mark decides the encoding, whatever was declared. */
void source_open(struct source *s, const char *path, const char *declared);
/* Adds at least one decoded byte after s->end, or sets s->eof; may move
 * the unparsed bytes [start, end) to the front of a larger buffer. */
void source_fill(struct source *s);
void source_close(struct source *s);
void source_free(struct source *s);
/* The length of the valid UTF-8 prefix of [p, p + n). */
size_t utf8_valid(const unsigned char *p, size_t n);

/* ---- csv.c ---- */

enum record_status { REC_OK, REC_EOF };
enum record_fault { FAULT_NONE, FAULT_AFTER_QUOTE, FAULT_UNTERMINATED };

struct record {
	size_t rawlen;   /* the record's bytes, without its line end */
	size_t len;      /* the bytes it took, line end included */
	unsigned long lines; /* line ends in it, its own included */
	size_t nfields;
	int high;        /* a byte >= 0x80 was seen (it may be a neighbour's) */
	int blank;       /* an empty line */
	int maybe_na;    /* a field may be one of the --na values */
	enum record_fault fault;
};

/* The bytes that stop a copy, as bit masks over a 64-byte window of the
 * input, computed once for all the fields in it: outside quotes the
 * separator, the quote, line ends and the two bytes that need escaping
 * (TAB, backslash); inside quotes the same but the separator. A window
 * cut short by the end of the bytes has a stop where they end. */
struct window {
	const char *blk; /* the masks cover [blk, blk + 64); NULL: none yet */
	uint64_t plain, quoted;
	int high;        /* a byte >= 0x80 in the window */
};

struct csv {
	char sep;
	size_t na_max;               /* the longest --na value */
	unsigned char na_first[256]; /* the first bytes of the --na values */
	/* the current record: field i is row[rec + field[i], rec + field[i +
	 * 1] - 1), escaped as npskit(7) says, a TAB after each; rows before
	 * rec are the caller's (csv_parse appends) */
	struct buf row;
	size_t rec;
	size_t *field;
	size_t field_cap;
	struct window win;
};

enum parsed { PARSED, NO_BYTES, NEED_MORE };
/* Parses one record at [p, end) into c, after what c->row holds: PARSED,
 * or NEED_MORE when the bytes end inside it and eof is 0, or NO_BYTES
 * when p is end. c->row.len covers the record only when PARSED. */
enum parsed csv_parse(struct csv *c, const char *p, const char *end, int eof,
		      struct record *r);
/* The next record of s into c, alone in c->row (the source refilled as
 * needed): REC_EOF
 * when no bytes are left. The record's raw bytes are at s->buf + s->start;
 * the caller moves s->start and s->line past it. A malformed record still
 * ends where a reader would end it, with its fault set. */
enum record_status csv_next(struct csv *c, struct source *s, struct record *r);
/* Which of , ; TAB | the header line holds most often outside quotes (in
 * that order when they tie); a comma when it has none. */
char csv_detect_separator(struct source *s);
void csv_free(struct csv *c);

/* ---- when.c ---- */

struct stamp {
	int year, month, day, hour, min, sec;
	int has_time, has_zone, pm, twelve;
	int zone; /* minutes east of UTC */
	const char *frac;
	size_t nfrac;
};

/* Reads s by the strptime-style format into t; 1 if the whole of s
 * matched and names a real day and time. English names, any locale. */
int when_scan(const char *fmt, struct slice s, struct stamp *t);
/* A --date format: only the directives when_scan knows, and a year, a
 * month and a day. Exits 64 naming opt otherwise. */
void when_check_format(const char *opt, const char *fmt);

/* The last local day of --tz found to have one offset all day. */
struct tz_cache {
	long day, offset;
};
/* The UTC offset (seconds) in the zone of TZ (set by the caller) of a
 * local wall-clock time given as seconds since the epoch as if it were
 * UTC. 0 if that time does not exist; of two, the earlier instant. */
int when_tz_offset(struct tz_cache *c, long long local, long *off);
/* The stamp as ISO 8601 into out (96 bytes); returns its length. */
size_t when_format(const struct stamp *t, int has_offset, long offset, char *out);

#endif
