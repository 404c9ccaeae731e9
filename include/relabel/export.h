/* export.h - the interchange exports read by other projects' code:
 * TFDS imagenet2012_multilabel's human_accuracy_v3.0.0.json and Label
 * Studio's JSON task export. Both ask the consensus module (any rule,
 * Dawid-Skene included) for the project's labels; neither writes to the
 * project. Knows nothing of the terminal.
 *
 * Every function writes to `out`, reads the project in one transaction,
 * and returns 0, or -1 with `err` set (RL_E_DB, RL_E_IO, or the
 * consensus's RL_E_NOTFOUND for reviewer:NAME with no review). On failure
 * `out` may hold a partial document: callers write to a temporary file. */
#ifndef RL_EXPORT_H
#define RL_EXPORT_H

#include <stdio.h>

#include "relabel/catalog.h"
#include "relabel/consensus.h"
#include "relabel/err.h"
#include "relabel/store.h"

/* TFDS imagenet2012_multilabel (version 3.0.0) layout:
 *   {"initial_annots": {IMAGE: {"correct": [wnid...], "wrong": [...],
 *                               "unclear": [...]}},
 *    "problematic_images": {IMAGE: {"reason": TEXT, "reviewer": NAME}},
 *    "imagenet_m": []}
 * initial_annots holds every image with a Correct, Wrong or Unclear
 * consensus class (a key only when its list is not empty, as TFDS reads
 * them), wnids in class-index order; problematic_images every image
 * flagged (under reviewer:NAME, by NAME), the reason made of the flaggers'
 * notes ("marked problematic in relabel" without one). imagenet_m is
 * empty: the project holds no ImageNet-M selection. Images by name. */
int rl_export_tfds(rl_store *s, const rl_catalog *cat,
                   const rl_consensus_opts *co, FILE *out, rl_err *err);

/* Label Studio JSON export (the task format of Label Studio 1.13's
 * documentation, for the config share/relabel/labelstudio.xml): a list of
 * tasks, by image name, each with
 *   data         image (the file path, else the name), name, original
 *                wnid, candidates [{"value": wnid, "hint": names}];
 *   predictions  one per model: model_version, score (of its top-1),
 *                result: its ranked classes as "correct"-style choices on
 *                from_name "predicted";
 *   annotations  one per reviewer who marked the image: completed_by (the
 *                reviewer's number, 1-based in name order), relabel_reviewer
 *                (the name), lead_time (active seconds), updated_at, and
 *                results: a "choices" result per state (from_name correct,
 *                wrong, unclear, dont_know) listing the wnids, a
 *                "problematic" choice, a "note" textarea and a "main"
 *                choice when set; adjudicators' annotations carry
 *                relabel_role "adjudicator". Last, the consensus under
 *                `co` as an annotation with ground_truth true and
 *                relabel_reviewer "consensus". */
int rl_export_labelstudio(rl_store *s, const rl_catalog *cat,
                          const rl_consensus_opts *co, FILE *out,
                          rl_err *err);

/* Writes `s` as a JSON string: quotes, backslashes and every control
 * character escaped (\n as such), other bytes as they are. */
void rl_export_json_str(FILE *f, const char *s);

#endif
