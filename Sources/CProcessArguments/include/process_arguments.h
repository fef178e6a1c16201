#ifndef ONIONBOARD_CPROCESSARGUMENTS_H
#define ONIONBOARD_CPROCESSARGUMENTS_H
/* The process's argument vector as the C library handed it to the program at start,
 * independent of /proc (see process_arguments.c). */

/* How many arguments were taken at start (argv[0] included); 0 if none were. */
int cprocess_arguments_count(void);

/* Argument `index` (0 ..< count), or NULL. */
const char *cprocess_argument(int index);
#endif
