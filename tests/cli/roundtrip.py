#!/usr/bin/python3
"""roundtrip.py - the random projects of test_roundtrip_property.sh.

  roundtrip.py gen SEED CLASSES.tsv DIR   writes DIR/labels.csv,
      DIR/predictions.csv, DIR/reviews.csv (the long form, rows shuffled)
      and DIR/truth.json (what the project must hold after the import)
  roundtrip.py holds DB truth.json        the project holds exactly that
  roundtrip.py same DB1 DB2               two projects hold the same
                                          verdicts, roles, flags, notes,
                                          main objects, added candidates
                                          and timings
  roundtrip.py same-timings DB1 DB2       the same timings only
  roundtrip.py json FORMAT A B            two JSON exports agree in what
                                          FORMAT carries (see CARRIED)

Exit 0 when it holds, 1 with the first differences on stderr.
Projects: several reviewers and an adjudicator, notes with commas, quotes,
CR/LF, tabs, escape and bidi characters, main objects (some outside the
majority-correct set), problematic flags, confirmations, classes no
model proposed (added candidates), and timings (first look, last change -
sometimes none - and attention), on a reviewer's flag row or on an image
row of their own, some of reviewers who marked nothing on the image.
Numbered images, so real-json applies.
"""
import csv
import io
import json
import random
import sqlite3
import sys

# What each JSON format carries, compared by `json`:
CARRIED = {
    # TFDS: every image's correct/wrong/unclear wnids and which images are
    # problematic with their reason; the "reviewer" of a problematic image
    # is whoever imported it, not carried.
    "tfds-multilabel": "initial_annots; problematic_images: image, reason",
    # Label Studio: every task's data and predictions, and per annotation
    # its reviewer, role, ground_truth flag, results (states, problematic,
    # note, main), updated_at (the latest of the reviewer's rows on the
    # image) and the reviewer's timing (lead_time, relabel_first_shown,
    # relabel_last_change): everything.
    "label-studio": "everything",
}

HOSTILE = [
    "a, b", 'say "hi"', "line one\nline two", "crlf\r\nend", "tab\there",
    "esc \x1b[31mred\x1b[0m", "bidi \u202ecba\u202c", "  padded  ",
    "comma,\"quote\",\nnewline", "ünïcödé ✓", "=1+1", "\\back\\slash",
    "semi; colon", "''", "x" * 300,
]
REVIEWERS = ["ann", "bo", "chen", "dana", "zoë"]
ADJ = "judge"
STATES = ["correct", "wrong", "unclear", "dont_know"]


def ms_time(ms):
    s, frac = divmod(ms, 1000)
    import time
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(s)) + \
        ".%03dZ" % frac


def write_csv(path, head, rows):
    with open(path, "w", newline="", encoding="utf-8") as f:
        w = csv.writer(f, lineterminator="\n")
        w.writerow(head)
        w.writerows(rows)


def timing(rnd, rows, truth, im, who, t0, row):
    """A timing of `who` on `im`: on the image row `row`, or on a row of
    its own (flag fields empty)."""
    first = t0 + rnd.randint(0, 10 ** 9)
    last = first + rnd.randint(0, 10 ** 6) if rnd.random() < 0.8 else None
    active = rnd.randint(0, 10 ** 6)
    if row is None:
        row = [im, "", "", who, "", "", "", "", "", "", ""]
        rows.append(row)
    row.extend([ms_time(first), ms_time(last) if last else "", str(active)])
    truth["timings"].append([im, who, ms_time(first),
                             ms_time(last) if last else None, active])


