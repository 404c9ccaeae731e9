# gen_eval_project.awk - a seeded random project for test_eval_stream.sh:
# labels, reviews by three reviewers (and an adjudicator), and predictions
# of three models written in a shuffled row order. Park-Miller's generator
# (products stay below 2^53), so every awk writes the same files.
#   awk -v dir=DIR -v n=IMAGES -f gen_eval_project.awk
function rnd() {
    seed = (seed * 16807) % 2147483647
    return seed / 2147483647
}
function pick(k) { return int(rnd() * k) }
BEGIN {
    seed = 20261202
    if (n == "") n = 400
    split("correct wrong unclear dont_know", states, " ")
    split("alice bob carol", who, " ")
    lab = dir "/labels.csv"; rev = dir "/reviews.csv"
    print "image,wnid,dataset" > lab
    print "image,wnid,state,reviewer,role,problematic" > rev
    for (i = 1; i <= n; i++) {
        img[i] = sprintf("r%04d.JPEG", i)
        # Uniform classes fill every subset (dogs 151..268, other
        # organisms, objects).
        label[i] = pick(1000)
        printf "%s,%s,%s\n", img[i], label[i], pick(10) < 7 ? "val" : "v2" > lab
        if (pick(10) == 0)
            continue                       # unreviewed
        for (r = 1; r <= 3; r++) {
            if (pick(4) == 0)
                continue
            flag = pick(20) == 0 ? 1 : ""
            nk = 1 + pick(3)
            for (k = 0; k < nk; k++) {
                c = (label[i] + k * (31 + i % 7)) % 1000
                s = rnd() < 0.55 ? 1 : 1 + pick(4)
                printf "%s,%d,%s,%s,reviewer,%s\n", img[i], c, states[s], who[r], \
                    k == 0 ? flag : "" > rev
            }
        }
        if (pick(15) == 0 && label[i] != "")
            printf "%s,%d,%s,dave,adjudicator,\n", img[i], label[i], \
                states[1 + pick(2)] > rev
    }
    close(lab); close(rev)

    # Predictions: per model and image 5 to 7 distinct classes, the label
    # often among them; every row gets a random key, and the file is the
    # rows sorted by it (shuffled), with the rank column.
    split("resnet vit effnet", models, " ")
    rows = 0
    for (i = 1; i <= n; i++)
        for (m = 1; m <= 3; m++) {
            if (pick(12) == 0)
                continue                   # this model skips the image
            nk = 5 + pick(3)
            delete used
            for (k = 1; k <= nk; k++) {
                if (k == 1 + pick(4) && label[i] != "" && !(label[i] in used))
                    c = label[i]
                else {
                    do c = (label[i] == "" ? 0 : label[i]) + pick(60) - 30; \
                    while (c < 0 || c > 999 || (c in used))
                }
                used[c] = 1
                rows++
                line[rows] = sprintf("%s,%s,%d,%d", img[i], models[m], k, c)
                key[rows] = rnd()
            }
        }
    # An insertion sort would be slow; sort through the keys' ranks by a
    # simple merge of buckets instead: bucket by the first 3 digits.
    for (x = 1; x <= rows; x++) {
        b = int(key[x] * 1000)
        cnt[b]++
        bucket[b, cnt[b]] = x
    }
    out = dir "/shuffled.csv"
    print "image,model,rank,wnid" > out
    for (b = 0; b < 1000; b++)
        for (j = 1; j <= cnt[b]; j++)
            print line[bucket[b, j]] > out
    close(out)

    # The same predictions by model then image, with no rank column (file
    # order is rank order), and a file without a model column.
    out = dir "/ordered.csv"
    print "model,image,wnid" > out
    for (m = 1; m <= 3; m++)
        for (x = 1; x <= rows; x++) {
            split(line[x], f, ",")
            if (f[2] == models[m])
                printf "%s,%s,%s\n", f[2], f[1], f[4] > out
        }
    close(out)
    out = dir "/single.csv"
    print "image,wnid,rank" > out
    for (x = rows; x >= 1; x--) {
        split(line[x], f, ",")
        if (f[2] == "vit")
            printf "%s,%s,%s\n", f[1], f[4], f[3] > out
    }
    close(out)
}
