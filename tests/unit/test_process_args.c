// SPDX-License-Identifier: (LGPL-2.1 OR BSD-2-Clause)
/*
 * Unit tests for pg_process_format_args() (src/process.c): the kernel hands
 * over argv as NUL-separated bytes, possibly cut short at the --max-args
 * limit, and the "arguments" field must split back into the same words, so
 * an attacker cannot make `rm 'a b'` look like `rm a b`.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <stdbool.h>
#include <string.h>
#include <cmocka.h>

#include "json.h"
#include "sensors/process.h"

/* Format @argv and compare with @want; failures point at the caller's line. */
static void check_args_at(const char *argv, size_t len, const char *want, const char *file,
			  int line)
{
	struct pg_buf b;

	pg_buf_init(&b);
	pg_process_format_args(&b, argv, len);
	assert_false(b.failed);
	assert_non_null(b.data);
	_assert_string_equal(b.data, want, file, line);
	_assert_int_equal(b.len, strlen(want), file, line);
	pg_buf_free(&b);
}

#define check_args(argv, len, want) check_args_at(argv, len, want, __FILE__, __LINE__)

/* The literal's length, embedded NULs included, without the final one. */
#define ARGS(lit, want) check_args(lit, sizeof(lit) - 1, want)

static void test_process_args_plain(void **state)
{
	(void)state;
	ARGS("ls\0-la\0/tmp\0", "-la /tmp");
	ARGS("/usr/bin/env\0FOO=bar\0python3\0-c\0pass\0", "FOO=bar python3 -c pass");
	/* characters with no meaning to a shell stay bare */
	ARGS("x\0--color=auto\0a,b\0%s\0+1\0@host\0:\0-\0/a/b.c\0",
	     "--color=auto a,b %s +1 @host : - /a/b.c");
	/* UTF-8 is not a shell metacharacter */
	ARGS("echo\0caf\xc3\xa9\0", "caf\xc3\xa9");
}

static void test_process_args_skips_argv0(void **state)
{
	(void)state;
	/* argv[0] is reported as "binary"; whatever it holds is not an arg */
	ARGS("has space\0x\0", "x");
	ARGS("ls\0", "");
	ARGS("ls", "");
}

static void test_process_args_empty(void **state)
{
	struct pg_buf b;

	(void)state;
	ARGS("", "");
	/* still a C string, ready for strdup */
	pg_buf_init(&b);
	pg_process_format_args(&b, "", 0);
	assert_non_null(b.data);
	assert_int_equal(b.len, 0);
	assert_int_equal(b.data[0], 0);
	pg_buf_free(&b);
}

static void test_process_args_quotes_blanks(void **state)
{
	(void)state;
	ARGS("echo\0hello world\0", "'hello world'");
	ARGS("echo\0a\tb\0", "'a\tb'");
	ARGS("echo\0line1\nline2\0", "'line1\nline2'");
	ARGS("echo\0 lead\0trail \0", "' lead' 'trail '");
	/* control characters and DEL are quoted too (JSON escapes them later) */
	ARGS("echo\0a\x1b[0m\0", "'a\x1b[0m'");
	ARGS("echo\0a\x7f\0", "'a\x7f'");
}

static void test_process_args_quotes_metacharacters(void **state)
{
	static const char meta[] = "'\"\\$`!*?[]{}()<>|&;#~";
	size_t i;

	(void)state;
	for (i = 0; meta[i]; i++) {
		char argv[16], want[16];
		size_t len;

		/* "prog\0a<c>b\0" */
		memcpy(argv, "prog\0a", 6);
		argv[6] = meta[i];
		argv[7] = 'b';
		argv[8] = 0;
		len = 9;
		if (meta[i] == '\'')
			strcpy(want, "'a'\\''b'");
		else
			snprintf(want, sizeof(want), "'a%cb'", meta[i]);
		check_args(argv, len, want);
	}
	ARGS("sh\0-c\0echo $HOME; rm -rf /\0", "-c 'echo $HOME; rm -rf /'");
	ARGS("find\0.\0-name\0*.c\0", ". -name '*.c'");
}