def gen(seed, classes_tsv, out):
    rnd = random.Random(int(seed))
    with open(classes_tsv, encoding="utf-8") as f:
        wnids = [l.split("\t")[1] for l in f.read().splitlines()[1:]]
    pool = rnd.sample(wnids, 40)
    images = ["ILSVRC2012_val_%08d.JPEG" % n
              for n in sorted(rnd.sample(range(1, 200), 30))]
    labels, preds, cands = [], [], {}
    for im in images:
        lab = rnd.choice(pool)
        labels.append([im, lab])
        cands[im] = {lab}
        for model in ("m_one", "m_two"):
            for rank, w in enumerate(rnd.sample(pool, 3), 1):
                preds.append([im, model, rank, w, "%.3f" % rnd.random()])
                cands[im].add(w)
    rows, truth = [], {"verdicts": [], "flags": [], "added": [],
                       "timings": []}
    t0 = 1767225600000          # 2026-01-01T00:00:00Z
    for im in images:
        added_here = {}
        for who in rnd.sample(REVIEWERS, rnd.randint(0, 4)):
            classes = rnd.sample(sorted(cands[im]),
                                 rnd.randint(1, len(cands[im])))
            if rnd.random() < 0.3:    # a class no model proposed
                extra = rnd.choice([w for w in pool if w not in cands[im]])
                classes.append(extra)
                added_here.setdefault(extra, who)
            main = rnd.choice(classes) if rnd.random() < 0.6 else None
            prob = rnd.random() < 0.2
            note = rnd.choice(HOSTILE) if rnd.random() < 0.4 else ""
            done = rnd.random() < 0.3
            image_row = prob or note or done
            flag_at = None
            for w in classes:
                st = rnd.choice(STATES)
                at = t0 + rnd.randint(0, 10 ** 9)
                # The main object on its verdict row (Tsipras et al.'s
                # shape) when no image row carries it.
                on_row = w == main and not image_row
                if on_row:
                    flag_at = at
                rows.append([im, w, st, who, "", "1" if on_row else "",
                             "", "", "", "", ms_time(at)])
                truth["verdicts"].append([im, w, who, st, "reviewer",
                                          ms_time(at)])
            if image_row:
                flag_at = t0 + rnd.randint(0, 10 ** 9)
                rows.append([im, "", "", who, "", main or "",
                             "1" if prob else "0", note,
                             "1" if done else "0", "", ms_time(flag_at)])
            if image_row or main:
                truth["flags"].append([im, who, int(prob), note, main,
                                       int(done), ms_time(flag_at)])
            if rnd.random() < 0.7:
                timing(rnd, rows, truth, im, who, t0,
                       rows[-1] if image_row else None)
        if rnd.random() < 0.3:          # an adjudication
            w = rnd.choice(sorted(cands[im]))
            st = rnd.choice(STATES[:3])
            at = t0 + rnd.randint(0, 10 ** 9)
            # Half the time the adjudicator also names the main object
            # (on the verdict row): it settles the consensus main.
            adj_main = rnd.random() < 0.5
            rows.append([im, w, st, ADJ, "adjudicator",
                         "1" if adj_main else "", "", "", "", "",
                         ms_time(at)])
            truth["verdicts"].append([im, w, ADJ, st, "adjudicator",
                                      ms_time(at)])
            if adj_main:
                truth["flags"].append([im, ADJ, 0, "", w, 0, ms_time(at)])
        if rnd.random() < 0.1:          # flags only, no verdict
            who = rnd.choice(REVIEWERS + [ADJ])
            if not any(f[0] == im and f[1] == who for f in truth["flags"]):
                note = rnd.choice(HOSTILE)
                at = t0 + rnd.randint(0, 10 ** 9)
                rows.append([im, "", "", who, "", "", "1", note, "0", "",
                             ms_time(at)])
                truth["flags"].append([im, who, 1, note, None, 0,
                                       ms_time(at)])
        if rnd.random() < 0.15:         # looked at, marked nothing
            who = rnd.choice(REVIEWERS + [ADJ])
            if not any(t[0] == im and t[1] == who for t in truth["timings"]):
                timing(rnd, rows, truth, im, who, t0, None)
        for w, who in added_here.items():
            truth["added"].append([im, w, who])
            for r in rows:
                if r[0] == im and r[1] == w:
                    r[9] = who
    verdict_rows = [r for r in rows if r[1] != ""]
    image_rows = [r for r in rows if r[1] == ""]
    rnd.shuffle(verdict_rows)
    rnd.shuffle(image_rows)
    write_csv(out + "/labels.csv", ["image", "wnid"], labels)
    write_csv(out + "/predictions.csv",
              ["image", "model", "rank", "wnid", "score"], preds)
    for r in rows:
        r.extend([""] * (14 - len(r)))
    write_csv(out + "/reviews.csv",
              ["image", "wnid", "state", "reviewer", "role", "main",
               "problematic", "note", "done", "added_by", "updated_at",
               "first_shown", "last_change", "active_ms"],
              verdict_rows + image_rows)
    with open(out + "/truth.json", "w", encoding="utf-8") as f:
        json.dump(truth, f)


