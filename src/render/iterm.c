/* iterm.c - the iTerm2 inline image payload: the picture re-encoded as a
 * JPEG at its displayed size with TurboJPEG, base64 for OSC 1337 File=.
 * Quality 92 with 4:4:4 chroma keeps thin coloured detail (a bird's
 * eye-ring) that 4:2:0 would smear; at displayed size that is still far
 * fewer bytes than the source file. */
#include "relabel/picture.h"

#include <turbojpeg.h>

#include "relabel/err.h"
#include "relabel/util.h"

#define QUALITY 92

int
rl_iterm_encode(const rl_pixels *px, rl_buf *out, rl_err *err)
{
    tjhandle tj = tjInitCompress();
    unsigned char *jpg = NULL;
    unsigned long n = 0;
    int rc = -1;

    if (tj == NULL) {
        rl_err_set(err, RL_E_IMAGE, "iTerm2 picture: %s",
                   tjGetErrorStr2(NULL));
        return -1;
    }
    if (tjCompress2(tj, px->rgb, px->w, px->w * 3, px->h, TJPF_RGB, &jpg,
                    &n, TJSAMP_444, QUALITY, TJFLAG_FASTDCT) != 0) {
        rl_err_set(err, RL_E_IMAGE, "iTerm2 picture: %s",
                   tjGetErrorStr2(tj));
        goto out;
    }
    rl_base64_add(out, jpg, n);
    rc = 0;
out:
    tjFree(jpg);
    tjDestroy(tj);
    return rc;
}
