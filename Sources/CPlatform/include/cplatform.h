#ifndef ONIONBOARD_CPLATFORM_H
#define ONIONBOARD_CPLATFORM_H
/* C functions the Platform target needs and Swift cannot call directly. */

/* The process's argument vector as the C library handed it to the program at start,
 * independent of /proc (see process_arguments.c). How many arguments were taken
 * (argv[0] included); 0 if none were. */
int cprocess_arguments_count(void);

/* Argument `index` (0 ..< count), or NULL. */
const char *cprocess_argument(int index);

/* Names the calling thread (the first 15 bytes; shown by ps and top). prctl is variadic. */
int cplatform_set_thread_name(const char *name);

/* The calling thread's kernel id (gettid is not imported with Debian 12's headers). */
int cplatform_thread_id(void);
#endif
