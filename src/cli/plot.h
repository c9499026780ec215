/* plot.h - atoll plot: PNG pictures of a run folder or of a scaling study, drawn by gnuplot. */
#ifndef ATOLL_CLI_PLOT_H
#define ATOLL_CLI_PLOT_H

/*
 * atoll plot DIR [--out PNGDIR] (argv[1] is "plot"). From DIR/trials.csv (with ranks.csv,
 * config.ini and best.json when present) it draws convergence.png, timeline.png and
 * params.png; from DIR/scaling.csv (written by bench/scaling) speedup.png and
 * efficiency.png. The PNGs go into PNGDIR (default DIR), one line per PNG on stdout.
 * gnuplot must be on PATH. Not collective: no MPI. Returns the exit code: 0 done, 1 runtime
 * failure (gnuplot missing or failing, I/O), 2 bad arguments or nothing to plot in DIR; an
 * error is one line on stderr.
 */
int atoll_cli_plot(int argc, char **argv);

#endif
