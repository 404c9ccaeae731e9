/* alone.c - the program the layering check links against rl_core alone
 * (with SQLite, libm and libpthread) and against rl_render without
 * ncurses, every object of the archives included: a core or render file
 * that calls a curses function, or anything else outside its layer, makes
 * this link, and so the build, fail. */
int
main(void)
{
    return 0;
}
