/* nothread.c: an LD_PRELOAD shim under which no thread can be started, as on a machine out of
 * threads or memory for their stacks: pthread_create fails with EAGAIN. docket must then do on
 * one thread what it shares between two (a restore's parsing, diff's two dates, verify's chain),
 * with the same result. */
#include <errno.h>
#include <pthread.h>

int
pthread_create(pthread_t *thread, const pthread_attr_t *attr, void *(*fn)(void *), void *arg)
{
    (void)thread;
    (void)attr;
    (void)fn;
    (void)arg;
    return EAGAIN;
}