static void test_process_args_single_quote(void **state)
{
	(void)state;
	/* ' cannot appear inside '...': close, escaped quote, reopen */
	ARGS("echo\0it's\0", "'it'\\''s'");
	ARGS("echo\0'\0", "''\\'''");
	ARGS("echo\0''\0", "''\\'''\\'''");
	ARGS("echo\0'a b'\0", "''\\''a b'\\'''");
}

static void test_process_args_empty_argument(void **state)
{
	(void)state;
	/* an empty argument must not vanish: `cmd "" x` is not `cmd x` */
	ARGS("prog\0\0x\0", "'' x");
	ARGS("prog\0x\0\0", "x ''");
	ARGS("prog\0\0\0", "'' ''");
}

static void test_process_args_truncated_last(void **state)
{
	(void)state;
	/* cut at the --max-args limit: the last argument has no NUL */
	ARGS("prog\0abc\0de", "abc de");
	ARGS("prog\0a b", "'a b'");
	ARGS("prog\0x\0it'", "x 'it'\\'''");
	/* cut inside argv[0]: no arguments at all */
	ARGS("very-long-program-na", "");
}

static void test_process_args_appends_c_string(void **state)
{
	struct pg_buf b;

	(void)state;
	pg_buf_init(&b);
	pg_buf_puts(&b, "> ");
	pg_process_format_args(&b, "ls\0-l\0", 6);
	assert_string_equal(b.data, "> -l");
	assert_int_equal(b.len, 4);
	assert_int_equal(b.data[b.len], 0);
	pg_buf_free(&b);
}

static void test_process_args_large(void **state)
{
	static char argv[32768];
	struct pg_buf b;
	size_t i, words = 0;

	(void)state;
	/* "p\0aaaa\0aaaa\0..." up to the hard cap, the last word cut short */
	argv[0] = 'p';
	argv[1] = 0;
	for (i = 2; i < sizeof(argv); i++)
		argv[i] = (i - 2) % 5 == 4 ? 0 : 'a';
	pg_buf_init(&b);
	pg_process_format_args(&b, argv, sizeof(argv));
	assert_false(b.failed);
	assert_int_equal(b.len, strlen(b.data));
	for (i = 0; i < b.len; i++) {
		if (b.data[i] == ' ')
			words++;
		else
			assert_int_equal(b.data[i], 'a');
	}
	/* every NUL between two arguments became exactly one space */
	assert_int_equal(words + 1, (sizeof(argv) - 2 + 4) / 5);
	pg_buf_free(&b);
}

/*
 * The buffer may already be failed (the allocation behind it failed): the
 * NUL that the function appends then is not there to take back, and
 * b->len must not wrap around below zero. process.c copies the buffer with
 * dup_n(data, len) right after, so a wrapped length is a crash.
 */
static void test_process_args_failed_buffer_keeps_length(void **state)
{
	struct pg_buf b;
	size_t len;

	(void)state;
	pg_buf_init(&b);
	b.failed = true;
	pg_process_format_args(&b, "ls\0-l\0", 6);
	assert_int_equal(b.len, 0);

	pg_buf_init(&b);
	pg_buf_puts(&b, "abc");
	b.failed = true;
	pg_process_format_args(&b, "ls\0-l\0", 6);
	len = b.len;
	pg_buf_free(&b);
	assert_int_equal(len, 3);
}

int main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_process_args_plain),
		cmocka_unit_test(test_process_args_skips_argv0),
		cmocka_unit_test(test_process_args_empty),
		cmocka_unit_test(test_process_args_quotes_blanks),
		cmocka_unit_test(test_process_args_quotes_metacharacters),
		cmocka_unit_test(test_process_args_single_quote),
		cmocka_unit_test(test_process_args_empty_argument),
		cmocka_unit_test(test_process_args_truncated_last),
		cmocka_unit_test(test_process_args_appends_c_string),
		cmocka_unit_test(test_process_args_large),
		cmocka_unit_test(test_process_args_failed_buffer_keeps_length),
	};

	return cmocka_run_group_tests_name("process_args", tests, NULL, NULL);
}