def held(db):
    """The project's reviews, flags, added candidates and timings, by
    name."""
    c = sqlite3.connect("file:%s?mode=ro" % db, uri=True)
    v = sorted(list(r) for r in c.execute(
        "SELECT i.name, k.wnid, r.reviewer, r.state, r.role, r.updated_at"
        " FROM review r JOIN image i ON i.id = r.image"
        " JOIN class k ON k.id = r.class"))
    f = sorted(list(r) for r in c.execute(
        "SELECT i.name, f.reviewer, f.problematic, f.note, m.wnid, f.done,"
        " f.updated_at FROM flag f JOIN image i ON i.id = f.image"
        " LEFT JOIN class m ON m.id = f.main WHERE f.problematic"
        " OR f.note <> '' OR f.main IS NOT NULL OR f.done"))
    a = sorted(list(r) for r in c.execute(
        "SELECT i.name, k.wnid, d.added_by FROM candidate d"
        " JOIN image i ON i.id = d.image JOIN class k ON k.id = d.class"
        " WHERE d.added_by IS NOT NULL"))
    t = sorted(list(r) for r in c.execute(
        "SELECT i.name, t.reviewer, t.first_shown, t.last_change,"
        " t.active_ms FROM timing t JOIN image i ON i.id = t.image"))
    c.close()
    return {"verdicts": v, "flags": f, "added": a, "timings": t}


def iso_ms(s):
    import calendar
    import time
    base, frac = s[:-1].split(".")
    return calendar.timegm(time.strptime(base, "%Y-%m-%dT%H:%M:%S")) \
        * 1000 + int(frac)


def differ(what, a, b):
    for k in a:
        if a[k] != b[k]:
            sa = set(map(json.dumps, a[k]))
            sb = set(map(json.dumps, b[k]))
            print("%s: %s differ: only first %s; only second %s" % (
                what, k, sorted(sa - sb)[:3], sorted(sb - sa)[:3]),
                file=sys.stderr)
            return 1
    return 0


def holds(db, truth_path):
    with open(truth_path, encoding="utf-8") as f:
        t = json.load(f)
    want = {
        "verdicts": sorted([r[0], r[1], r[2], r[3], r[4], iso_ms(r[5])]
                           for r in t["verdicts"]),
        "flags": sorted([r[0], r[1], r[2], r[3], r[4], r[5], iso_ms(r[6])]
                        for r in t["flags"]),
        "added": sorted(t["added"]),
        "timings": sorted([r[0], r[1], iso_ms(r[2]),
                           iso_ms(r[3]) if r[3] else None, r[4]]
                          for r in t["timings"]),
    }
    return differ("project vs generated", held(db), want)


def strip(fmt, doc):
    if fmt == "tfds-multilabel":
        for v in doc["problematic_images"].values():
            v.pop("reviewer", None)
    return doc


def main():
    cmd = sys.argv[1]
    if cmd == "gen":
        gen(sys.argv[2], sys.argv[3], sys.argv[4])
        return 0
    if cmd == "holds":
        return holds(sys.argv[2], sys.argv[3])
    if cmd == "same":
        return differ("projects", held(sys.argv[2]), held(sys.argv[3]))
    if cmd == "same-timings":
        return differ("timings", {"timings": held(sys.argv[2])["timings"]},
                      {"timings": held(sys.argv[3])["timings"]})
    if cmd == "json":
        fmt = sys.argv[2]
        docs = []
        for p in sys.argv[3:5]:
            with open(p, encoding="utf-8") as f:
                docs.append(strip(fmt, json.load(f)))
        if docs[0] != docs[1]:
            a = json.dumps(docs[0], indent=1, sort_keys=True).splitlines()
            b = json.dumps(docs[1], indent=1, sort_keys=True).splitlines()
            import difflib
            for line in list(difflib.unified_diff(a, b, lineterm=""))[:30]:
                print(line, file=sys.stderr)
            return 1
        return 0
    print("usage: roundtrip.py gen|holds|same|json ...", file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main())
