/* file.c - opening data files without being blocked or led astray.
 *
 * Images, guide pages and examples come from folders a reviewer was given:
 * any of them may be a FIFO (whose open() would wait for a writer forever)
 * or a symlink to a file elsewhere. Everything here refuses both before a
 * byte is read. */
#include "relabel/file.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "relabel/util.h"

/* True when the absolute path `real` is `dir` itself or below it. */
static bool
below(const char *real, const char *dir)
{
    size_t n = strlen(dir);

    while (n > 1 && dir[n - 1] == '/')
        n--;
    if (strncmp(real, dir, n) != 0)
        return false;
    return real[n] == '/' || (n == 1 && dir[0] == '/');
}

char *
rl_file_inside(const char *path, const char *dir)
{
    char *real = realpath(path, NULL), *rdir = realpath(dir, NULL);
    bool ok = real != NULL && rdir != NULL && below(real, rdir);

    free(rdir);
    if (!ok) {
        free(real);
        return NULL;
    }
    return real;
}

/* The path of what `fd` is open on, from /proc, or NULL. */
static char *
fd_path(int fd)
{
    char link[64], buf[PATH_MAX];
    ssize_t n;

    snprintf(link, sizeof link, "/proc/self/fd/%d", fd);
    n = readlink(link, buf, sizeof buf - 1);
    if (n <= 0)
        return NULL;
    buf[n] = '\0';
    return rl_xstrdup(buf);
}

int
rl_file_open_regular(const char *path, const char *within, rl_err *err)
{
    struct stat st;
    int fd, flags;

    fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
    if (fd < 0) {
        rl_err_set(err, RL_E_IO, "%s", strerror(errno));
        return -1;
    }
    if (fstat(fd, &st) != 0) {
        rl_err_set(err, RL_E_IO, "%s", strerror(errno));
        goto bad;
    }
    if (S_ISDIR(st.st_mode)) {
        rl_err_set(err, RL_E_IO, "%s", strerror(EISDIR));
        goto bad;
    }
    if (!S_ISREG(st.st_mode)) {
        rl_err_set(err, RL_E_IO, "not a regular file");
        goto bad;
    }
    if (within != NULL) {
        /* What was opened, not what the name says now: no race. */
        char *real = fd_path(fd), *rdir = realpath(within, NULL);
        bool ok;

        if (real == NULL)
            real = realpath(path, NULL);
        ok = real != NULL && rdir != NULL && below(real, rdir);
        free(real);
        free(rdir);
        if (!ok) {
            char *safe = rl_utf8_sanitize(within);

            rl_err_set(err, RL_E_IO, "outside %s", safe);
            free(safe);
            goto bad;
        }
    }
    flags = fcntl(fd, F_GETFL);
    if (flags < 0 || fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) != 0) {
        rl_err_set(err, RL_E_IO, "%s", strerror(errno));
        goto bad;
    }
    return fd;
bad:
    close(fd);
    return -1;
}

FILE *
rl_file_tmp(const char *what, rl_err *err)
{
    const char *dir = getenv("TMPDIR");
    char *path;
    FILE *f = NULL;
    int fd, e = 0;

    if (dir == NULL || *dir == '\0')
        dir = "/tmp";
    path = rl_xasprintf("%s/relabel-XXXXXX", dir);
    if ((fd = mkstemp(path)) < 0) {
        e = errno;
    } else {
        unlink(path);      /* the name goes now: nothing left behind */
        if ((f = fdopen(fd, "w+b")) == NULL) {
            e = errno;
            close(fd);
        }
    }
    if (f == NULL)
        rl_err_set(err, RL_E_IO, "%s in %.100s: %s", what, dir,
                   strerror(e));
    free(path);
    return f;
}
