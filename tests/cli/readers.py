"""readers.py - how other projects' code reads relabel's exports, written
from their documented behaviour with the standard library only (no
download, no third-party package). Used by test_export_json.sh.

  timm CLASSES.tsv MODELS.csv REAL.json COUNT
      timm's RealLabelsImagenet (timm/data/real_labels.py): real.json list
      i is ILSVRC2012_val_{i+1:08d}.JPEG; the file holds exactly one list
      per image evaluated (it asserts so); an image with an empty list is
      skipped; top-k counts when any of the first k predictions is in the
      list. Prints "MODEL top1 top5" as fractions, per model.
  tfds CLASSES.tsv LABELS.csv MODELS.csv TFDS.json
      TFDS imagenet2012_multilabel 3.0.0: the builder keeps initial_annots
      entries whose name starts with ILSVRC2012_val_, reads correct / wrong
      / unclear (a missing key: empty) and the keys of problematic_images;
      the README's recipe skips problematic images, counts a prediction in
      correct or unclear, and averages per-class accuracy over the original
      labels' classes (the README asserts all 1000; a small project has
      fewer, so the mean is over those present). Prints "MODEL micro
      per_class" per model.
  labelstudio CLASSES.tsv CONFIG.xml LS.json LONG.csv
      Checks a Label Studio task export against its labeling config (every
      from_name a control of the config, to_name its Image, the $variables
      present in data) and against the long export (every stored verdict
      in its reviewer's annotation, nothing more). Prints "ok N tasks".
"""
import csv
import json
import sys
import xml.etree.ElementTree as ET


def preds_of(path):
    """model -> image -> [class, ...] best first (columns image,wnid,
    model,rank; class as written)."""
    out = {}
    with open(path, newline="") as f:
        rows = list(csv.DictReader(f))
    rows.sort(key=lambda r: (r["model"], r["image"], int(r["rank"])))
    for r in rows:
        out.setdefault(r["model"], {}).setdefault(r["image"], []).append(
            r["wnid"])
    return out


def class_index():
    """wnid -> index: the sorted 1000 wnids (the order TFDS and timm use)."""
    with open(CLASSES) as f:
        rows = [line.split("\t") for line in f if line.strip()]
    wnids = sorted(r[1] for r in rows if r[1].startswith("n"))
    return {w: i for i, w in enumerate(wnids)}


def timm(models_csv, real_json, count):
    with open(real_json) as f:
        real = json.load(f)
    labels = {"ILSVRC2012_val_%08d.JPEG" % (i + 1): l
              for i, l in enumerate(real)}
    names = ["ILSVRC2012_val_%08d.JPEG" % (i + 1) for i in range(count)]
    assert len(names) == len(labels), "timm asserts one list per image"
    idx = class_index()
    for model, by_image in sorted(preds_of(models_csv).items()):
        hits = {1: [], 5: []}
        for name in names:
            pred = [idx[w] for w in by_image.get(name, [])]
            if labels[name]:
                for k in hits:
                    hits[k].append(any(p in labels[name] for p in pred[:k]))
        print(model, "%.6f" % (sum(hits[1]) / len(hits[1])),
              "%.6f" % (sum(hits[5]) / len(hits[5])))


def tfds(labels_csv, models_csv, tfds_json):
    with open(tfds_json) as f:
        data = json.load(f)
    annotated = {k: v for k, v in data["initial_annots"].items()
                 if k[:len("ILSVRC2012_val_")] == "ILSVRC2012_val_"}
    problematic = list(data["problematic_images"].keys())
    assert isinstance(data["imagenet_m"], list)
    idx = class_index()
    with open(labels_csv, newline="") as f:
        original = {r["image"]: idx[r["wnid"]] for r in csv.DictReader(f)}
    for model, by_image in sorted(preds_of(models_csv).items()):
        n_correct, n_images, hits, total = {}, {}, 0, 0
        for name in sorted(annotated):
            if name in problematic:
                continue
            ml = annotated[name]
            correct = [idx[w] for w in ml.get("correct", [])]
            unclear = [idx[w] for w in ml.get("unclear", [])]
            cls = original[name]
            n_correct.setdefault(cls, 0)
            n_images[cls] = n_images.get(cls, 0) + 1
            pred = idx[by_image[name][0]]
            if pred in correct or pred in unclear:
                n_correct[cls] += 1
                hits += 1
            total += 1
        per_class = sum(n_correct[c] / n_images[c] for c in n_images)
        print(model, "%.6f" % (hits / total),
              "%.6f" % (per_class / len(n_images)))


def labelstudio(config, ls_json, long_csv):
    root = ET.parse(config).getroot()
    controls = {e.get("name") for e in root.iter() if e.get("toName")}
    objects = {e.get("name") for e in root.iter() if e.tag == "Image"}
    variables = {e.get("value")[1:] for e in root.iter()
                 if (e.get("value") or "").startswith("$")}
    with open(ls_json) as f:
        tasks = json.load(f)
    seen = set()
    for t in tasks:
        assert variables <= set(t["data"]), (variables, t["data"])
        cands = {c["value"] for c in t["data"]["candidates"]}
        for p in t["predictions"]:
            assert p["model_version"]
            for r in p["result"]:
                assert r["from_name"] in controls and r["to_name"] in objects
        for a in t["annotations"]:
            assert isinstance(a["completed_by"], int)
            assert isinstance(a["lead_time"], (int, float))
            for r in a["result"]:
                assert r["from_name"] in controls, r["from_name"]
                assert r["to_name"] in objects
                if r["type"] == "choices" and r["from_name"] != "problematic":
                    assert set(r["value"]["choices"]) <= cands
            if a["ground_truth"]:
                continue
            for r in a["result"]:
                if r["from_name"] in ("correct", "wrong", "unclear",
                                      "dont_know"):
                    for w in r["value"]["choices"]:
                        seen.add((t["data"]["name"], w, r["from_name"],
                                  a["relabel_reviewer"]))
    with open(long_csv, newline="") as f:
        stored = {(r["image"], r["wnid"], r["state"], r["reviewer"])
                  for r in csv.DictReader(f) if r["wnid"]}
    assert seen == stored, (seen ^ stored)
    print("ok %d tasks" % len(tasks))


if __name__ == "__main__":
    CLASSES = sys.argv[2]
    cmd, args = sys.argv[1], sys.argv[3:]
    if cmd == "timm":
        timm(args[0], args[1], int(args[2]))
    elif cmd == "tfds":
        tfds(*args)
    else:
        labelstudio(*args)
