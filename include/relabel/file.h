/* file.h - opening data files that may be hostile: a FIFO, a device or a
 * symlink out of the folder they should be in. No terminal, no SQLite. */
#ifndef RL_FILE_H
#define RL_FILE_H

#include <stdbool.h>
#include <stdio.h>

#include "relabel/err.h"

/* Opens `path` read-only, and only if it is a regular file. The open is
 * O_NONBLOCK, so a FIFO without a writer or a device cannot block it;
 * the descriptor is blocking again on return. When `within` is not NULL,
 * the file actually opened (symlinks resolved) must lie inside the folder
 * `within`. Returns the descriptor (close it) or -1 with `err` set to the
 * reason alone: the errno text, "not a regular file" or "outside FOLDER"
 * (the caller names the file). */
int rl_file_open_regular(const char *path, const char *within, rl_err *err);

/* The real path of `path` (symlinks resolved) if it lies inside the
 * folder `dir`, as a string the caller frees; NULL if it does not, or
 * either does not exist. */
char *rl_file_inside(const char *path, const char *dir);

/* An anonymous temporary file opened "w+b" in the folder $TMPDIR names
 * (/tmp when unset or empty; glibc's tmpfile() ignores it), unlinked at
 * once, so it is gone when closed (fclose it). NULL with RL_E_IO and the
 * folder and errno text in `err`; `what` starts the message ("a
 * temporary file for sorting"). */
FILE *rl_file_tmp(const char *what, rl_err *err);

#endif
