/* Unit tests: reading secrets from a file, the environment and an fd. */
#include "config.h"

#include <stdio.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clouddp.h"
#include "secret.h"
#include "../tap.h"

int
main(void)
{
	struct clouddp_secret_src	 src;
	struct clouddp_err		 err;
	char				 path[] = "/tmp/t_secretXXXXXX";
	char				*s = NULL, fdarg[16];
	int				 fd, p[2];

	plan(10);
	fd = mkstemp(path);
	write(fd, "s3cret\r\nsecond line\n", 20);
	close(fd);
	src.kind = CLOUDDP_SECRET_FILE;
	src.arg = path;
	ok(secret_read(&src, "", &s, &err) == 0, "read from a file");
	is(s, "s3cret", "first line, CR LF stripped");
	secret_free(s);

	fd = open(path, O_WRONLY | O_TRUNC);
	close(fd);
	ok(secret_read(&src, "", &s, &err) == 0 && strcmp(s, "") == 0,
	    "an empty file is an empty password");
	secret_free(s);
	unlink(path);
	ok(secret_read(&src, "", &s, &err) == -1 &&
	    err.code == CLOUDDP_EPASSWORD, "a missing file fails");

	setenv("T_SECRET", "from env", 1);
	src.kind = CLOUDDP_SECRET_ENV;
	src.arg = "T_SECRET";
	ok(secret_read(&src, "", &s, &err) == 0, "read from the environment");
	is(s, "from env", "value");
	ok(getenv("T_SECRET") == NULL, "the variable is unset after use");
	secret_free(s);

	pipe(p);
	write(p[1], "piped\n", 6);
	close(p[1]);
	snprintf(fdarg, sizeof(fdarg), "%d", p[0]);
	src.kind = CLOUDDP_SECRET_FD;
	src.arg = fdarg;
	ok(secret_read(&src, "", &s, &err) == 0, "read from a descriptor");
	is(s, "piped", "value");
	secret_free(s);
	close(p[0]);
	src.arg = "250";
	ok(secret_read(&src, "", &s, &err) == -1, "a closed descriptor fails");
	return done_testing();
}
