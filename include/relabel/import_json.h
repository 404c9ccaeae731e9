/* import_json.h - reviews from other tools' JSON: TFDS
 * imagenet2012_multilabel's human_accuracy_v3.0.0.json and Label Studio's
 * JSON task export (as relabel's exports write them, see export.h). The
 * file is parsed and checked whole, then its verdicts, flags and notes go
 * through rl_import_reviews as one long-form file, so they are stored and
 * logged exactly as `import reviews` stores a CSV (one transaction).
 * Knows nothing of the terminal. */
#ifndef RL_IMPORT_JSON_H
#define RL_IMPORT_JSON_H

#include "relabel/catalog.h"
#include "relabel/csvio.h"
#include "relabel/err.h"
#include "relabel/store.h"

typedef enum rl_json_format {
    RL_JSON_DETECT,        /* an object with initial_annots: TFDS; a list
                              of tasks: Label Studio */
    RL_JSON_TFDS,
    RL_JSON_LABELSTUDIO
} rl_json_format;

/* Imports the reviews of `path`. TFDS: every verdict and flag is o->reviewer's
 * (required: one reviewer, or e.g. "consensus"); a problematic image's
 * reason becomes the note. Label Studio: one reviewer per annotation
 * (relabel_reviewer, else "ls:" and completed_by; relabel_role
 * "adjudicator" makes its verdicts adjudications), results correct /
 * wrong / unclear / dont_know / problematic / note / main (one wnid, the
 * reviewer's main object); cancelled annotations and relabel's own
 * consensus annotation are skipped. res->rows counts
 * the long-form rows handed on. Bad input: -1, RL_E_PARSE (or
 * RL_E_NOTFOUND for an unknown image or class, RL_E_DUP for a class twice
 * on an image by one reviewer) with "FILE:LINE: field: what", nothing
 * stored. */
int rl_import_reviews_json(rl_store *s, const rl_catalog *cat,
                           const char *path, rl_json_format fmt,
                           const rl_import_opts *o, rl_import_result *res,
                           rl_err *err);

#endif
