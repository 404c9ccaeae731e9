/* jpeg.c - placeholder; the render layer replaces it. */
typedef int rl_render_placeholder;
