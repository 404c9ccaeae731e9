/* test_file.c - rl_file_open_regular and rl_file_inside: a FIFO, a device,
 * a folder and links out of a folder are refused, at once. */
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "relabel/err.h"
#include "relabel/file.h"
#include "relabel/render.h"
#include "relabel/util.h"
#include "t.h"
#include "fixture.h"

static void
on_alarm(int sig)
{
    static const char msg[] = "Bail out! an open blocked (FIFO)\n";
    ssize_t w = write(STDOUT_FILENO, msg, sizeof msg - 1);

    (void)sig; (void)w;
    _exit(1);
}

int
main(void)
{
    char *dir, *in, *fifo, *out, *link_out, *link_fifo, *sub, *real;
    rl_pixels *px;
    rl_err err;
    int fd;

    snprintf(tmpdir, sizeof tmpdir, "/tmp/rl_test_file_XXXXXX");
    if (mkdtemp(tmpdir) == NULL)
        return 1;
    signal(SIGALRM, on_alarm);
    alarm(10);                     /* a blocked open fails the test */
    dir = tpath("guide");
    mkdir(dir, 0755);
    sub = tpath("guide/sub");
    mkdir(sub, 0755);
    spew("guide/page.md", "# hi\n");
    spew("secret.txt", "secret\n");
    in = tpath("guide/page.md");
    fifo = tpath("guide/x.JPEG");
    out = tpath("secret.txt");
    link_out = tpath("guide/sub/shadow.md");
    link_fifo = tpath("guide/sub/pipe.JPEG");
    ok(mkfifo(fifo, 0600) == 0, "made a FIFO");
    ok(symlink(out, link_out) == 0 && symlink(fifo, link_fifo) == 0,
       "made the links");

    fd = rl_file_open_regular(in, dir, &err);
    ok(fd >= 0, "a regular file inside the folder opens");
    if (fd >= 0)
        close(fd);
    fd = rl_file_open_regular(fifo, NULL, &err);
    ok(fd < 0 && strcmp(err.msg, "not a regular file") == 0,
       "a FIFO is refused without blocking: %s", err.msg);
    fd = rl_file_open_regular(link_fifo, dir, &err);
    ok(fd < 0 && strcmp(err.msg, "not a regular file") == 0,
       "a link to a FIFO is refused without blocking");
    fd = rl_file_open_regular("/dev/zero", NULL, &err);
    ok(fd < 0 && strcmp(err.msg, "not a regular file") == 0,
       "a device is refused");
    fd = rl_file_open_regular(sub, NULL, &err);
    ok(fd < 0 && strstr(err.msg, "directory") != NULL, "a folder is refused");
    fd = rl_file_open_regular(link_out, dir, &err);
    ok(fd < 0 && rl_starts_with(err.msg, "outside "),
       "a link out of the folder is refused: %s", err.msg);
    fd = rl_file_open_regular(link_out, NULL, &err);
    ok(fd >= 0, "... and opens when no folder is required");
    if (fd >= 0)
        close(fd);

    real = rl_file_inside(in, dir);
    ok(real != NULL && rl_starts_with(real, "/tmp/"), "inside: real path");
    free(real);
    ok(rl_file_inside(link_out, dir) == NULL, "a link out is not inside");
    ok(rl_file_inside(out, dir) == NULL, "a file beside it is not inside");
    real = tpath("guidex");        /* a sibling sharing the prefix */
    mkdir(real, 0755);
    free(real);
    real = tpath("guidex/a");
    spew("guidex/a", "x");
    ok(rl_file_inside(real, dir) == NULL, "a folder with the same prefix is "
       "not inside");
    free(real);

    /* The image loader (the prefetch worker's open) goes the same way. */
    px = rl_pixels_load(fifo, 100, 100, &err);
    ok(px == NULL && strcmp(err.msg, "not a regular file") == 0,
       "rl_pixels_load refuses a FIFO at once");
    px = rl_pixels_load(link_fifo, 100, 100, &err);
    ok(px == NULL, "... and a link to one");

    alarm(0);
    free(dir); free(in); free(fifo); free(out); free(link_out);
    free(link_fifo); free(sub);
    nftw(tmpdir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
    return t_done();
}
